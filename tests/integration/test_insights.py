"""Insights over a generated history with hand-computed answers (issue 19): the funnel, lost reasons,
reps, forecast, drill-down and goals, in Berlin time and in UTC, per currency and converted; and
only members of the workspace read any of it.

The history is written straight into the projection tables (rows with chosen times; nothing edits
the board afterwards, so no projection rewrites them). Stages of the seeded pipeline:
L Lead in (10 %, rots after 14 days), Q Qualified (25 %, 14), P Proposal made (50 %, 10),
N Negotiation (75 %, 7), W Won, X Lost. The workspace counts in EUR; 1 USD = 0.9 EUR.

    D1 Mia  1000 EUR  L 01-02 10:00, Q 01-05 10:00, P 01-09 10:00, W 01-10 10:00 (won); 2 activities done
    D2 Mia   500 USD  L 01-03, Q 01-04; lost 01-20 "Price" (a listed reason), stays in Q
    D3 Own  2000 EUR  L 01-10, Q 01-12, X 01-15; lost 01-15 "we went dark" (free text: other)
    D4 Own   300 EUR  L 01-20, W 01-31 23:30 UTC (won): February 1st in Berlin
    D5 Mia   800 EUR  L 2025-12-20, Q 01-06; open, expected to close 01-25
    D6 Own   400 EUR  added 2025-12-01 12:00, won 2025-12-15 12:00 (the previous period)
    D7 Own  1000 USD  N 2025-11-01; open, expected 02-28, own probability 40, forecast category commit
    D8 Mia   200 EUR  L 2025-11-02; open, expected 03-10, forecast category omitted
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import pytest

from tests.support.accounts import AUTH, Account, Team, add_guest, create_board, create_workspace, sign_up, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for

BERLIN = {"from": "2026-01-01", "to": "2026-01-31", "tz": "Europe/Berlin"}
UTC = {**BERLIN, "tz": "UTC"}


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


class History(NamedTuple):
    team: Team
    stages: dict[str, UUID]  # L Q P N W X
    deals: dict[str, UUID]  # D1..D8 -> card id

    def path(self, figure: str) -> str:
        return f"/api/workspaces/{self.team.workspace}/{figure}"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text if "T" in text else text + "T00:00").replace(tzinfo=timezone.utc)


DEALS: dict[str, dict[str, Any]] = {
    "D1": {"owner": "member", "value": 1000, "currency": "EUR", "status": "won",
           "visits": [("L", "2026-01-02T10:00"), ("Q", "2026-01-05T10:00"), ("P", "2026-01-09T10:00"),
                      ("W", "2026-01-10T10:00")], "closed": "2026-01-10T10:00"},
    "D2": {"owner": "member", "value": 500, "currency": "USD", "status": "lost", "reason": "Price",
           "visits": [("L", "2026-01-03"), ("Q", "2026-01-04")], "closed": "2026-01-20"},
    "D3": {"owner": "owner", "value": 2000, "currency": "EUR", "status": "lost", "reason": "we went dark",
           "visits": [("L", "2026-01-10"), ("Q", "2026-01-12"), ("X", "2026-01-15")], "closed": "2026-01-15"},
    "D4": {"owner": "owner", "value": 300, "currency": "EUR", "status": "won",
           "visits": [("L", "2026-01-20"), ("W", "2026-01-31T23:30")], "closed": "2026-01-31T23:30"},
    "D5": {"owner": "member", "value": 800, "currency": "EUR", "status": "open", "close": "2026-01-25",
           "visits": [("L", "2025-12-20"), ("Q", "2026-01-06")]},
    "D6": {"owner": "owner", "value": 400, "currency": "EUR", "status": "won",
           "visits": [("L", "2025-12-01T12:00"), ("W", "2025-12-15T12:00")], "closed": "2025-12-15T12:00"},
    "D7": {"owner": "owner", "value": 1000, "currency": "USD", "status": "open", "close": "2026-02-28",
           "fields": {"probability": 40, "forecast_category": "commit"}, "visits": [("N", "2025-11-01")]},
    "D8": {"owner": "member", "value": 200, "currency": "EUR", "status": "open", "close": "2026-03-10",
           "fields": {"forecast_category": "omitted"}, "visits": [("L", "2025-11-02")]},
}


async def write_history(conn: asyncpg.Connection, t: Team) -> History:
    board, workspace = UUID(t.board["id"]), UUID(t.workspace)
    rows = await conn.fetch("SELECT stage_id FROM board_stages WHERE board_id = $1 ORDER BY position", board)
    stages = dict(zip("LQPNWX", (r["stage_id"] for r in rows), strict=True))
    people = {"member": UUID(t.member.id), "owner": UUID(t.owner.id)}
    cards = {name: uuid4() for name in DEALS}
    for name, deal in DEALS.items():
        card, visits = cards[name], deal["visits"]
        await conn.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, expected_close,"
            " status, lost_reason, fields, stage_id, rank, created_at, moved_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'a', $13, $14)",
            board, card, workspace, name, deal["value"], deal["currency"], people[deal["owner"]],
            at(deal["close"]).date() if "close" in deal else None, deal["status"], deal.get("reason"),
            json.dumps(deal.get("fields", {})), stages[visits[-1][0]], at(visits[0][1]), at(visits[-1][1]))
        previous = None
        for i, (stage, when) in enumerate(visits):
            await conn.execute(
                "INSERT INTO card_events (board_id, card_id, kind, at, from_stage, to_stage, new_value, currency)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", board, card, "moved" if i else "created", at(when),
                previous, stages[stage], None if i else deal["value"], deal["currency"])
            previous = stages[stage]
        if "closed" in deal:
            await conn.execute(
                "INSERT INTO card_events (board_id, card_id, kind, at, old_status, new_status)"
                " VALUES ($1, $2, 'status', $3, 'open', $4)", board, card, at(deal["closed"]), deal["status"])
    for kind, done in (("call", "2026-01-08T09:00"), ("email", "2026-01-09T09:00")):
        await conn.execute(
            "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, assignee_id, done, done_at,"
            " card_id) VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8)",
            board, uuid4(), workspace, kind, f"{kind} with D1", people["member"], at(done), cards["D1"])
    return History(t, stages, cards)


@pytest.fixture(scope="module")
async def history(server: InProcessServer, database_url: str) -> History:
    t = await team(server.http_url)
    await ok(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency",
             json={"currency": "EUR", "rates": {"USD": 0.9}})
    await ok(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/lists", json={"lost_reasons": ["Price", "Timing"]})
    conn = await asyncpg.connect(database_url)
    try:
        return await write_history(conn, t)
    finally:
        await conn.close()


def by_stage(funnel: dict[str, Any], *columns: str) -> dict[str, tuple]:
    return {s["stage_name"]: tuple(s[c] for c in columns) for s in funnel["stages"]}


async def test_the_funnel_counts_entered_advanced_lost_drop_off_days_and_stuck_deals(server, history):
    funnel = await ok(server, history.team.viewer, "GET", history.path("insights/funnel"), params=BERLIN)
    assert by_stage(funnel, "entered", "advanced", "lost", "conversion", "drop_off", "median_days", "stuck") == {
        "Lead in": (4, 4, 0, 1.0, 0.0, 2.5, 1),
        "Qualified": (4, 1, 2, 0.25, 0.75, 3.5, 1),
        "Proposal made": (1, 1, 0, 1.0, 0.0, 1.0, 0),
        "Negotiation": (0, 0, 0, None, None, None, 1),
        "Won": (1, None, None, None, None, None, 0),
        "Lost": (1, None, None, None, None, None, 0),
    }, "Won and Lost show who reached them, never a conversion of 1.0 or 0.0"
    assert [s["board_name"] for s in funnel["stages"]] == ["Deals"] * 6
    assert (funnel["from"], funnel["to"], funnel["tz"]) == ("2026-01-01", "2026-01-31", "Europe/Berlin")


async def test_the_funnel_of_one_owner_and_in_utc(server, history):
    t = history.team
    mine = await ok(server, t.member, "GET", history.path("insights/funnel"), params={**BERLIN, "owner": "me"})
    assert by_stage(mine, "entered", "advanced", "lost", "median_days")["Qualified"] == (3, 1, 1, 4.0)
    assert mine["owner_name"] == "Mia Member"
    utc = await ok(server, t.member, "GET", history.path("insights/funnel"), params=UTC)
    assert by_stage(utc, "entered")["Won"] == (2,), "D4 reached Won at 23:30 UTC on 31 January"


async def test_lost_reasons_group_free_text_as_other_per_currency_or_converted(server, history):
    path = history.path("insights/lost-reasons")
    apart = await ok(server, history.team.member, "GET", path, params=BERLIN)
    assert [(r["reason"], r["kind"], r["deals"], r["value"]) for r in apart["reasons"]] == [
        ("Price", "listed", 1, {"USD": 500.0}), (None, "other", 1, {"EUR": 2000.0})]
    assert apart["listed"] == ["Price", "Timing"] and apart["deals"] == 2
    converted = await ok(server, history.team.member, "GET", path, params={**BERLIN, "currency": "converted"})
    assert [r["value"] for r in converted["reasons"]] == [{"EUR": 450.0}, {"EUR": 2000.0}]


async def test_reps_win_rate_average_cycle_touches_and_the_previous_period(server, history):
    reps = await ok(server, history.team.viewer, "GET", history.path("insights/reps"), params=BERLIN)
    rows = {r["owner_name"]: r for r in reps["reps"]}
    mia, own = rows["Mia Member"], rows["Owner"]
    assert (mia["won"], mia["lost"], mia["win_rate"], mia["average_won"], mia["median_cycle_days"]) == (
        1, 1, 0.5, {"EUR": 1000.0}, 8.0)
    assert (mia["touches_per_won"], mia["emails_per_won"]) == (2.0, 1.0)
    assert (own["won"], own["lost"], own["win_rate"], own["touches_per_won"]) == (0, 1, 0.0, None)
    assert (reps["previous_from"], reps["previous_to"]) == ("2025-12-01", "2025-12-31")
    assert (own["previous"]["won"], own["previous"]["win_rate"], own["previous"]["median_cycle_days"]) == (1, 1.0, 14.0)
    utc = {r["owner_name"]: r for r in (await ok(server, history.team.viewer, "GET", history.path("insights/reps"),
                                                 params=UTC))["reps"]}
    assert (utc["Owner"]["won"], utc["Owner"]["win_rate"], utc["Owner"]["median_cycle_days"]) == (1, 0.5, 11.98)


async def test_the_forecast_per_month_weighted_best_case_commit_and_closed_won(server, history):
    params = {"from": "2026-01-01", "to": "2026-03-31", "tz": "Europe/Berlin", "period": "month"}
    forecast = await ok(server, history.team.member, "GET", history.path("insights/forecast"), params=params)
    got = [(p["label"], p["open_deals"], p["value"], p["weighted"], p["best_case"], p["commit"], p["won_deals"],
            p["closed_won"]) for p in forecast["periods"]]
    assert got == [
        ("2026-01", 1, {"EUR": 800.0}, {"EUR": 200.0}, {"EUR": 800.0}, {}, 1, {"EUR": 1000.0}),
        ("2026-02", 1, {"USD": 1000.0}, {"USD": 400.0}, {"USD": 1000.0}, {"USD": 1000.0}, 1, {"EUR": 300.0}),
        ("2026-03", 1, {"EUR": 200.0}, {"EUR": 20.0}, {}, {}, 0, {}),
    ], "D7 is weighted by its own 40 %, D8 is omitted from best case, D4 was won in February in Berlin"
    converted = await ok(server, history.team.member, "GET", history.path("insights/forecast"),
                         params={**params, "currency": "converted", "period": "quarter"})
    assert [(p["label"], p["weighted"], p["closed_won"]) for p in converted["periods"]] == [
        ("2026-Q1", {"EUR": 580.0}, {"EUR": 1300.0})]


async def test_the_deals_behind_a_figure(server, history):
    async def titles(**params: str) -> list[str]:
        found = await ok(server, history.team.viewer, "GET", history.path("insights/deals"),
                         params={**BERLIN, **params})
        return sorted(d["title"] for d in found["deals"])

    qualified = str(history.stages["Q"])
    assert await titles(figure="lost_from_stage", stage=qualified) == ["D2", "D3"]
    assert await titles(figure="entered", stage=qualified) == ["D1", "D2", "D3", "D5"]
    assert await titles(figure="won") == ["D1"]
    assert await titles(figure="won", tz="UTC") == ["D1", "D4"]
    assert await titles(figure="lost", reason="other") == ["D3"]
    assert await titles(figure="lost", reason="Price") == ["D2"]
    assert await titles(figure="open", **{"from": "2026-02-01", "to": "2026-02-28"}) == ["D7"]
    assert await titles(figure="stuck") == ["D5", "D7", "D8"]
    stuck = await ok(server, history.team.viewer, "GET", history.path("insights/deals"), params={"figure": "stuck"})
    assert [(d["title"], d["value"]) for d in stuck["deals"]] == [("D7", 1000), ("D5", 800), ("D8", 200)]
    assert stuck["total"] == 3, "the largest first"
    one = (await ok(server, history.team.viewer, "GET", history.path("insights/deals"),
                    params={**BERLIN, "figure": "won"}))["deals"][0]
    assert (one["owner_name"], one["stage_name"], one["board_name"]) == ("Mia Member", "Won", "Deals")


async def test_goals_attainment_projection_and_likelihood(server, history):
    t = history.team
    goals = history.path("goals")
    made = [await ok(server, t.owner, "POST", goals, json=body) for body in (
        {"metric": "deals_won_value", "period": "month", "target": 1500, "starts_on": "2026-01-01"},
        {"metric": "deals_won_count", "target": 2, "user_id": t.member.id, "starts_on": "2026-01-01"},
        {"metric": "activities_done", "target": 4, "user_id": t.member.id, "starts_on": "2026-01-01"})]
    read = await ok(server, t.viewer, "GET", goals, params={"tz": "Europe/Berlin", "on": "2026-01-16"})
    found = {g["id"]: g for g in read["goals"]}
    value, count, activities = (found[g["id"]]["attainment"] for g in made)
    assert (value["actual"], value["attainment"], value["projected"], value["open_weighted"],
            value["open_best_case"], value["likelihood"]) == (1000.0, 0.6667, 1937.5, 200.0, 800.0, "possible")
    assert (count["actual"], count["projected"], count["open_weighted"], count["likelihood"]) == (
        1.0, 1.94, 0.25, "possible")
    assert (activities["actual"], activities["projected"], activities["likelihood"]) == (2.0, 3.88, "unlikely")
    assert (value["days_elapsed"], value["days_in_period"], value["period_end"]) == (16, 31, "2026-01-31")
    assert found[made[1]["id"]]["user_name"] == "Mia Member"
    changed = await ok(server, t.owner, "PATCH", f"{goals}/{made[0]['id']}",
                       json={"metric": "deals_won_value", "target": 900, "starts_on": "2026-01-01"})
    assert changed["target"] == 900.0
    after = await ok(server, t.viewer, "GET", goals, params={"tz": "Europe/Berlin", "on": "2026-01-16"})
    assert [g["attainment"]["likelihood"] for g in after["goals"] if g["id"] == made[0]["id"]] == ["reached"]
    await ok(server, t.owner, "DELETE", f"{goals}/{made[2]['id']}")
    assert made[2]["id"] not in {g["id"] for g in (await ok(server, t.viewer, "GET", goals))["goals"]}


async def test_only_owners_and_admins_set_goals_and_targets_are_checked(server, history):
    t, goals = history.team, history.path("goals")
    body = {"metric": "deals_added", "target": 10}
    assert (await call(server, t.member, "POST", goals, json=body)).status_code == 403
    assert (await call(server, t.viewer, "POST", goals, json=body)).status_code == 403
    fraction = await call(server, t.owner, "POST", goals, json={"metric": "deals_added", "target": 2.5})
    assert fraction.status_code == 400 and "target" in fraction.text
    stranger = await call(server, t.owner, "POST", goals, json={**body, "user_id": str(uuid4())})
    assert stranger.status_code == 400 and "user_id" in stranger.text


async def test_bad_filters_are_refused_naming_the_field(server, history):
    path = history.path("insights/funnel")
    for params, field in (({"tz": "Mars/Olympus"}, "tz"), ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
                          ({"owner": "nobody"}, "owner")):
        answer = await call(server, history.team.member, "GET", path, params=params)
        assert answer.status_code == 400 and field in answer.text, answer.text


async def test_every_table_exports_as_csv(server, history):
    t = history.team
    answer = await call(server, t.viewer, "GET", history.path("insights/export/funnel.csv"), params=BERLIN)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["stage_name"], r["entered"]) for r in rows][:2] == [("Lead in", "4"), ("Qualified", "4")]
    reps = list(csv.DictReader(io.StringIO((await call(server, t.viewer, "GET",
                                                       history.path("insights/export/reps.csv"),
                                                       params=BERLIN)).text)))
    assert {r["owner_name"]: r["previous_won"] for r in reps} == {"Mia Member": "0", "Owner": "1"}
    for table in ("lost-reasons", "forecast", "goals"):
        assert (await call(server, t.viewer, "GET", history.path(f"insights/export/{table}.csv"))).status_code == 200
    won = await call(server, t.viewer, "GET", history.path("insights/export/deals.csv"), params={**BERLIN, "figure": "won"})
    assert [r["title"] for r in csv.DictReader(io.StringIO(won.text))] == ["D1"]
    assert (await call(server, t.viewer, "GET", history.path("insights/export/secrets.csv"))).status_code == 404


async def test_only_members_read_insights_and_only_of_their_workspace(server, history):
    t = history.team
    guest = await add_guest(server.http_url, t.owner, t.board, "read")
    outsider = await sign_up(server.http_url, "Outsider")
    elsewhere = await create_workspace(server.http_url, outsider, "Elsewhere")
    theirs = await create_board(server.http_url, outsider, elsewhere, "Their deals")
    for who in (guest, outsider):
        for figure in ("insights/funnel", "insights/reps", "goals"):
            assert (await call(server, who, "GET", history.path(figure))).status_code == 404
    foreign = await call(server, t.member, "GET", history.path("insights/funnel"), params={"board": theirs["id"]})
    assert foreign.status_code == 404, "a board of another workspace is not one of this one's pipelines"
    own = await ok(server, outsider, "GET", f"/api/workspaces/{elsewhere}/insights/funnel", params=BERLIN)
    assert sum(s["entered"] for s in own["stages"]) == 0, "nothing of Acme's history shows elsewhere"


async def test_stage_visits_follow_the_log_even_when_history_arrives_out_of_order(server, history, db):
    """A rebuild adds missing events late (reconciled): the card's visits are recomputed from its whole log."""
    board, card, (lead, qualified, proposal) = UUID(history.team.board["id"]), uuid4(), (
        history.stages["L"], history.stages["Q"], history.stages["P"])
    insert = ("INSERT INTO card_events (board_id, card_id, kind, at, from_stage, to_stage, reconciled)"
              " VALUES ($1, $2, $3, $4, $5, $6, $7)")
    await db.execute(insert, board, card, "moved", at("2026-03-05"), qualified, lead, False)
    await db.execute(insert, board, card, "created", at("2026-03-01"), None, lead, True)
    await db.execute(insert, board, card, "moved", at("2026-03-02"), lead, qualified, True)
    await db.execute(insert, board, card, "moved", at("2026-03-09"), lead, proposal, False)
    rows = await db.fetch("SELECT stage_id, entered_at, left_at, later_stages, prior_visit_at, next_visit_at"
                          " FROM stage_visits WHERE board_id = $1 AND card_id = $2 ORDER BY entered_at", board, card)
    assert [(r["stage_id"], r["entered_at"], r["left_at"], r["later_stages"], r["prior_visit_at"], r["next_visit_at"])
            for r in rows] == [
        (lead, at("2026-03-01"), at("2026-03-02"), [qualified, lead, proposal], None, at("2026-03-05")),
        (qualified, at("2026-03-02"), at("2026-03-05"), [lead, proposal], None, None),
        (lead, at("2026-03-05"), at("2026-03-09"), [proposal], at("2026-03-01"), None),
        (proposal, at("2026-03-09"), None, [], None, None)]


async def test_deals_moved_through_the_api_reach_the_funnel_through_the_projection(server):
    """The stage-visit rollup follows the events the projection records: no hand-written rows here."""
    t = await team(server.http_url)
    board = t.board["id"]
    stages = {s["stage_name"]: s["stage"] for s in
              (await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/funnel"))["stages"]}
    made = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Globex", "value": 900})
    await ok(server, t.owner, "POST", f"/api/boards/{board}/cards/{made['id']}/move", json={"stage": stages["Qualified"]})
    await ok(server, t.owner, "POST", f"/api/boards/{board}/cards/{made['id']}/status", json={"status": "won"})
    await projected(server)
    funnel = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/insights/funnel")
    assert by_stage(funnel, "entered", "advanced")["Lead in"] == (1, 1)
    assert by_stage(funnel, "entered", "advanced")["Qualified"] == (1, 1), "won counts as advanced"
    won = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/insights/deals", params={"figure": "won"})
    assert [(d["title"], d["owner_name"]) for d in won["deals"]] == [("Globex", None)]


async def test_stage_visits_carry_their_deals_status_and_owner_and_go_with_the_deal(server, history, db):
    board, card, lead = UUID(history.team.board["id"]), uuid4(), history.stages["L"]
    await db.execute("INSERT INTO card_events (board_id, card_id, kind, at, to_stage) VALUES ($1, $2, 'created', $3, $4)",
                     board, card, at("2026-04-01"), lead)
    visit = "SELECT status, owner_id FROM stage_visits WHERE board_id = $1 AND card_id = $2"
    assert [tuple(r) for r in await db.fetch(visit, board, card)] == [(None, None)], "no deal row yet"
    await db.execute("INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank)"
                     " VALUES ($1, $2, $3, 'late row', 'open', $4, 'a')", board, card, UUID(history.team.workspace), lead)
    assert [tuple(r) for r in await db.fetch(visit, board, card)] == [("open", None)]
    owner = UUID(history.team.member.id)
    await db.execute("UPDATE deals SET status = 'won', owner_id = $3 WHERE board_id = $1 AND card_id = $2",
                     board, card, owner)
    assert [tuple(r) for r in await db.fetch(visit, board, card)] == [("won", owner)]
    await db.execute("DELETE FROM deals WHERE board_id = $1 AND card_id = $2", board, card)
    assert await db.fetch(visit, board, card) == []
