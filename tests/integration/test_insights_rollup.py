"""The funnel's rollups (``funnel_days``, ``funnel_months``) and the closed deals' (``deal_closes``,
migrations 0036, per owner since 0040) answer exactly what the raw stage visits and status changes
answer (issue 19): on a generated history written through the triggers (deals moved back
and forth, late events, won, lost, reopened, reassigned and deleted deals, a board whose stages
were reordered), for periods read in time zones whose midnight is not UTC's (Berlin across its
summer-time change, Kathmandu +5:45, St John's -3:30, Chatham +13:45), for every owner, one or a
team of two (one read over both: the medians of their deals together), with
days the rollup has not caught up with yet, after a reader's bounded refresh and after the
``insights.refresh`` job (queued by the marks' own transaction) has refreshed everything."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.insights import Scope, midnight
from server.services.insights_upkeep import REFRESH, register
from server.services.jobs import JobKinds
from server.storage.insights import PostgresInsightsReads
from server.storage.insights_rollup import ROLLUP, rollup_bounds, whole_days
from server.storage.insights_upkeep import PostgresInsightsUpkeep
from server.storage.migrations import migrate

STAGES = [("Lead in", 10, 14, "open"), ("Qualified", 25, 14, "open"), ("Proposal", 50, 10, "open"),
          ("Negotiation", 75, 7, "open"), ("Won", 100, 0, "won"), ("Lost", 0, 0, "lost")]
ZONES = ["Europe/Berlin", "UTC", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"]
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
DAYS = 100  # the history spans 2026-01-01 .. 2026-04-10, across Berlin's change to summer time (03-29)


class World:
    def __init__(self, workspace: UUID, boards: dict[UUID, list[UUID]], owners: list[UUID]) -> None:
        self.workspace, self.boards, self.owners = workspace, boards, owners
        self.cards: list[tuple[UUID, UUID]] = []  # (board, card)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as made:
        await migrate(made)
        yield made


def instant(rng: random.Random, within: tuple[datetime, datetime]) -> datetime:
    """A random instant in ``within``; often within minutes of a UTC or zone midnight (the edges)."""
    first, last = within
    at = first + timedelta(seconds=rng.uniform(0, (last - first).total_seconds()))
    if rng.random() < 0.1:  # exactly a UTC midnight: a period may begin or end at this very instant
        at = at.replace(hour=0, minute=0, second=0, microsecond=0)
    elif rng.random() < 0.3:
        at = at.replace(hour=rng.choice((0, 23, 18, 5)), minute=rng.choice((0, 15, 45, 59)),
                        second=rng.choice((0, 59)), microsecond=rng.choice((0, 999_999)))
    return min(max(at, first), last)


async def seed(conn: asyncpg.Connection, rng: random.Random, deals: int) -> World:
    workspace, owners = uuid4(), [uuid4() for _ in range(3)]
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'Rollup')", workspace)
    await conn.executemany("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')",
                           [(u, f"{u}@example.test", f"Rep {i}") for i, u in enumerate(owners)])
    world = World(workspace, {}, owners)
    for i in range(2):
        board = uuid4()
        await conn.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, $3, 'pipeline')",
                           board, workspace, f"Pipeline {i + 1}")
        world.boards[board] = [uuid4() for _ in STAGES]
        await conn.executemany(
            "INSERT INTO board_stages (board_id, stage_id, name, rank, position, probability, rot_days, kind)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [(board, stage, name, f"a{n}", n, p, rot, kind)
             for n, (stage, (name, p, rot, kind)) in enumerate(zip(world.boards[board], STAGES))])
    end = START + timedelta(days=DAYS)
    for i in range(deals):
        board = list(world.boards)[i % 2]
        await one_deal(conn, rng, world, board, (START, end), deal_first=rng.random() < 0.5)
    return world


async def event(conn: asyncpg.Connection, board: UUID, card: UUID, kind: str, at: datetime, **columns: Any) -> None:
    names = ["board_id", "card_id", "kind", "at", *columns]
    await conn.execute(f"INSERT INTO card_events ({', '.join(names)}) VALUES "
                       f"({', '.join(f'${n + 1}' for n in range(len(names)))})", board, card, kind, at,
                       *columns.values())


async def one_deal(conn: asyncpg.Connection, rng: random.Random, world: World, board: UUID,
                   within: tuple[datetime, datetime], deal_first: bool) -> None:
    """A deal's path: created in Lead in, moved mostly forward and sometimes back (a stage entered
    twice or more), then won, lost (from an open stage, or into Lost) or left open."""
    stages, card = world.boards[board], uuid4()
    at, position = instant(rng, within), 0
    created = at
    path = [("created", at, None, stages[0])]
    for _ in range(rng.randrange(0, 7)):
        step = rng.choices((1, -1, 2), (60, 30, 10))[0]
        target = min(max(position + step, 0), 3)
        if target == position:
            target = (position + 1) % 4
        at += timedelta(hours=rng.choice((rng.uniform(0.01, 30), rng.uniform(30, 400))))
        if rng.random() < 0.15:  # at the next UTC midnight: a period may begin or end at this very instant
            at = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        path.append(("moved", at, stages[position], stages[target]))
        position = target
    outcome = rng.choice(("won", "lost", "open"))
    status_at = None
    if outcome != "open":
        at += timedelta(hours=rng.uniform(0.5, 200))
        if outcome == "won" or rng.random() < 0.5:
            final = 4 if outcome == "won" else 5
            path.append(("moved", at, stages[position], stages[final]))
            position = final
        status_at = at

    async def deal_row() -> None:
        await conn.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, status,"
            " lost_reason, fields, stage_id, rank, created_at, moved_at) VALUES"
            " ($1, $2, $3, 'Deal', $4, 'EUR', $5, $6, $7, $8, $9, 'a', $10, $11)",
            board, card, world.workspace, float(rng.randrange(100, 5000)), rng.choice(world.owners), outcome,
            "Price" if outcome == "lost" else None, json.dumps({}), stages[position], created, at)

    if deal_first:
        await deal_row()
    order = list(path)
    if rng.random() < 0.2:
        rng.shuffle(order)  # a rebuild reconciles history late and out of order
    for kind, when, source, target in order:
        await event(conn, board, card, kind, when, from_stage=source, to_stage=target)
    if status_at is not None:
        await event(conn, board, card, "status", status_at, old_status="open", new_status=outcome)
    for _ in range(rng.randrange(4)):  # touches: done or not, some of them e-mails
        done = rng.random() < 0.7
        await conn.execute(
            "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, done, done_at, card_id)"
            " VALUES ($1, $2, $3, $4, 'Touch', $5, $6, $7)", board, uuid4(), world.workspace,
            rng.choice(("call", "email")), done, instant(rng, within) if done else None, card)
    if not deal_first:
        await deal_row()
    world.cards.append((board, card))


def periods(rng: random.Random, count: int, edges: list[date]) -> list[tuple[str, date, date]]:
    """(zone, first, last) periods: whole history, single days, a few days, months, random spans; and
    UTC periods beginning or ending at the midnight of ``edges`` (when a stage was re-entered)."""
    chosen = [("UTC", day, day + timedelta(days=rng.randrange(1, 20))) for day in rng.sample(edges, min(4, len(edges)))]
    chosen += [("UTC", day - timedelta(days=rng.randrange(1, 20)), day - timedelta(days=1))
               for day in rng.sample(edges, min(4, len(edges)))]
    chosen += [("UTC", date(2026, 1, 1), date(2026, 4, 30)), ("Europe/Berlin", date(2026, 3, 1), date(2026, 3, 31)),
              ("Asia/Kathmandu", date(2026, 2, 3), date(2026, 2, 3)),
              ("Pacific/Chatham", date(2025, 12, 31), date(2026, 1, 1))]
    while len(chosen) < count:
        first = date(2025, 12, 30) + timedelta(days=rng.randrange(DAYS + 5))
        length = rng.choice((0, 1, 2, 6, 13, 30, rng.randrange(90)))
        chosen.append((rng.choice(ZONES), first, first + timedelta(days=length)))
    return chosen


def scope_of(world: World, zone: str, first: date, last: date, boards: list[UUID] | None = None) -> Scope:
    return Scope(boards or list(world.boards), midnight(first, zone), midnight(last + timedelta(days=1), zone))


def some_owners(rng: random.Random, world: World) -> tuple[UUID, ...]:
    """One owner (a rep) or two (a team)."""
    return tuple(rng.sample(world.owners, rng.choice((1, 2))))


def keyed(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


async def agree_closed(pool: asyncpg.Pool, world: World, rng: random.Random, count: int) -> int:
    """Reps, lost reasons and won by period from deal_closes and from card_events agree; answers how
    many deals they counted."""
    rollup, raw = PostgresInsightsReads(pool), PostgresInsightsReads(pool, rollup=False)
    counted = 0
    for zone, first, last in periods(rng, count, []):
        scope = scope_of(world, zone, first, last, rng.choice((None, [list(world.boards)[0]])))
        if rng.random() < 0.3:
            scope = scope._replace(owners=some_owners(rng, world))
        reps = keyed(await rollup.reps(scope), "owner_id", "currency", "overall")
        assert reps == keyed(await raw.reps(scope), "owner_id", "currency", "overall"), (zone, first, last)
        reasons = keyed(await rollup.lost_reasons(scope, ["Price"]), "reason", "currency")
        assert reasons == keyed(await raw.lost_reasons(scope, ["Price"]), "reason", "currency")
        won = keyed(await rollup.won_by_period(scope, "month", zone), "period", "currency")
        assert won == keyed(await raw.won_by_period(scope, "month", zone), "period", "currency")
        counted += sum(r["won"] + r["lost"] for r in reps.values() if r["overall"])
    return counted


async def test_the_stuck_drill_down_in_one_pass_answers_what_picking_and_looking_up_answers(pool: asyncpg.Pool
                                                                                           ) -> None:
    rng = random.Random(37)
    async with pool.acquire() as conn:
        world = await seed(conn, rng, 60)
        # Open deals unmoved for 0-40 days (stages rot after 7-14), two of them of equal value and title.
        await conn.execute("UPDATE deals SET moved_at = now() - make_interval(days => (value::int % 41)),"
                           " value = CASE WHEN value::int % 7 = 0 THEN NULL ELSE value END"
                           " WHERE board_id = ANY($1::uuid[])", list(world.boards))
        await conn.execute("UPDATE deals SET value = 1234, title = 'Twin' WHERE card_id IN (SELECT card_id FROM deals"
                           " WHERE board_id = ANY($1::uuid[]) AND status = 'open' ORDER BY card_id LIMIT 2)",
                           list(world.boards))
    one_pass, picked = PostgresInsightsReads(pool), PostgresInsightsReads(pool, rollup=False)
    stages = world.boards[list(world.boards)[0]]
    for boards in (list(world.boards), [list(world.boards)[0]]):
        for stage in (None, stages[1], stages[3]):
            for owners in (None, (world.owners[1],), (world.owners[0], world.owners[2])):
                scope = Scope(boards, START, START, owners)
                fast = await one_pass.deals("stuck", scope, stage=stage)
                assert fast == await picked.deals("stuck", scope, stage=stage)
    assert len(await one_pass.deals("stuck", Scope(list(world.boards), START, START))) > 5


def by_stage(rows: list[dict[str, Any]]) -> dict[tuple[UUID, UUID], dict[str, Any]]:
    return {(r["board_id"], r["stage_id"]): r for r in rows}


async def run_job(pool: asyncpg.Pool, payload: dict[str, Any]) -> None:
    """Run the ``insights.refresh`` handler the worker runs, with ``payload``."""
    kinds = JobKinds()
    register(kinds, PostgresInsightsUpkeep(pool))
    assert kinds.schedules[REFRESH]  # and the cron sweep is scheduled
    await kinds.handlers[REFRESH](payload)


async def queued(pool: asyncpg.Pool, world: World) -> list[str]:
    """The world's boards with an ``insights.refresh`` job waiting, one line per job."""
    async with pool.acquire() as conn:
        return sorted(r[0] for r in await conn.fetch(
            "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'board' AS b FROM pgqueuer"
            " WHERE entrypoint = 'insights.refresh' AND status = 'queued'") if UUID(r[0]) in world.boards)


async def agree(pool: asyncpg.Pool, world: World, rng: random.Random, count: int, refresh: bool | str) -> int:
    """Compare the rollup and the raw funnel over ``count`` periods (a third of them for one owner or two);
    answers how many stage rows carried a median (the comparison covered real data). ``refresh``:
    False reads the rollup statement alone, True through the reader (a bounded refresh first),
    ``"job"`` runs the refresh job's sweep first."""
    if refresh == "job":
        await run_job(pool, {})
    rollup, raw = PostgresInsightsReads(pool), PostgresInsightsReads(pool, rollup=False)
    async with pool.acquire() as conn:  # the UTC midnights at which a deal re-entered a stage
        edges = [r[0] for r in await conn.fetch(
            "SELECT DISTINCT (entered_at AT TIME ZONE 'UTC')::date FROM stage_visits WHERE board_id = ANY($1::uuid[])"
            " AND prior_visit_at IS NOT NULL AND entered_at = date_trunc('day', entered_at, 'UTC') ORDER BY 1",
            list(world.boards))]
    assert edges
    compared = 0
    for zone, first, last in periods(rng, count, edges):
        boards = rng.choice((None, [list(world.boards)[0]]))
        scope = scope_of(world, zone, first, last, boards)
        if rng.random() < 0.35:
            scope = scope._replace(owners=some_owners(rng, world))
        if refresh:
            fast = await rollup.funnel(scope)
        else:  # the statement alone: the days marked stale are read from the visits
            async with pool.acquire() as conn:
                fast = [dict(r) for r in await conn.fetch(ROLLUP["funnel_days"], *scope,
                                                           *rollup_bounds(scope.start, scope.end))]
        slow = await raw.funnel(scope)
        assert by_stage(fast) == by_stage(slow), (zone, first, last)
        compared += sum(1 for r in slow if r["median_days"] is not None)
    return compared


async def test_the_rollup_answers_what_the_visits_answer(pool: asyncpg.Pool) -> None:
    rng = random.Random(36)
    async with pool.acquire() as conn:
        world = await seed(conn, rng, 160)
        marked = await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = ANY($1::uuid[])",
                                     list(world.boards))
    assert marked > 0  # the triggers marked the days the new visits began on
    async with pool.acquire() as conn:  # once each, however many changes touched them
        assert await conn.fetchval("SELECT count(*) = count(DISTINCT (board_id, day)) FROM funnel_days_stale")
        assert await conn.fetchval("SELECT count(*) = count(DISTINCT (board_id, card_id)) FROM deal_closes_stale")
    assert await agree_closed(pool, world, rng, 12) > 0

    # The marks' transactions queued one refresh job per board (not one per change).
    assert await queued(pool, world) == sorted(str(b) for b in world.boards)
    # Before any refresh everything is read from the visits; a reader refreshes only a board with a
    # few stale days (these have ~100 each: left to the job), then the job brings the rollup up to date.
    assert await agree(pool, world, rng, 6, refresh=False) > 0
    assert await agree(pool, world, rng, 6, refresh=True) > 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(DISTINCT board_id) FROM funnel_days_stale"
                                   " WHERE board_id = ANY($1::uuid[])", list(world.boards)) == 2
    assert await agree(pool, world, rng, 40, refresh="job") > 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = ANY($1::uuid[])",
                                   list(world.boards)) == 0
        assert await conn.fetchval("SELECT count(*) FROM deal_closes_stale WHERE board_id = ANY($1::uuid[])",
                                   list(world.boards)) == 0
        # Per owner: the rows of every owner add up to the board's visits, each once.
        assert await conn.fetchval("SELECT count(DISTINCT owner_id) FROM funnel_days WHERE board_id = ANY($1::uuid[])",
                                   list(world.boards)) == len(world.owners)
        rolled = [await conn.fetchval("SELECT sum(first_new + coalesce(cardinality(priors), 0)) FROM funnel_days"
                                      " WHERE board_id = ANY($1::uuid[]) AND per_owner = $2", list(world.boards), per)
                  for per in (False, True)]
        visits = await conn.fetchval("SELECT count(*) FROM stage_visits WHERE board_id = ANY($1::uuid[])",
                                     list(world.boards))
        assert rolled == [visits, visits] and visits > 500  # every visit is in the board's rows once, and its owner's

        # Changes: deals deleted, won deals reopened, lost ones won, owners changed, cards moved back
        # (also a move logged late, between older events), new deals.
        cards = list(world.cards)
        rng.shuffle(cards)
        for board, card in cards[:15]:
            await conn.execute("DELETE FROM deals WHERE board_id = $1 AND card_id = $2", board, card)
        for board, card in cards[15:30]:
            await conn.execute("UPDATE deals SET status = CASE status WHEN 'won' THEN 'open' ELSE 'won' END,"
                               " owner_id = $3 WHERE board_id = $1 AND card_id = $2", board, card, world.owners[0])
        for board, card in cards[30:50]:
            stages = world.boards[board]
            when = instant(rng, (START + timedelta(days=5), START + timedelta(days=DAYS)))
            await event(conn, board, card, "moved", when, from_stage=stages[2], to_stage=stages[rng.randrange(4)])
        for i in range(10):
            await one_deal(conn, rng, world, list(world.boards)[i % 2],
                           (START + timedelta(days=20), START + timedelta(days=40)), deal_first=True)
        for board, card in cards[50:65]:  # reopened and closed again, or only reopened
            status = await conn.fetchval("SELECT status FROM deals WHERE board_id = $1 AND card_id = $2", board, card)
            when = instant(rng, (START + timedelta(days=30), START + timedelta(days=DAYS)))
            again = rng.choice(("won", "lost", "open"))
            await event(conn, board, card, "status", when, old_status=status, new_status="open")
            if again != "open":
                await event(conn, board, card, "status", when + timedelta(days=rng.uniform(0, 9)),
                            old_status="open", new_status=again)
            await conn.execute("UPDATE deals SET status = $3 WHERE board_id = $1 AND card_id = $2", board, card, again)
        await conn.execute("UPDATE activities SET done = NOT done, done_at = coalesce(done_at, $1)"
                           " WHERE activity_id IN (SELECT activity_id FROM activities ORDER BY activity_id LIMIT 40)",
                           START + timedelta(days=33))
        await conn.execute("DELETE FROM activities WHERE activity_id IN"
                           " (SELECT activity_id FROM activities ORDER BY activity_id DESC LIMIT 20)")
    assert await agree_closed(pool, world, rng, 20) > 0
    assert await agree(pool, world, rng, 6, refresh=False) > 0  # changed days read raw until refreshed
    assert await agree(pool, world, rng, 30, refresh=True) > 0
    assert await agree(pool, world, rng, 20, refresh="job") > 0
    assert await agree_closed(pool, world, rng, 10) > 0  # after the job refreshed deal_closes

    # A few changed days are refreshed by the reader itself (a board's stale days, within the bound).
    async with pool.acquire() as conn:
        board, card = await conn.fetchrow(
            "SELECT d.board_id, d.card_id FROM deals d WHERE d.board_id = ANY($1::uuid[]) AND d.owner_id <> $2"
            " AND EXISTS (SELECT 1 FROM stage_visits v WHERE v.board_id = d.board_id AND v.card_id = d.card_id)"
            " ORDER BY d.card_id LIMIT 1", list(world.boards), world.owners[2])
        await conn.execute("UPDATE deals SET owner_id = $3 WHERE board_id = $1 AND card_id = $2", board, card,
                           world.owners[2])
        assert 0 < await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = $1", board) <= 62
    assert await agree(pool, world, rng, 10, refresh=True) > 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = $1", board) == 0

    # A write that rolls back queues nothing; committed ones queue their board once however many.
    await run_job(pool, {})
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM pgqueuer WHERE entrypoint = 'insights.refresh'")
        with pytest.raises(ZeroDivisionError):
            async with conn.transaction():
                await conn.execute("UPDATE deals SET owner_id = $2 WHERE board_id = $1", board, world.owners[1])
                1 / 0
        assert await queued(pool, world) == []
        async with conn.transaction():
            for owner in world.owners:
                await conn.execute("UPDATE deals SET owner_id = $3 WHERE board_id = $1 AND card_id = $2",
                                   board, card, owner)
        for owner in world.owners:
            await conn.execute("UPDATE deals SET owner_id = $3 WHERE board_id = $1 AND card_id = $2", board, card, owner)
    assert await queued(pool, world) == [str(board)]
    # With the job queued, a write that adds no new mark writes nothing to the queue: no NOTIFY
    # from PgQueuer's trigger (the first notification the listener gets is the marker sent after it).
    heard: asyncio.Queue[str] = asyncio.Queue()
    async with pool.acquire() as listener, pool.acquire() as conn:
        def hear(*args: Any) -> None:
            heard.put_nowait(args[3])

        await listener.add_listener("ch_pgqueuer", hear)
        await conn.execute("UPDATE deals SET owner_id = $3 WHERE board_id = $1 AND card_id = $2", board, card,
                           world.owners[0])
        await conn.execute("SELECT pg_notify('ch_pgqueuer', 'marker')")
        assert await asyncio.wait_for(heard.get(), 30) == "marker"
        await listener.remove_listener("ch_pgqueuer", hear)

    # The first board's stages reordered (Negotiation before Proposal) and a stage removed: "further"
    # and "open" change for every visit of the board, which is recomputed whole.
    board = list(world.boards)[0]
    stages = world.boards[board]
    async with pool.acquire() as conn:
        await conn.execute("UPDATE board_stages SET position = CASE stage_id WHEN $2 THEN 3 ELSE 2 END"
                           " WHERE board_id = $1 AND stage_id = ANY(ARRAY[$2, $3]::uuid[])", board, stages[2], stages[3])
        await conn.execute("DELETE FROM board_stages WHERE board_id = $1 AND stage_id = $2", board, stages[1])
        assert await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = $1 AND day IS NULL",
                                   board) > 0
    assert await agree(pool, world, rng, 4, refresh=False) > 0
    # A reader does not recompute the whole board: it reads the board from the visits until the job has.
    assert await agree(pool, world, rng, 10, refresh=True) > 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = $1 AND day IS NULL",
                                   board) > 0
    await run_job(pool, {"board": str(board)})
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM funnel_days_stale WHERE board_id = $1", board) == 0
    assert await agree(pool, world, rng, 30, refresh=True) > 0

    # A board deleted takes its rollup rows along and leaves no stale marks.
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM boards WHERE id = $1", board)
        for table in ("funnel_days", "funnel_months", "funnel_days_stale"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE board_id = $1", board) == 0


def test_whole_days_are_the_utc_days_inside_the_period() -> None:
    berlin = Scope([], midnight(date(2026, 3, 1), "Europe/Berlin"), midnight(date(2026, 4, 1), "Europe/Berlin"))
    # 2026-02-28 23:00 UTC .. 2026-03-31 22:00 UTC (summer time): 1 March to 30 March are whole UTC days
    assert whole_days(berlin.start, berlin.end) == (datetime(2026, 3, 1, tzinfo=timezone.utc),
                                                    datetime(2026, 3, 31, tzinfo=timezone.utc))
    utc = (datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 3, tzinfo=timezone.utc))
    assert whole_days(*utc) == utc
    short = (datetime(2026, 3, 1, 5, tzinfo=timezone.utc), datetime(2026, 3, 2, 4, tzinfo=timezone.utc))
    assert whole_days(*short) == (short[1], short[1])  # no whole day: everything from the visits
    # Whole months among the whole days: March; none in 2 .. 30 March (its days are read one by one).
    assert rollup_bounds(berlin.start, berlin.end)[2:] == (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31),
                                                            date(2026, 3, 31))
    year = Scope([], midnight(date(2025, 12, 7), "Europe/Berlin"), midnight(date(2026, 12, 7), "Europe/Berlin"))
    assert rollup_bounds(year.start, year.end)[2:] == (date(2025, 12, 7), date(2026, 12, 6), date(2026, 1, 1),
                                                        date(2026, 12, 1))
