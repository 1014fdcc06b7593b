"""Forecast history over a generated history with hand-computed answers (issue 19 items 2 and 3):
weekly snapshots across a week boundary in Berlin, what changed since one (slipped, pulled in,
added, lost, won, value changed, with totals), close-date pushes, a deal's own probability and
forecast category through the API and the projection, and teams with their goals.

Deals of the seeded pipeline (stages L 10 %, Q 25 %, P 50 %, N 75 %), written straight into the
projection tables, as the snapshot of the week of 2026-02-23 saw them and as they are after:

    A Mia   1000 EUR  Q  close 03-10 -> 04-15 -> 05-01 (slipped; pushed twice)
    B Own    500 EUR  L  close 04-20 -> 03-25 (pulled in; moved earlier: no push)
    C Mia    300 EUR  L  not there yet; added with close 03-15 (added)
    D Vic    800 EUR  P  close 03-05; lost (lost)
    E Mia    200 EUR  L  close 03-20; value 350 (value changed, +150)
    F Mia    700 USD  N  close 03-28; won (won)
    G Own    400 EUR  Q  close 03-12, own probability 60, category commit (unchanged)
    H Own    100 EUR  L  close 03-18 -> 03-30 (still in March: pushed once, no change)

The period is March 2026 in Berlin: before, A D E F G H (EUR 2500, USD 700); now B C E G H (EUR 1650).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.services.forecast import take_snapshots
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from tests.support.accounts import AUTH, Team, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for

MARCH = {"from": "2026-03-01", "to": "2026-03-31", "tz": "Europe/Berlin"}
SUNDAY_LATE = datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc)  # Sunday 23:30 in Berlin: the week of 02-23
MONDAY_EARLY = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)  # Monday 00:30 in Berlin: the week of 03-02

DEALS: dict[str, dict[str, Any]] = {
    "A": {"owner": "member", "value": 1000, "stage": "Q", "close": "2026-03-10", "created": "2026-03-02"},
    "B": {"owner": "owner", "value": 500, "stage": "L", "close": "2026-04-20", "created": "2026-03-03"},
    "D": {"owner": "viewer", "value": 800, "stage": "P", "close": "2026-03-05", "created": "2026-03-05"},
    "E": {"owner": "member", "value": 200, "stage": "L", "close": "2026-03-20", "created": "2026-02-10"},
    "F": {"owner": "member", "value": 700, "currency": "USD", "stage": "N", "close": "2026-03-28",
          "created": "2026-02-10"},
    "G": {"owner": "owner", "value": 400, "stage": "Q", "close": "2026-03-12", "created": "2026-02-10",
          "probability": 60, "category": "commit"},
    "H": {"owner": "owner", "value": 100, "stage": "L", "close": "2026-03-18", "created": "2026-02-10"},
}


class History(NamedTuple):
    team: Team
    board: UUID
    stages: dict[str, UUID]
    cards: dict[str, UUID]

    def path(self, figure: str) -> str:
        return f"/api/workspaces/{self.team.workspace}/{figure}"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def day(text: str) -> date:
    return date.fromisoformat(text)


async def insert(conn: asyncpg.Connection, h: History, name: str, deal: dict[str, Any], people: dict[str, UUID]) -> None:
    created = datetime.fromisoformat(deal["created"] + "T09:00").replace(tzinfo=timezone.utc)
    await conn.execute(
        "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, expected_close,"
        " status, stage_id, rank, created_at, moved_at, probability, forecast_category)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, 'a', $10, $10, $11, $12)",
        h.board, h.cards[name], UUID(h.team.workspace), name, deal["value"], deal.get("currency", "EUR"),
        people[deal["owner"]], day(deal["close"]), h.stages[deal["stage"]], created, deal.get("probability"),
        deal.get("category"))


@pytest.fixture(scope="module")
async def history(server: InProcessServer, database_url: str) -> History:
    t = await team(server.http_url)
    people = {"member": UUID(t.member.id), "owner": UUID(t.owner.id), "viewer": UUID(t.viewer.id)}
    conn = await asyncpg.connect(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        board = UUID(t.board["id"])
        rows = await conn.fetch("SELECT stage_id FROM board_stages WHERE board_id = $1 ORDER BY position", board)
        h = History(t, board, dict(zip("LQPNWX", (r["stage_id"] for r in rows), strict=True)),
                    {name: uuid4() for name in "ABCDEFGH"})
        for name, deal in DEALS.items():
            await insert(conn, h, name, deal, people)
        reads, snapshots = PostgresForecastReads(pool), PostgresForecastSnapshots(pool)
        assert await take_snapshots(reads, snapshots, SUNDAY_LATE, "Europe/Berlin") >= 1
        assert await take_snapshots(reads, snapshots, SUNDAY_LATE, "Europe/Berlin") == 0, "once per week"
        # what happens after the snapshot of the week of 02-23
        deal = "UPDATE deals SET {} WHERE board_id = $1 AND card_id = $2"
        for name, change in (("A", "expected_close = '2026-04-15'"), ("A", "expected_close = '2026-05-01'"),
                             ("B", "expected_close = '2026-03-25'"), ("D", "status = 'lost'"),
                             ("E", "value = 350"), ("F", "status = 'won'"), ("H", "expected_close = '2026-03-30'")):
            await conn.execute(deal.format(change), board, h.cards[name])
        await insert(conn, h, "C", {"owner": "member", "value": 300, "stage": "L", "close": "2026-03-15",
                                    "created": "2026-03-04"}, people)
        assert await take_snapshots(reads, snapshots, MONDAY_EARLY, "Europe/Berlin") >= 1, "a new week in Berlin"
        return h
    finally:
        await conn.close()
        await pool.close()


async def test_a_snapshot_is_taken_once_per_week_of_berlin_with_each_open_deals_forecast(server, history, db):
    weeks = await db.fetch("SELECT week, deals FROM forecast_snapshot_weeks WHERE workspace_id = $1 ORDER BY week",
                           UUID(history.team.workspace))
    assert [(r["week"], r["deals"]) for r in weeks] == [(date(2026, 2, 23), 7), (date(2026, 3, 2), 6)]
    rows = await db.fetch("SELECT title, value, currency, expected_close, probability, category FROM forecast_snapshots"
                          " WHERE workspace_id = $1 AND week = '2026-02-23' ORDER BY title", UUID(history.team.workspace))
    assert [tuple(r) for r in rows] == [
        ("A", 1000.0, "EUR", date(2026, 3, 10), 25.0, "pipeline"), ("B", 500.0, "EUR", date(2026, 4, 20), 10.0, "pipeline"),
        ("D", 800.0, "EUR", date(2026, 3, 5), 50.0, "pipeline"), ("E", 200.0, "EUR", date(2026, 3, 20), 10.0, "pipeline"),
        ("F", 700.0, "USD", date(2026, 3, 28), 75.0, "pipeline"), ("G", 400.0, "EUR", date(2026, 3, 12), 60.0, "commit"),
        ("H", 100.0, "EUR", date(2026, 3, 18), 10.0, "pipeline")]
    later = await db.fetch("SELECT title FROM forecast_snapshots WHERE workspace_id = $1 AND week = '2026-03-02'"
                           " ORDER BY title", UUID(history.team.workspace))
    assert [r["title"] for r in later] == ["A", "B", "C", "E", "G", "H"], "won and lost deals are not open"


async def test_what_changed_since_a_week_slipped_pulled_in_added_lost_won_and_value_changed(server, history):
    found = await ok(server, history.team.viewer, "GET", history.path("insights/forecast/changes"),
                     params={**MARCH, "week": "2026-02-25"})
    assert (found["week"], found["weeks"]) == ("2026-02-23", ["2026-03-02", "2026-02-23"])
    assert {kind: (t["deals"], t["value"]) for kind, t in found["totals"].items()} == {
        "slipped": (1, {"EUR": -1000.0}), "pulled_in": (1, {"EUR": 500.0}), "added": (1, {"EUR": 300.0}),
        "lost": (1, {"EUR": -800.0}), "won": (1, {"USD": -700.0}), "removed": (0, {}),
        "value_changed": (1, {"EUR": 150.0})}
    assert (found["before"], found["now"]) == ({"deals": 6, "value": {"EUR": 2500.0, "USD": 700.0}},
                                               {"deals": 5, "value": {"EUR": 1650.0}})
    rows = [(d["kind"], d["title"], d["close_before"], d["close_now"], d["pushes"]) for d in found["deals"]]
    assert rows == [("slipped", "A", "2026-03-10", "2026-05-01", 2), ("pulled_in", "B", "2026-04-20", "2026-03-25", 0),
                    ("added", "C", None, "2026-03-15", 0), ("lost", "D", "2026-03-05", "2026-03-05", 0),
                    ("won", "F", "2026-03-28", "2026-03-28", 0), ("value_changed", "E", "2026-03-20", "2026-03-20", 0)]
    slipped = found["deals"][0]
    assert (slipped["owner_name"], slipped["stage_name"], slipped["board_name"]) == ("Mia Member", "Qualified", "Deals")


async def test_the_default_is_the_latest_snapshot_before_this_week_and_owners_and_teams_filter(server, history):
    latest = await ok(server, history.team.member, "GET", history.path("insights/forecast/changes"), params=MARCH)
    assert latest["week"] == "2026-03-02"
    assert [d["kind"] for d in latest["deals"]] == [], "nothing changed since the week of 03-02"
    mine = await ok(server, history.team.member, "GET", history.path("insights/forecast/changes"),
                    params={**MARCH, "week": "2026-02-23", "owner": "me"})
    assert [d["title"] for d in mine["deals"]] == ["A", "C", "F", "E"]
    north = await ok(server, history.team.owner, "POST", history.path("teams"),
                     json={"name": "North", "members": [history.team.owner.id, history.team.viewer.id]})
    theirs = await ok(server, history.team.member, "GET", history.path("insights/forecast/changes"),
                      params={**MARCH, "week": "2026-02-23", "team": north["id"]})
    assert [d["title"] for d in theirs["deals"]] == ["B", "D"]
    assert theirs["totals"]["pulled_in"]["value"] == {"EUR": 500.0}
    await ok(server, history.team.owner, "DELETE", history.path(f"teams/{north['id']}"))
    missing = await call(server, history.team.member, "GET", history.path("insights/forecast/changes"),
                         params={**MARCH, "week": "2025-01-01"})
    assert missing.status_code == 404 and "2024-12-30" in missing.text


async def test_close_date_pushes_count_each_move_later(server, history):
    path = history.path("insights/close-pushes")
    for name, pushes in (("A", 2), ("B", 0), ("H", 1)):
        got = await ok(server, history.team.viewer, "GET", path, params={"board": str(history.board),
                                                                        "card": str(history.cards[name])})
        assert got["pushes"] == pushes, name


async def test_teams_goals_attain_the_sum_of_their_members(server, history):
    t = history.team
    north = await ok(server, t.owner, "POST", history.path("teams"), json={"name": "Field", "members": [t.member.id,
                                                                                                       t.owner.id]})
    assert [m["name"] for m in north["members"]] == ["Mia Member", "Owner"]
    goal = await ok(server, t.owner, "POST", history.path("goals"),
                    json={"metric": "deals_added", "target": 6, "team_id": north["id"], "starts_on": "2026-03-01"})
    read = await ok(server, t.viewer, "GET", history.path("goals"), params={"tz": "Europe/Berlin", "on": "2026-03-16"})
    mine = next(g for g in read["goals"] if g["id"] == goal["id"])
    assert (mine["team_name"], mine["attainment"]["actual"], mine["attainment"]["attainment"],
            mine["attainment"]["projected"], mine["attainment"]["likelihood"]) == ("Field", 3.0, 0.5, 5.81, "unlikely"), \
        "A and C (Mia) and B (Owner) were added in March; D is the viewer's, not the team's"
    both = await call(server, t.owner, "POST", history.path("goals"),
                      json={"metric": "deals_added", "target": 1, "team_id": north["id"], "user_id": t.member.id})
    assert both.status_code == 400 and "team_id" in both.text
    assert (await call(server, t.member, "POST", history.path("teams"), json={"name": "Mine"})).status_code == 403
    taken = await call(server, t.owner, "POST", history.path("teams"), json={"name": "Field"})
    assert taken.status_code == 400 and "name" in taken.text
    stranger = await call(server, t.owner, "POST", history.path("teams"), json={"name": "X", "members": [str(uuid4())]})
    assert stranger.status_code == 400 and "members" in stranger.text
    await ok(server, t.owner, "DELETE", history.path(f"teams/{north['id']}"))
    assert goal["id"] not in {g["id"] for g in (await ok(server, t.viewer, "GET", history.path("goals")))["goals"]}


async def test_a_deals_own_probability_and_category_go_through_the_api_and_projection(server):
    t = await team(server.http_url)
    board = t.board["id"]
    made = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards",
                    json={"title": "Initech", "value": 1000, "currency": "EUR", "expected_close": "2026-06-10",
                          "probability": 35, "forecast_category": "commit"})
    assert (made["probability"], made["forecast_category"]) == (35.0, "commit")
    card = f"/api/boards/{board}/cards/{made['id']}"
    await projected(server)  # pushes are counted between the projection's states
    for close in ("2026-06-20", "2026-06-15", "2026-07-01"):
        await ok(server, t.owner, "PATCH", card, json={"expected_close": close})
        await projected(server)
    forecast = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/insights/forecast",
                        params={"from": "2026-07-01", "to": "2026-07-31"})
    assert [(p["weighted"], p["commit"], p["commit_deals"]) for p in forecast["periods"]] == [
        ({"EUR": 350.0}, {"EUR": 1000.0}, 1)]
    pushes = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/insights/close-pushes",
                      params={"board": board, "card": made["id"]})
    assert pushes["pushes"] == 2, "06-10 -> 06-20 and 06-15 -> 07-01 moved later; 06-20 -> 06-15 did not"
    await ok(server, t.owner, "PATCH", card, json={"probability": None, "forecast_category": "omitted"})
    await projected(server)
    forecast = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/insights/forecast",
                        params={"from": "2026-07-01", "to": "2026-07-31"})
    assert [(p["weighted"], p["best_case"]) for p in forecast["periods"]] == [({"EUR": 100.0}, {})], \
        "back to the first stage's 10 %, and omitted from best case"
    for body in ({"probability": 101}, {"forecast_category": "maybe"}):
        bad = await call(server, t.owner, "PATCH", card, json=body)
        assert bad.status_code == 400 and next(iter(body)) in bad.text, bad.text


async def test_the_dashboards_team_filter_counts_its_members_deals(server, history):
    t = history.team
    mia = await ok(server, t.owner, "POST", history.path("teams"), json={"name": "Mia's", "members": [t.member.id]})
    both = await ok(server, t.owner, "POST", history.path("teams"), json={"name": "Both", "members": [t.member.id,
                                                                                                   t.owner.id]})
    try:
        async def march(team: dict[str, Any], **extra: str) -> tuple:
            found = await ok(server, t.viewer, "GET", history.path("insights/forecast"),
                             params={**MARCH, "team": team["id"], **extra})
            (period,) = found["periods"]
            return found["team_name"], period["open_deals"], period["value"], period["weighted"], period["commit"]

        assert await march(mia) == ("Mia's", 2, {"EUR": 650.0}, {"EUR": 65.0}, {}), "C and E, each at 10 %"
        assert await march(both) == ("Both", 5, {"EUR": 1650.0}, {"EUR": 365.0}, {"EUR": 400.0}), \
            "C E (Mia) and B G H (Owner): G at its own 60 %"
        assert (await march(both, owner=t.owner.id))[1:3] == (3, {"EUR": 1000.0}), "with an owner: that member only"
        assert (await march(mia, owner=t.owner.id))[1] == 0, "an owner outside the team: nothing"
        deals = await ok(server, t.viewer, "GET", history.path("insights/deals"),
                         params={**MARCH, "team": both["id"], "figure": "open"})
        assert ([d["title"] for d in deals["deals"]], deals["total"]) == (["B", "G", "E", "C", "H"], 5), "largest first"
        unknown = await call(server, t.viewer, "GET", history.path("insights/forecast"),
                             params={**MARCH, "team": str(uuid4())})
        assert unknown.status_code == 400 and "team" in unknown.text
    finally:
        for made in (mia, both):
            await ok(server, t.owner, "DELETE", history.path(f"teams/{made['id']}"))
