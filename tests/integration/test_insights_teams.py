"""A team on the dashboard (issue 19): the team filter reads each figure once over its members'
deals, so a median (days in stage) is the median of all of them; and a team goal's attainment has
the drill-down a member's goal has — the deals behind its ``actual``, through the API.

Written straight into the projection tables (times 10:00 UTC); January 2026 in Berlin. The team
"Field" is Mia (member) and Own (owner); Vic (viewer) is not in it.

    T1 Mia  1000 EUR  L 01-02, Q 01-04 (2 days in L); won 01-10
    T2 Own   600 EUR  L 01-05, Q 01-11 (6 days); won 01-20
    T3 Vic  2000 EUR  L 01-06, Q 01-16 (10 days); won 01-17
    T4 Mia   300 EUR  L 01-08, Q 01-12 (4 days); open
    T5 Own   500 EUR  L 2025-12-01 (added before January); lost 01-25
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import pytest

from tests.support.accounts import AUTH, Team, team
from tests.support.crm import ok
from tests.support.servers import InProcessServer, in_process_server, settings_for

JANUARY = {"from": "2026-01-01", "to": "2026-01-31", "tz": "Europe/Berlin"}

DEALS: dict[str, tuple[str, float, list[tuple[str, str]], tuple[str, str] | None]] = {
    "T1": ("member", 1000, [("L", "2026-01-02"), ("Q", "2026-01-04")], ("won", "2026-01-10")),
    "T2": ("owner", 600, [("L", "2026-01-05"), ("Q", "2026-01-11")], ("won", "2026-01-20")),
    "T3": ("viewer", 2000, [("L", "2026-01-06"), ("Q", "2026-01-16")], ("won", "2026-01-17")),
    "T4": ("member", 300, [("L", "2026-01-08"), ("Q", "2026-01-12")], None),
    "T5": ("owner", 500, [("L", "2025-12-01")], ("lost", "2026-01-25")),
}


class History(NamedTuple):
    team: Team
    field: str  # the team's id

    def path(self, figure: str) -> str:
        return f"/api/workspaces/{self.team.workspace}/{figure}"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00").replace(tzinfo=timezone.utc)


async def write(conn: asyncpg.Connection, t: Team) -> None:
    board, workspace = UUID(t.board["id"]), UUID(t.workspace)
    rows = await conn.fetch("SELECT stage_id FROM board_stages WHERE board_id = $1 ORDER BY position", board)
    stages = dict(zip("LQPNWX", (r["stage_id"] for r in rows), strict=True))
    people = {"member": UUID(t.member.id), "owner": UUID(t.owner.id), "viewer": UUID(t.viewer.id)}
    for title, (owner, value, visits, closed) in DEALS.items():
        card = uuid4()
        await conn.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, status, stage_id,"
            " rank, created_at, moved_at) VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8, 'a', $9, $10)",
            board, card, workspace, title, value, people[owner], closed[0] if closed else "open",
            stages[visits[-1][0]], at(visits[0][1]), at(visits[-1][1]))
        previous = None
        for i, (stage, day) in enumerate(visits):
            await conn.execute(
                "INSERT INTO card_events (board_id, card_id, kind, at, from_stage, to_stage) VALUES ($1, $2, $3, $4,"
                " $5, $6)", board, card, "moved" if i else "created", at(day), previous, stages[stage])
            previous = stages[stage]
        if closed:
            await conn.execute("INSERT INTO card_events (board_id, card_id, kind, at, old_status, new_status)"
                               " VALUES ($1, $2, 'status', $3, 'open', $4)", board, card, at(closed[1]), closed[0])


@pytest.fixture(scope="module")
async def history(server: InProcessServer, database_url: str) -> History:
    t = await team(server.http_url)
    await ok(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    conn = await asyncpg.connect(database_url)
    try:
        await write(conn, t)
    finally:
        await conn.close()
    field = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                     json={"name": "Field", "members": [t.member.id, t.owner.id]})
    return History(t, field["id"])


def lead_in(funnel: dict[str, Any]) -> tuple:
    (row,) = [s for s in funnel["stages"] if s["stage_name"] == "Lead in"]
    return row["entered"], row["advanced"], row["median_days"]


async def test_a_teams_funnel_has_the_median_of_all_its_members_deals(server, history):
    t, path = history.team, history.path("insights/funnel")
    field = await ok(server, t.viewer, "GET", path, params={**JANUARY, "team": history.field})
    assert (field["team_name"], lead_in(field)) == ("Field", (3, 3, 4.0)), "T1 2, T4 4 and T2 6 days"
    mia = await ok(server, t.viewer, "GET", path, params={**JANUARY, "owner": t.member.id})
    assert lead_in(mia) == (2, 2, 3.0), "T1 and T4"
    everyone = await ok(server, t.viewer, "GET", path, params=JANUARY)
    assert lead_in(everyone) == (4, 4, 5.0), "and T3's 10 days"
    narrowed = await ok(server, t.viewer, "GET", path, params={**JANUARY, "team": history.field,
                                                              "owner": t.viewer.id})
    assert lead_in(narrowed) == (0, 0, None), "an owner outside the team: nothing"


async def test_a_teams_reps_are_its_members(server, history):
    t = history.team
    reps = await ok(server, t.viewer, "GET", history.path("insights/reps"), params={**JANUARY, "team": history.field})
    assert sorted((r["owner_name"], r["won"], r["lost"]) for r in reps["reps"]) == [
        ("Mia Member", 1, 0), ("Owner", 1, 1)]


async def drill(server: InProcessServer, history: History, goal: dict[str, Any]) -> tuple[list[str], int]:
    """The deals behind a goal, asked with the query its ``deals`` names."""
    query = {k: v for k, v in goal["deals"].items() if v is not None}
    found = await ok(server, history.team.viewer, "GET", history.path("insights/deals"),
                     params={**query, "tz": "Europe/Berlin"})
    return [d["title"] for d in found["deals"]], found["total"]


async def test_a_team_goals_drill_down_lists_the_deals_behind_its_actual(server, history):
    t, goals = history.team, history.path("goals")
    made = [await ok(server, t.owner, "POST", goals, json={"starts_on": "2026-01-01", **body}) for body in (
        {"metric": "deals_won_count", "target": 4, "team_id": history.field},
        {"metric": "deals_added", "target": 5, "team_id": history.field},
        {"metric": "deals_won_value", "target": 5000, "user_id": t.member.id},
        {"metric": "activities_done", "target": 3, "team_id": history.field})]
    try:
        async def read(on: str) -> list[dict[str, Any]]:
            found = {g["id"]: g for g in (await ok(server, t.viewer, "GET", goals,
                                                   params={"tz": "Europe/Berlin", "on": on}))["goals"]}
            return [found[g["id"]] for g in made]

        won, added, mine, activities = await read("2026-01-31")
        assert won["deals"] == {"figure": "won", "from": "2026-01-01", "to": "2026-01-31", "owner": None,
                                "team": history.field}
        assert (won["attainment"]["actual"], await drill(server, history, won)) == (2.0, (["T1", "T2"], 2)), \
            "T3 is Vic's: not the team's"
        assert (added["attainment"]["actual"], await drill(server, history, added)) == (3.0, (["T1", "T2", "T4"], 3))
        assert (mine["attainment"]["actual"], await drill(server, history, mine)) == (1000.0, (["T1"], 1))
        assert activities["deals"] is None, "no deals behind activities done"
        won, _, _, _ = await read("2026-01-15")
        assert (won["deals"]["to"], won["attainment"]["actual"], await drill(server, history, won)) == (
            "2026-01-15", 1.0, (["T1"], 1)), "to the end of the day read: T2 was won on the 20th"
    finally:
        for goal in made:
            await ok(server, t.owner, "DELETE", f"{goals}/{goal['id']}")
