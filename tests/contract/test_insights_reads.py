"""The insights figures' port (``server.services.ports.insights.InsightsReads``), one contract over
Postgres (``PostgresInsightsReads``: SQL, the funnel through its rollups) and the memory twin
(``MemoryInsightsReads``: the same figures in Python), on one history written through the
projection port, with answers computed by hand. Period: January 2026 (UTC). Stages: L Lead in
(10 %, rots after 14 days), Q Qualified (25 %, 14), P Proposal (50 %, 10), W Won, X Lost.

    A Ann 1000 EUR  L 01-02, Q 01-05, back to L 01-07, Q 01-08, W 01-10; won 01-10; a call (logged
                    01-04) and an e-mail done on it (and a meeting to do)
    B Bob  500 USD  L 01-03, Q 01-04; lost 01-20 "Price" (listed)
    C Bob 2000 EUR  L 01-10, X 01-15; lost 01-15 "went dark" (free text: other)
    D Ann  300 EUR  L 2025-12-20, P 01-06; open, expected 02-10, probability field 40, category
                    commit; unmoved for 30 days (stuck: P rots after 10)
    E Ann  200 EUR  L 2025-11-02; open, expected 03-05, category omitted; moved yesterday
    F Bob  400 EUR  W 2025-12-01; won 12-15, reopened 01-05, won again 01-25 (won in January)
    G Ann  700 EUR  L 2025-12-01; won 01-12, reopened 02-03 (open now: not won in January)
    H Cat  800 EUR  L 01-12, Q 01-21; open, no expected close; moved yesterday

A team is a set of owners read at once: its counts are its members' added up, its medians the
median of all their deals (Ann and Cat: 3 days in Lead in, where Ann alone has 2 and Cat 9).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest

from server.domain.boards import Board, BoardKind
from server.domain.crm import CardEvent
from server.domain.insights import Scope
from server.domain.projection import ActivityRecord, DealRecord, StageRecord, Table
from server.storage.insights import PostgresInsightsReads
from server.storage.memory.crm import MemoryProjectionTables
from server.storage.memory.insights_reads import MemoryInsightsReads
from server.storage.projection import PostgresProjectionTables
from tests.support.units import backend

JANUARY = (datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 2, 1, tzinfo=timezone.utc))
STAGES = {"L": ("Lead in", 10.0, 14, "open"), "Q": ("Qualified", 25.0, 14, "open"),
          "P": ("Proposal", 50.0, 10, "open"), "W": ("Won", 100.0, 0, "won"), "X": ("Lost", 0.0, 0, "lost")}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "T12:00").replace(tzinfo=timezone.utc)


# name: owner, value, currency, status, reason, expected close, fields, visits, status changes, moved days ago
DEALS: dict[str, tuple] = {
    "A": ("ann", 1000.0, "EUR", "won", None, None, {},
          [("L", "2026-01-02"), ("Q", "2026-01-05"), ("L", "2026-01-07"), ("Q", "2026-01-08"), ("W", "2026-01-10")],
          [("won", "2026-01-10")], None),
    "B": ("bob", 500.0, "USD", "lost", "Price", None, {}, [("L", "2026-01-03"), ("Q", "2026-01-04")],
          [("lost", "2026-01-20")], None),
    "C": ("bob", 2000.0, "EUR", "lost", "went dark", None, {}, [("L", "2026-01-10"), ("X", "2026-01-15")],
          [("lost", "2026-01-15")], None),
    "D": ("ann", 300.0, "EUR", "open", None, date(2026, 2, 10), {"probability": 40, "forecast_category": "commit"},
          [("L", "2025-12-20"), ("P", "2026-01-06")], [], 30),
    "E": ("ann", 200.0, "EUR", "open", None, date(2026, 3, 5), {"forecast_category": "omitted"},
          [("L", "2025-11-02")], [], 1),
    "F": ("bob", 400.0, "EUR", "won", None, None, {}, [("W", "2025-12-01")],
          [("won", "2025-12-15"), ("open", "2026-01-05"), ("won", "2026-01-25")], None),
    "G": ("ann", 700.0, "EUR", "open", None, None, {}, [("L", "2025-12-01")],
          [("won", "2026-01-12"), ("open", "2026-02-03")], 2),
    "H": ("cat", 800.0, "EUR", "open", None, None, {}, [("L", "2026-01-12"), ("Q", "2026-01-21")], [], 1),
}


@pytest.fixture(params=["memory", "postgres"])
async def history(request, database_url) -> AsyncIterator[SimpleNamespace]:
    async with backend(request.param, database_url, lambda conn: None, lambda db: None) as (_, world):
        workspace = await world.workspace()
        people = {"ann": await world.user("Ann"), "bob": await world.user("Bob"), "cat": await world.user("Cat")}
        board = uuid4()
        stages = {key: uuid4() for key in STAGES}
        if world.pool is not None:
            await world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'Sales',"
                                     " 'pipeline')", board, workspace)
            conn = await world.pool.acquire()
            tables, reads = PostgresProjectionTables(conn), PostgresInsightsReads(world.pool)
        else:
            world.db.table("boards")[board] = Board(board, workspace, "Sales", BoardKind.PIPELINE,
                                                    datetime.now(timezone.utc), f"board:{board}")
            tables, reads = MemoryProjectionTables(world.db), MemoryInsightsReads(world.db)
        try:
            cards = await write(tables, board, workspace, stages, people)
        finally:
            if world.pool is not None:
                await world.pool.release(conn)

        async def activities(records: list[ActivityRecord], removed: tuple[UUID, ...] = ()) -> None:
            """Write activities through the projection port (and delete ``removed``)."""
            if world.pool is None:
                await tables.upsert(Table.ACTIVITIES, board, workspace, records)
                return await tables.delete(Table.ACTIVITIES, board, removed)
            async with world.pool.acquire() as each:
                await PostgresProjectionTables(each).upsert(Table.ACTIVITIES, board, workspace, records)
                await PostgresProjectionTables(each).delete(Table.ACTIVITIES, board, removed)

        yield SimpleNamespace(reads=reads, board=board, stages=stages, people=people, cards=cards,
                              activities=activities)


async def write(tables: Any, board: UUID, workspace: UUID, stages: dict[str, UUID],
                people: dict[str, UUID]) -> dict[str, UUID]:
    now = datetime.now(timezone.utc)
    await tables.upsert(Table.STAGES, board, workspace, [
        StageRecord(stages[key], name, f"a{n}", n, probability, rot, kind)
        for n, (key, (name, probability, rot, kind)) in enumerate(STAGES.items())])
    cards = {name: uuid4() for name in DEALS}
    deals, events = [], []
    for name, (owner, value, currency, status, reason, close, fields, visits, changes, idle) in DEALS.items():
        card = cards[name]
        deals.append(DealRecord(card, f"Deal {name}", value, currency, people[owner], None, None, close, status,
                                reason, [], fields, stages[visits[-1][0]], "a", at(visits[0][1]), None, None,
                                now - timedelta(days=idle) if idle else at(visits[-1][1])))
        previous = "open"
        for i, (stage, when) in enumerate(visits):
            events.append(CardEvent(card, "moved" if i else "created", at(when),
                                    from_stage=stages[visits[i - 1][0]] if i else None, to_stage=stages[stage]))
        for new, when in changes:
            events.append(CardEvent(card, "status", at(when), old_status=previous, new_status=new))
            previous = new
    await tables.upsert(Table.DEALS, board, workspace, deals)
    await tables.add_events(board, sorted(events, key=lambda e: e.at))
    await tables.upsert(Table.ACTIVITIES, board, workspace, [
        ActivityRecord(uuid4(), kind, kind, people["ann"], None, None, done, at(when) if done else None,
                       cards["A"], None, None, at(when), None)
        for kind, when, done in (("call", "2026-01-04", True), ("email", "2026-01-09", True),
                                 ("meeting", "2026-01-09", False))])
    return cards


def scope(h: SimpleNamespace, *owners: str) -> Scope:
    """January, for every owner or only for ``owners`` (one: a rep; several: a team)."""
    return Scope([h.board], *JANUARY, tuple(h.people[o] for o in owners) if owners else None)


def by(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, dict[str, Any]]:
    return {tuple(row[k] for k in keys): row for row in rows}


async def test_stages_come_in_column_order_with_the_boards_name(history):
    rows = await history.reads.stages([history.board])
    assert [(r["name"], r["kind"], r["position"], r["board_name"]) for r in rows] == [
        (name, kind, n, "Sales") for n, (name, _, _, kind) in enumerate(STAGES.values())]


async def test_the_funnel_counts_each_deal_once_per_stage_and_its_median_days(history):
    rows = by(await history.reads.funnel(scope(history)), "stage_id")
    s = history.stages
    figures = {key: (rows[(s[key],)]["entered"], rows[(s[key],)]["advanced"], rows[(s[key],)]["lost"],
                     rows[(s[key],)]["median_days"]) for key in "LQPWX"}
    # L: A (twice, once counted), B, C, H; A, B and H moved further on, C was lost from it; 3, 1, 1, 5, 9 days
    assert figures == {"L": (4, 3, 1, 3.0), "Q": (3, 1, 1, 2.0), "P": (1, 0, 0, None), "W": (1, 1, 0, None),
                       "X": (1, 0, 0, None)}
    ann = by(await history.reads.funnel(scope(history, "ann")), "stage_id")
    assert {k: ann[(s[k],)]["entered"] for k in "LQPW"} == {"L": 1, "Q": 1, "P": 1, "W": 1}
    assert (s["X"],) not in ann


async def test_stuck_deals_are_open_and_unmoved_past_their_stages_rotting_days(history):
    assert [(r["stage_id"], r["stuck"]) for r in await history.reads.stuck([history.board], None)] == [
        (history.stages["P"], 1)]
    assert await history.reads.stuck([history.board], (history.people["bob"],)) == []


async def test_lost_reasons_are_listed_other_or_none(history):
    rows = by(await history.reads.lost_reasons(scope(history), ["Price", "Timing"]), "reason", "currency")
    assert {k: (r["deals"], r["value"]) for k, r in rows.items()} == {("Price", "USD"): (1, 500.0),
                                                                     ("", "EUR"): (1, 2000.0)}
    assert await history.reads.lost_reasons(scope(history, "ann"), ["Price"]) == []


async def test_reps_count_the_deals_won_and_lost_in_the_period_with_touches_and_cycle(history):
    rows = by(await history.reads.reps(scope(history)), "owner_id", "currency", "overall")
    ann, bob = history.people["ann"], history.people["bob"]
    overall = {owner: (r["won"], r["lost"], r["won_value"], r["median_cycle_days"], r["touches"], r["emails"])
               for (owner, _, whole), r in rows.items() if whole}
    # A: added 01-02, won 01-10 (8 days), a call and an e-mail; F: added 2025-12-01, won again 01-25 (55 days)
    assert overall == {ann: (1, 0, 1000.0, 8.0, 2, 1), bob: (1, 2, 400.0, 55.0, 0, 0)}
    assert {(o, c): (r["won"], r["lost"], r["won_value"]) for (o, c, whole), r in rows.items() if not whole} == {
        (ann, "EUR"): (1, 0, 1000.0), (bob, "EUR"): (1, 1, 400.0), (bob, "USD"): (0, 1, None)}


async def test_won_by_period_and_the_open_pipeline_by_expected_close(history):
    won = await history.reads.won_by_period(scope(history), "month", "UTC")
    assert [(r["period"], r["currency"], r["deals"], r["value"]) for r in won] == [
        (date(2026, 1, 1), "EUR", 2, 1400.0)]
    rows = by(await history.reads.open_by_period([history.board], date(2026, 2, 1), date(2026, 4, 1), None, "month"),
              "period")
    figures = {p: (r["deals"], r["value"], r["weighted"], r["weighted_deals"], r["best_case"], r["best_case_deals"],
                   r["commit"], r["commit_deals"]) for (p,), r in rows.items()}
    assert figures[date(2026, 2, 1)] == (1, 300.0, pytest.approx(120.0), pytest.approx(0.4), 300.0, 1, 300.0, 1)
    assert figures[date(2026, 3, 1)] == (1, 200.0, pytest.approx(20.0), pytest.approx(0.1), None, 0, None, 0)
    quarter = await history.reads.open_by_period([history.board], date(2026, 1, 1), date(2026, 7, 1), None, "quarter")
    assert [(r["period"], r["deals"]) for r in quarter] == [(date(2026, 1, 1), 2)]


async def test_goal_counts_of_deals_added_and_activities_done(history):
    assert await history.reads.count("deals_added", scope(history)) == 4
    assert await history.reads.count("deals_added", scope(history, "bob")) == 2
    assert await history.reads.count("activities_done", scope(history)) == 2
    assert await history.reads.count("activities_done", scope(history, "bob")) == 0


async def test_the_deals_behind_each_figure_largest_first_with_names(history):
    c = history.cards

    async def titles(figure: str, **detail: Any) -> list[tuple[str, str | None, int]]:
        rows = await history.reads.deals(figure, scope(history), **detail)
        return [(r["title"], r["owner_name"], r["total"]) for r in rows]

    assert await titles("entered", stage=history.stages["L"]) == [("Deal C", "Bob", 4), ("Deal A", "Ann", 4),
                                                                  ("Deal H", "Cat", 4), ("Deal B", "Bob", 4)]
    assert await titles("advanced", stage=history.stages["L"]) == [("Deal A", "Ann", 3), ("Deal H", "Cat", 3),
                                                                   ("Deal B", "Bob", 3)]
    assert await titles("lost_from_stage", stage=history.stages["Q"]) == [("Deal B", "Bob", 1)]
    won = await history.reads.deals("won", scope(history))
    assert [(r["card_id"], r["closed_at"], r["stage_name"]) for r in won] == [
        (c["A"], at("2026-01-10"), "Won"), (c["F"], at("2026-01-25"), "Won")]
    assert await titles("lost", reason="", listed=["Price"]) == [("Deal C", "Bob", 1)]
    assert await titles("lost", reason="Price", listed=["Price"]) == [("Deal B", "Bob", 1)]
    assert await titles("lost", no_reason=True) == []
    assert await titles("open", first=date(2026, 2, 1), after=date(2026, 3, 1)) == [("Deal D", "Ann", 1)]
    assert await titles("stuck") == [("Deal D", "Ann", 1)]
    assert await titles("added") == [("Deal C", "Bob", 4), ("Deal A", "Ann", 4), ("Deal H", "Cat", 4),
                                     ("Deal B", "Bob", 4)]


def funnel_of(rows: list[dict[str, Any]], stages: dict[str, UUID]) -> dict[str, tuple]:
    named = {stage: key for key, stage in stages.items()}
    return {named[r["stage_id"]]: (r["entered"], r["advanced"], r["lost"], r["median_days"]) for r in rows}


async def test_a_teams_funnel_is_one_read_over_its_members_with_the_median_of_all_their_deals(history):
    # Ann and Cat: L visits of 3 and 1 days (A, entered once) and 9 (H); Q 2 and 2 (A), H not left yet
    assert funnel_of(await history.reads.funnel(scope(history, "ann", "cat")), history.stages) == {
        "L": (2, 2, 0, 3.0), "Q": (2, 1, 0, 2.0), "P": (1, 0, 0, None), "W": (1, 1, 0, None)}
    assert funnel_of(await history.reads.funnel(scope(history, "ann")), history.stages)["L"] == (1, 1, 0, 2.0)
    # Bob and Cat: L 1 (B), 5 (C, lost from it), 9 (H); B lost from Q; C went to Lost
    assert funnel_of(await history.reads.funnel(scope(history, "bob", "cat")), history.stages) == {
        "L": (3, 2, 1, 5.0), "Q": (2, 0, 1, None), "X": (1, 0, 0, None)}
    assert await history.reads.funnel(scope(history)._replace(owners=())) == [], "a team without members: nothing"


async def test_a_teams_closed_open_and_stuck_deals_are_its_members(history):
    ann_cat, bob_cat = scope(history, "ann", "cat"), scope(history, "bob", "cat")
    people = [history.people[o] for o in ("ann", "cat")]
    assert [(r["stage_id"], r["stuck"]) for r in await history.reads.stuck([history.board], people)] == [
        (history.stages["P"], 1)]
    assert await history.reads.stuck([history.board], [history.people["bob"], history.people["cat"]]) == []
    assert {(r["reason"], r["deals"]) for r in await history.reads.lost_reasons(bob_cat, ["Price"])} == {
        ("Price", 1), ("", 1)}
    assert await history.reads.lost_reasons(ann_cat, ["Price"]) == []
    reps = [(r["owner_id"], r["won"], r["lost"], r["won_value"], r["median_cycle_days"], r["touches"])
            for r in await history.reads.reps(ann_cat) if r["overall"]]
    assert reps == [(history.people["ann"], 1, 0, 1000.0, 8.0, 2)]
    won = await history.reads.won_by_period(bob_cat, "month", "UTC")
    assert [(r["period"], r["deals"], r["value"]) for r in won] == [(date(2026, 1, 1), 1, 400.0)], "F"
    opened = await history.reads.open_by_period([history.board], date(2026, 2, 1), date(2026, 4, 1), people, "month")
    assert sorted((r["period"], r["deals"], r["value"]) for r in opened) == [
        (date(2026, 2, 1), 1, 300.0), (date(2026, 3, 1), 1, 200.0)], "D and E"
    assert await history.reads.open_by_period([history.board], date(2026, 2, 1), date(2026, 4, 1),
                                              [history.people["cat"]], "month") == []
    assert [await history.reads.count(figure, team) for figure in ("deals_added", "activities_done")
            for team in (ann_cat, bob_cat)] == [2, 3, 2, 0], "A H; B C H; Ann's call and e-mail; none"


async def test_the_deals_behind_a_teams_figures_are_its_members_deals(history):
    async def titles(figure: str, *owners: str, **detail: Any) -> list[tuple[str, int]]:
        return [(r["title"], r["total"]) for r in await history.reads.deals(figure, scope(history, *owners), **detail)]

    assert await titles("entered", "bob", "cat", stage=history.stages["L"]) == [
        ("Deal C", 3), ("Deal H", 3), ("Deal B", 3)]
    assert await titles("won", "bob", "cat") == [("Deal F", 1)]
    assert await titles("added", "ann", "cat") == [("Deal A", 2), ("Deal H", 2)]
    assert await titles("open", "ann", "cat", first=date(2026, 2, 1), after=date(2026, 4, 1)) == [
        ("Deal D", 2), ("Deal E", 2)]
    assert await titles("stuck", "ann", "cat") == [("Deal D", 1)]
    assert await history.reads.deals("added", scope(history)._replace(owners=())) == []


async def test_the_activity_mix_of_deals_won_in_the_period_and_open_now_per_owner(history):
    ann, bob, cat = (history.people[o] for o in ("ann", "bob", "cat"))
    rows = {(r["kind"], r["owner_id"], r["overall"]): (r["deals"], r["calls"], r["meetings"], r["emails"], r["tasks"])
            for r in await history.reads.activity_mix(scope(history))}
    # won in January: A (a call and an e-mail done; the meeting is not), F; open now: D E G (Ann), H (Cat)
    assert rows == {("won", ann, False): (1, 1, 0, 1, 0), ("won", bob, False): (1, 0, 0, 0, 0),
                    ("won", None, True): (2, 1, 0, 1, 0), ("open", ann, False): (3, 0, 0, 0, 0),
                    ("open", cat, False): (1, 0, 0, 0, 0), ("open", None, True): (4, 0, 0, 0, 0)}
    team = {(r["kind"], r["overall"]): r["deals"]
            for r in await history.reads.activity_mix(scope(history, "bob", "cat"))}
    assert team == {("won", False): 1, ("won", True): 1, ("open", False): 1, ("open", True): 1}


async def test_the_activity_mix_follows_activities_done_undone_retyped_moved_and_deleted(history):
    ann, cat = history.people["ann"], history.people["cat"]

    def touch(kind: str, card: str, done: bool = True, key: UUID | None = None) -> ActivityRecord:
        return ActivityRecord(key or uuid4(), kind, kind, ann, None, None, done, at("2026-01-20") if done else None,
                              history.cards[card], None, None, at("2026-01-20"), None)

    async def mix() -> dict[tuple, tuple]:
        return {(r["kind"], r["owner_id"]): (r["deals"], r["calls"], r["meetings"], r["emails"], r["tasks"])
                for r in await history.reads.activity_mix(scope(history)) if not r["overall"]}

    made = [touch("todo", "D"), touch("deadline", "D"), touch("meeting", "H"), touch("call", "H", done=False),
            touch("email", "H"), touch("call", "C")]  # C is lost: in no mix
    await history.activities(made)
    assert (await mix())[("open", ann)] == (3, 0, 0, 0, 2) and (await mix())[("open", cat)] == (1, 0, 1, 1, 0)
    # The call on H done, the meeting undone, the e-mail retyped a call, a to-do moved from D to H, one deleted.
    await history.activities([made[3]._replace(done=True, done_at=at("2026-01-21")),
                              made[2]._replace(done=False, done_at=None), made[4]._replace(type="call"),
                              made[0]._replace(card=history.cards["H"])], removed=(made[1].id,))
    assert (await mix())[("open", ann)] == (3, 0, 0, 0, 0) and (await mix())[("open", cat)] == (1, 2, 0, 0, 1)
    assert (await mix())[("won", ann)] == (1, 1, 0, 1, 0)  # deal A's, as before


async def test_speed_to_the_first_activity_on_the_deals_added_in_the_period(history):
    ann, bob = history.people["ann"], history.people["bob"]
    rows = {(r["owner_id"], r["overall"]): (r["deals"], r["touched"], r["median_hours"])
            for r in await history.reads.first_activity(scope(history))}
    # added in January: A (Ann; its call logged two days later), B and C (Bob), H (Cat); none has another
    assert rows == {(ann, False): (1, 1, 48.0), (bob, False): (2, 0, None),
                    (history.people["cat"], False): (1, 0, None), (None, True): (4, 1, 48.0)}
    assert [(r["owner_id"], r["deals"]) for r in await history.reads.first_activity(scope(history)._replace(
        owners=()))] == [(None, 0)], "nobody's: the overall row only"


async def test_the_deals_open_now_behind_the_activities_per_open_deal(history):
    async def titles(*owners: str) -> list[tuple[str, int]]:
        return [(r["title"], r["total"]) for r in await history.reads.deals("open_now", scope(history, *owners))]

    assert await titles() == [("Deal H", 4), ("Deal G", 4), ("Deal D", 4), ("Deal E", 4)]
    assert await titles("ann") == [("Deal G", 3), ("Deal D", 3), ("Deal E", 3)]
