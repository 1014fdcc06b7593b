"""Comparing reps through the API (issue 19, docs/insights.md "Comparing reps"): Mia and the
owner (Own) beside every owner of the workspace, January 2026 in Berlin, answers by hand; each
cell's drill-down lists the deals behind it; a team filter makes the baseline the team's; gaps on
fewer than five deals are left out and counted. Times 10:00 UTC; activities logged and done at
the hour named.

    T1 Mia  1000  L 01-02, Q 01-04 (2 days in L); won 01-10; 2 calls (first 12:00) and a meeting
    T2 Own   600  L 01-05, Q 01-11 (6 days); won 01-20; an e-mail a day later
    T3 Vic  2000  L 01-06, Q 01-16 (10 days); won 01-17; a call two days later
    T4 Mia   300  L 01-08, Q 01-12 (4 days); open; a to-do done 3 hours later
    T5 Own   500  L 2025-12-01; lost 01-25, no reason given
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import pytest

from tests.support.accounts import AUTH, Team, team
from tests.support.crm import call, ok
from tests.support.rep_history import Deal, write_deals
from tests.support.servers import InProcessServer, in_process_server, settings_for

JANUARY = {"from": "2026-01-01", "to": "2026-01-31", "tz": "Europe/Berlin"}
H = timedelta(hours=1)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00").replace(tzinfo=timezone.utc)


class History(NamedTuple):
    team: Team
    field: str

    def path(self, figure: str) -> str:
        return f"/api/workspaces/{self.team.workspace}/insights/{figure}"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


@pytest.fixture(scope="module")
async def history(server: InProcessServer, database_url: str) -> History:
    t = await team(server.http_url)
    await ok(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    mia, own, vic = UUID(t.member.id), UUID(t.owner.id), UUID(t.viewer.id)
    deals = [
        Deal("T1", mia, 1000, [("L", at("2026-01-02")), ("Q", at("2026-01-04"))], ("won", at("2026-01-10"), None),
             (("call", at("2026-01-02") + 2 * H), ("call", at("2026-01-05")), ("meeting", at("2026-01-06")))),
        Deal("T2", own, 600, [("L", at("2026-01-05")), ("Q", at("2026-01-11"))], ("won", at("2026-01-20"), None),
             (("email", at("2026-01-06")),)),
        Deal("T3", vic, 2000, [("L", at("2026-01-06")), ("Q", at("2026-01-16"))], ("won", at("2026-01-17"), None),
             (("call", at("2026-01-08")),)),
        Deal("T4", mia, 300, [("L", at("2026-01-08")), ("Q", at("2026-01-12"))], None,
             (("todo", at("2026-01-08") + 3 * H),)),
        Deal("T5", own, 500, [("L", at("2025-12-01"))], ("lost", at("2026-01-25"), None)),
    ]
    conn = await asyncpg.connect(database_url)
    try:
        await write_deals(conn, UUID(t.board["id"]), UUID(t.workspace), deals)
    finally:
        await conn.close()
    field = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                     json={"name": "Field", "members": [t.member.id, t.owner.id]})
    return History(t, field["id"])


def table(answer: dict[str, Any]) -> dict[tuple[str, str | None], tuple]:
    """(key, of) -> ((Mia's value, sample), (Own's), (the baseline's))."""
    return {(f["key"], f["of"]): (*((c["value"], c["sample"]) for c in f["cells"]),
                                  (f["baseline"]["value"], f["baseline"]["sample"])) for f in answer["figures"]}


async def test_two_reps_beside_everyone_with_the_figures_computed_by_hand(server, history):
    t = history.team
    answer = await ok(server, t.viewer, "GET", history.path("compare"),
                      params={**JANUARY, "rep": [t.member.id, t.owner.id], "lang": "en"})
    assert (answer["baseline"], [r["name"] for r in answer["reps"]]) == ("workspace", ["Mia Member", "Owner"])
    got = table(answer)
    assert got[("conversion", "Lead in → Qualified")] == ((1.0, 2), (1.0, 1), (1.0, 4))
    assert got[("median_days", "Lead in")] == ((3.0, 2), (6.0, 1), (5.0, 4)), "2 and 4; 6; 2 4 6 10"
    assert got[("conversion", "Qualified → Proposal made")] == ((0.5, 2), (1.0, 1), (0.75, 4)), "T4 still there"
    assert got[("win_rate", None)] == ((1.0, 1), (0.5, 2), (0.75, 4))
    assert got[("average_won", "EUR")] == ((1000.0, 1), (600.0, 1), (1200.0, 3))
    assert got[("per_won", "calls")] == ((2.0, 1), (0.0, 1), (1.0, 3))
    assert got[("per_won", "meetings")] == ((1.0, 1), (0.0, 1), (0.33, 3))
    assert got[("per_won", "emails")] == ((0.0, 1), (1.0, 1), (0.33, 3))
    assert got[("per_open", "tasks")] == ((1.0, 1), (None, 0), (1.0, 1)), "T4; Own has nothing open"
    assert got[("first_activity_hours", None)] == ((2.5, 2), (24.0, 1), (13.5, 4)), "2 3; 24; 2 3 24 48"
    assert got[("lost_share", None)] == ((None, 0), (1.0, 1), (1.0, 1)), "T5 gave no reason"
    assert got[("coverage", None)] == ((None, 0), (None, 0), (None, 0)), "no goals"
    assert answer["explanation"]["gaps"] == [], "every gap rests on fewer than five deals"
    assert answer["explanation"]["left_out"] > 0 and answer["explanation"]["min_sample"] == 5


async def test_each_figure_drills_down_to_the_deals_behind_it(server, history):
    t = history.team
    answer = await ok(server, t.viewer, "GET", history.path("compare"),
                      params={**JANUARY, "rep": [t.member.id, t.owner.id]})
    figures = {(f["key"], f["of"]): f for f in answer["figures"]}

    async def titles(drill: dict[str, str]) -> list[str]:
        query = {k: v for k, v in drill.items() if v != ""}
        found = await ok(server, t.viewer, "GET", history.path("deals"), params={**JANUARY, **query})
        return sorted(d["title"] for d in found["deals"])

    qualified = figures[("conversion", "Qualified → Proposal made")]
    assert await titles(qualified["cells"][0]["drill"]) == ["T1"], "Mia's deals that moved on from Qualified"
    assert await titles(figures[("median_days", "Lead in")]["baseline"]["drill"]) == ["T1", "T2", "T3", "T4"]
    assert await titles(figures[("per_open", "tasks")]["cells"][0]["drill"]) == ["T4"]
    assert await titles(figures[("first_activity_hours", None)]["cells"][1]["drill"]) == ["T2"]
    assert await titles(figures[("lost_share", None)]["cells"][1]["drill"]) == ["T5"]
    assert await titles(figures[("win_rate", None)]["baseline"]["drill"]) == ["T1", "T2", "T3"]


async def test_a_team_filter_compares_with_the_team_and_only_its_members(server, history):
    t = history.team
    answer = await ok(server, t.viewer, "GET", history.path("compare"),
                      params={**JANUARY, "team": history.field, "rep": [t.member.id], "lang": "de"})
    assert (answer["baseline"], answer["baseline_name"], answer["lang"]) == ("team", "Field", "de")
    assert table(answer)[("median_days", "Lead in")] == ((3.0, 2), (4.0, 3)), "T1 T4 T2: 2 4 6"
    outsider = await call(server, t.viewer, "GET", history.path("compare"), params={
        **JANUARY, "team": history.field, "rep": [t.viewer.id]})
    assert outsider.status_code == 400, outsider.text
    assert "rep: expected members of this workspace and team" in outsider.text


async def test_coverage_is_the_weighted_pipeline_over_the_goal(server, history, database_url):
    t = history.team
    conn = await asyncpg.connect(database_url)
    try:  # T4 (Mia's, in Qualified: 25 %) expected to close today
        await conn.execute("UPDATE deals SET expected_close = (now() AT TIME ZONE 'Europe/Berlin')::date"
                           " WHERE title = 'T4'")
    finally:
        await conn.close()
    goals = f"/api/workspaces/{t.workspace}/goals"
    await ok(server, t.owner, "POST", goals, json={"metric": "deals_won_count", "period": "month", "target": 2,
                                                   "user_id": t.member.id})
    await ok(server, t.owner, "POST", goals, json={"metric": "deals_won_count", "period": "month", "target": 5})
    answer = await ok(server, t.viewer, "GET", history.path("compare"),
                      params={**JANUARY, "rep": [t.member.id, t.owner.id]})
    assert table(answer)[("coverage", None)] == ((0.125, 1), (None, 0), (0.05, 1)), "0.25 of 2 deals; of 5"
