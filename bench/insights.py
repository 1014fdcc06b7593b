"""Insights at 100,000 deals and 1,000,000 stage changes: p50/p99 of every insights query.

    .venv/bin/python -m bench.insights                      # Postgres at 127.0.0.1:5432 (scratch database)
    .venv/bin/python -m bench.insights --deals 20000        # quicker
    .venv/bin/python -m bench.insights --explain 50         # also EXPLAIN ANALYZE every query slower than 50 ms

Seeds one workspace with four pipelines and ``--deals`` deals over two years (2025-01 to 2026-11)
by COPY: each deal's path through the stages (mostly forward, sometimes back), its close (won,
lost with a listed or free-text reason, or still open), ``--events`` card events in all
(created, moved, status) and three activities per deal (most done). Then times each query of
``server/storage/sql/insights.sql`` through the server's own adapter (``PostgresInsightsReads``)
one at a time, as the dashboard asks them: over every pipeline, a quarter to date in Berlin time
(and a whole year for the funnel), per owner for one, for a team of five owners (one read over
all five; beside it the five one-owner reads a team cost before), the goal figures of a month, and
the drill-downs. The scratch database is dropped afterwards (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import asyncpg

from server.domain.insights import Scope, midnight
from server.domain.money import MoneySettings
from server.services import rep_compare
from server.storage.insights import COMPARE, DRILL, FUNNEL, SQL, TUNING, PostgresInsightsReads
from server.storage.insights_rollup import ROLLUP, rollup_bounds
from server.storage.migrations import migrate

STAGES = [("Lead in", 10, 14, "open"), ("Qualified", 25, 14, "open"), ("Proposal made", 50, 10, "open"),
          ("Negotiation", 75, 7, "open"), ("Won", 100, 0, "won"), ("Lost", 0, 0, "lost")]
REASONS = ["Price", "Timing", "Competitor", "No budget", "No decision", "Went silent"]
START, END = datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2026, 11, 30, tzinfo=timezone.utc)
ZONE = "Europe/Berlin"
# The visits of every card at once (what the triggers of migrations 0025_insights_visits* keep per card).
BACKFILL = """
INSERT INTO stage_visits (board_id, card_id, event_id, stage_id, entered_at, left_at, later_stages,
                          prior_visit_at, next_visit_at, status, owner_id)
SELECT e.board_id, e.card_id, e.id, e.to_stage, e.at, lead(e.at) OVER w,
       coalesce(array_agg(e.to_stage) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '{}'),
       lag(e.at) OVER same, lead(e.at) OVER same, d.status, d.owner_id
FROM card_events e LEFT JOIN deals d ON d.board_id = e.board_id AND d.card_id = e.card_id
WHERE e.kind IN ('created', 'moved') AND e.to_stage IS NOT NULL
WINDOW w AS (PARTITION BY e.board_id, e.card_id ORDER BY e.at, e.id),
       same AS (PARTITION BY e.board_id, e.card_id, e.to_stage ORDER BY e.at, e.id)
"""
TRIGGERS = (("card_events", "card_events_stage_visits"), ("deals", "deals_stage_visits_added"))


def log(message: str) -> None:
    print(f"[insights] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- data ----------------------------------------------------------------------------------------

class Seeded:
    def __init__(self) -> None:
        self.deals: list[tuple] = []
        self.events: list[tuple] = []
        self.activities: list[tuple] = []


def one_deal(rng: random.Random, out: Seeded, board: uuid.UUID, stages: list[uuid.UUID], workspace: uuid.UUID,
             owner: uuid.UUID, moves: int) -> None:
    card, at = uuid.uuid4(), START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))
    created, position = at, 0
    value, currency = round(rng.uniform(100, 50_000), 2), rng.choices(("EUR", "USD", "CHF"), (80, 15, 5))[0]
    out.events.append((board, card, "created", at, None, stages[0], value, currency, None, None))
    for _ in range(moves):
        step = rng.choices((1, -1, 0), (70, 20, 10))[0]
        target = min(max(position + step, 0), 3)
        if target == position:
            target = (position + 1) % 4
        at += timedelta(hours=rng.uniform(6, 240))
        out.events.append((board, card, "moved", at, stages[position], stages[target], None, None, None, None))
        position = target
    outcome = rng.choices(("won", "lost", "open"), (35, 35, 30))[0]
    reason, fields = None, {}
    if outcome != "open":
        at += timedelta(hours=rng.uniform(6, 240))
        if outcome == "won" or rng.random() < 0.5:
            final = 4 if outcome == "won" else 5
            out.events.append((board, card, "moved", at, stages[position], stages[final], None, None, None, None))
            position = final
        out.events.append((board, card, "status", at, None, None, None, None, "open", outcome))
        if outcome == "lost":
            reason = rng.choice(REASONS) if rng.random() < 0.8 else f"free text {rng.randrange(1000)}"
        close = at.date()
    else:
        close = date(2026, 10, 1) + timedelta(days=rng.randrange(270))
        if rng.random() < 0.1:
            fields["probability"] = rng.randrange(0, 101, 5)
        if rng.random() < 0.2:
            fields["forecast_category"] = rng.choice(("commit", "best_case", "pipeline", "omitted"))
    out.deals.append((board, card, workspace, f"Deal {card.hex[:8]}", value, currency, owner, close, outcome, reason,
                      json.dumps(fields), stages[position], "a", created, at))
    for _ in range(3):
        done = rng.random() < 0.7
        when = created + timedelta(hours=rng.uniform(0, max((at - created).total_seconds() / 3600, 1)))
        out.activities.append((board, uuid.uuid4(), workspace, rng.choice(("call", "meeting", "email", "todo")),
                               "Follow up", owner, when.date(), done, when if done else None, card))


def generate(rng: random.Random, deals: int, events: int, boards: dict[uuid.UUID, list[uuid.UUID]],
             workspace: uuid.UUID, owners: list[uuid.UUID]) -> Seeded:
    out = Seeded()
    # created + moves + (close move) + status: about moves + 2.2 per deal
    mean_moves = max(events / deals - 2.2, 0)
    board_ids = list(boards)
    for i in range(deals):
        board = board_ids[i % len(board_ids)]
        moves = max(0, round(rng.uniform(0, 2 * mean_moves)))
        one_deal(rng, out, board, boards[board], workspace, rng.choice(owners), moves)
    return out


async def seed(conn: asyncpg.Connection, rng: random.Random, args: argparse.Namespace) -> dict[str, Any]:
    workspace, owners = uuid.uuid4(), [uuid.uuid4() for _ in range(20)]
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'Bench')", workspace)
    await conn.executemany("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')",
                           [(u, f"{u}@example.test", f"Rep {i}") for i, u in enumerate(owners)])
    await conn.executemany("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                           [(workspace, u) for u in owners])
    boards: dict[uuid.UUID, list[uuid.UUID]] = {}
    for i in range(4):
        board = uuid.uuid4()
        await conn.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, $3, 'pipeline')",
                           board, workspace, f"Pipeline {i + 1}")
        boards[board] = [uuid.uuid4() for _ in STAGES]
        await conn.copy_records_to_table("board_stages", records=[
            (board, stage, name, f"a{n}", n, probability, rot, kind)
            for n, (stage, (name, probability, rot, kind)) in enumerate(zip(boards[board], STAGES))])
    started = time.perf_counter()
    data = generate(rng, args.deals, args.events, boards, workspace, owners)
    log(f"generated {len(data.deals):,} deals, {len(data.events):,} card events, {len(data.activities):,} "
        f"activities in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    # COPY without the triggers that recompute a card's visits on each of its events and on its
    # deal row, then every card's visits in one statement.
    for table, trigger in TRIGGERS:
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    await conn.copy_records_to_table("deals", records=data.deals, columns=[
        "board_id", "card_id", "workspace_id", "title", "value", "currency", "owner_id", "expected_close", "status",
        "lost_reason", "fields", "stage_id", "rank", "created_at", "moved_at"])
    await conn.copy_records_to_table("card_events", records=data.events, columns=[
        "board_id", "card_id", "kind", "at", "from_stage", "to_stage", "new_value", "currency", "old_status",
        "new_status"])
    await conn.copy_records_to_table("activities", records=data.activities, columns=[
        "board_id", "activity_id", "workspace_id", "type", "title", "assignee_id", "due_date", "done", "done_at",
        "card_id"])
    await conn.execute(BACKFILL)
    for table, trigger in TRIGGERS:
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    log(f"copied in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    # The funnel's rollups (migrations 0036_insights_funnel_*) of every board at once.
    await conn.execute("INSERT INTO funnel_days_stale (board_id, day) SELECT id, NULL FROM boards")
    await conn.execute("SELECT funnel_days_refresh(ARRAY(SELECT id FROM boards))")
    # The closed deals' rollup (0036_insights_closes): the COPY marked every card; all at once instead.
    await conn.execute("DELETE FROM deal_closes_stale")
    await conn.execute("SELECT deal_closes_compute(id, NULL) FROM boards")
    log(f"funnel_days, funnel_months and deal_closes built in {time.perf_counter() - started:.1f} s")
    await conn.execute("VACUUM ANALYZE deals, card_events, activities, board_stages, stage_visits, funnel_days,"
                       " funnel_months, funnel_days_stale, deal_closes, deal_closes_stale")
    return {"workspace": workspace, "boards": list(boards), "stages": boards, "owners": owners,
            "events": len(data.events), "activities": len(data.activities)}


async def seeded(conn: asyncpg.Connection) -> dict[str, Any]:
    """What ``seed`` answered, read back from a database it seeded."""
    boards = [r["id"] for r in await conn.fetch("SELECT id FROM boards ORDER BY name")]
    stages = {b: [r["stage_id"] for r in await conn.fetch(
        "SELECT stage_id FROM board_stages WHERE board_id = $1 ORDER BY position", b)] for b in boards}
    owners = [r["id"] for r in await conn.fetch("SELECT id FROM users ORDER BY (substr(name, 5))::int")]
    return {"boards": boards, "stages": stages, "owners": owners, "events": await conn.fetchval(
        "SELECT count(*) FROM card_events"), "activities": await conn.fetchval("SELECT count(*) FROM activities")}


# --- timing --------------------------------------------------------------------------------------

def figures(reads: PostgresInsightsReads, raw: PostgresInsightsReads,
            world: dict[str, Any]) -> dict[str, tuple[Callable[[], Awaitable], str, tuple]]:
    """Each query as the dashboard asks it: (call, its SQL, its arguments for EXPLAIN). The rows marked
    (raw) are the same figure without its rollup, in the same run: the ratio to them holds however
    busy the machine is."""
    boards, owner, team = world["boards"], world["owners"][0], tuple(world["owners"][:5])
    quarter = Scope(boards, midnight(date(2026, 10, 1), ZONE), midnight(date(2026, 12, 7), ZONE))
    before = Scope(boards, midnight(date(2026, 7, 25), ZONE), midnight(date(2026, 10, 1), ZONE))
    year = Scope(boards, midnight(date(2025, 12, 7), ZONE), midnight(date(2026, 12, 7), ZONE))
    month = Scope(boards, midnight(date(2026, 11, 1), ZONE), midnight(date(2026, 12, 1), ZONE), (owner,))
    stage = world["stages"][boards[0]][1]
    first, after = date(2026, 12, 1), date(2027, 6, 1)
    closed = SQL["closed_cte"] + "\n"
    rolled = ROLLUP["closed_cte"] + "\n"  # the figures over closed deals read deal_closes
    rows = "\n" + SQL["deal_rows"]
    return {
        "stages": (lambda: reads.stages(boards), SQL["stages"], (boards,)),
        "funnel, quarter": (lambda: reads.funnel(quarter), ROLLUP["funnel_days"],
                            (*quarter, *rollup_bounds(quarter.start, quarter.end))),
        "funnel, quarter (raw)": (lambda: raw.funnel(quarter), FUNNEL, tuple(quarter)),
        "funnel, 12 months": (lambda: reads.funnel(year), ROLLUP["funnel_days"],
                              (*year, *rollup_bounds(year.start, year.end))),
        "funnel, 12 months (raw)": (lambda: raw.funnel(year), FUNNEL, tuple(year)),
        "funnel, one owner": (lambda: reads.funnel(quarter._replace(owners=(owner,))), ROLLUP["funnel_days"],
                              (*quarter._replace(owners=(owner,)), *rollup_bounds(quarter.start, quarter.end))),
        "funnel, one owner (raw)": (lambda: raw.funnel(quarter._replace(owners=(owner,))), FUNNEL,
                                    tuple(quarter._replace(owners=(owner,)))),
        "funnel, one owner, 12 months": (lambda: reads.funnel(year._replace(owners=(owner,))), ROLLUP["funnel_days"],
                                         (*year._replace(owners=(owner,)), *rollup_bounds(year.start, year.end))),
        "funnel, one owner, 12 months (raw)": (lambda: raw.funnel(year._replace(owners=(owner,))), FUNNEL,
                                               tuple(year._replace(owners=(owner,)))),
        **teams(reads, raw, quarter._replace(owners=team), year._replace(owners=team)),
        "stuck": (lambda: reads.stuck(boards, None), SQL["stuck"], (boards, None)),
        "lost reasons": (lambda: reads.lost_reasons(quarter, REASONS), rolled + SQL["lost_reasons"],
                         (*quarter, REASONS)),
        "reps": (lambda: reads.reps(quarter), rolled + ROLLUP["reps"], tuple(quarter)),
        "reps, previous period": (lambda: reads.reps(before), rolled + ROLLUP["reps"], tuple(before)),
        "reps, 12 months": (lambda: reads.reps(year), rolled + ROLLUP["reps"], tuple(year)),
        "reps, 12 months (raw)": (lambda: raw.reps(year), closed + SQL["reps"], tuple(year)),
        "won by month, 12 months": (lambda: reads.won_by_period(year, "month", ZONE), rolled + SQL["won_by_period"],
                                    (*year, "month", ZONE)),
        "open by month, 6 months": (lambda: reads.open_by_period(boards, first, after, None, "month"),
                                    SQL["open_by_period"], (boards, first, after, None, "month")),
        "goal: deals added": (lambda: reads.count("deals_added", month), SQL["deals_added"], tuple(month)),
        "goal: activities done": (lambda: reads.count("activities_done", month), SQL["activities_done"],
                                  tuple(month)),
        "goal: won (one owner)": (lambda: reads.won_by_period(month, "month", ZONE), rolled + SQL["won_by_period"],
                                  (*month, "month", ZONE)),
        "drill: entered a stage": (lambda: reads.deals("entered", quarter, stage=stage),
                                   DRILL["stage"] + rows, (*quarter, stage, "entered")),
        "drill: won": (lambda: reads.deals("won", quarter), closed + SQL["drill_closed"] + rows,
                       (*quarter, "won", None, [], False)),
        "drill: lost, other reason": (lambda: reads.deals("lost", quarter, reason="", listed=REASONS),
                                      closed + SQL["drill_closed"] + rows, (*quarter, "lost", "", REASONS, False)),
        "drill: open in a month": (lambda: reads.deals("open", quarter, first=first, after=date(2027, 1, 1)),
                                   SQL["drill_open"] + rows, (boards, first, date(2027, 1, 1), None, None)),
        "drill: stuck": (lambda: reads.deals("stuck", quarter), ROLLUP["drill_stuck"], (boards, None, None)),
        "drill: stuck (raw)": (lambda: raw.deals("stuck", quarter), SQL["drill_stuck"] + rows, (boards, None, None)),
        "drill: added": (lambda: reads.deals("added", quarter), SQL["drill_added"] + rows, tuple(quarter)),
        **compare(reads, raw, world, quarter),
    }


def compare(reads: PostgresInsightsReads, raw: PostgresInsightsReads, world: dict[str, Any],
            quarter: Scope) -> dict[str, tuple[Callable[[], Awaitable], str, tuple]]:
    """The rep comparison's reads (``--only compare``): its own two over every owner (one read
    answers each owner and the baseline), a rep's funnel and lost reasons, and the whole comparison of
    two reps with everyone (the service's reads, one after another on the bench's one connection)."""
    rep = quarter._replace(owners=(world["owners"][0],))
    rolled = ROLLUP["closed_cte"] + "\n"
    ctx = SimpleNamespace(scope=lambda: quarter, names={o: f"Rep {i}" for i, o in enumerate(world["owners"])},
                          money=MoneySettings("EUR", {}), team=None, header=dict)
    two = world["owners"][:2]
    return {
        "compare: activity mix": (lambda: reads.activity_mix(quarter), rolled + COMPARE["activity_mix_rollup"],
                                  tuple(quarter)),
        "compare: activity mix (raw)": (lambda: raw.activity_mix(quarter),
                                        SQL["closed_cte"] + "\n" + COMPARE["activity_mix"], tuple(quarter)),
        "compare: first activity": (lambda: reads.first_activity(quarter), COMPARE["first_activity"],
                                    tuple(quarter)),
        "compare: funnel, one rep": (lambda: reads.funnel(rep), ROLLUP["funnel_days"],
                                     (*rep, *rollup_bounds(rep.start, rep.end))),
        "compare: lost reasons, one rep": (lambda: reads.lost_reasons(rep, REASONS), rolled + SQL["lost_reasons"],
                                           (*rep, REASONS)),
        "compare: drill, open now": (lambda: reads.deals("open_now", rep), DRILL["open_now"] + "\n" + SQL["deal_rows"],
                                     (rep.boards, list(rep.owners or ()))),
        "compare: 2 reps, all reads": (lambda: rep_compare.compare(reads, ctx, two, REASONS, [], date(2026, 12, 7),
                                                                   "en"), "", ()),
    }


def teams(reads: PostgresInsightsReads, raw: PostgresInsightsReads, quarter: Scope,
          year: Scope) -> dict[str, tuple[Callable[[], Awaitable], str, tuple]]:
    """The rows of a team of five owners (``quarter`` and ``year`` carry them): one read over all five,
    medians included, and (before) the five one-owner reads the team filter added up until then."""
    rolled = ROLLUP["closed_cte"] + "\n" + ROLLUP["reps"]
    rows: dict[str, tuple[Callable[[], Awaitable], str, tuple]] = {}
    for label, scope in (("quarter", quarter), ("12 months", year)):
        bounds = (*scope, *rollup_bounds(scope.start, scope.end))
        rows[f"funnel, {label}, team of 5"] = (lambda s=scope: reads.funnel(s), ROLLUP["funnel_days"], bounds)
        rows[f"funnel, {label}, team of 5 (raw)"] = (lambda s=scope: raw.funnel(s), FUNNEL, tuple(scope))
        rows[f"funnel, {label}, team of 5 (5 reads, before)"] = (
            _per_member(reads.funnel, scope), ROLLUP["funnel_days"], bounds)
    rows["reps, team of 5"] = (lambda: reads.reps(quarter), rolled, tuple(quarter))
    rows["reps, team of 5 (5 reads, before)"] = (_per_member(reads.reps, quarter), rolled, tuple(quarter))
    return rows


def _per_member(read: Callable[[Scope], Awaitable], scope: Scope) -> Callable[[], Awaitable]:
    """``read`` once per owner of ``scope``, one after another: what a team cost before it was one read."""
    async def each() -> list:
        return [row for one in scope.owners or () for row in await read(scope._replace(owners=(one,)))]
    return each


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc; the bench runs beside Postgres)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(pool: asyncpg.Pool, world: dict[str, Any], runs: int, explain: float | None,
                  only: list[str] | None = None) -> None:
    """Wall time per query (p50, p99, max), and the CPU time the Postgres backend spent on it (mean of the
    runs): on a machine shared with other work the wall time includes waiting for a core, the CPU time not."""
    reads = PostgresInsightsReads(pool)  # a pool of one connection: one backend to read the CPU time of
    raw = PostgresInsightsReads(pool, rollup=False)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    backend = await pool.fetchval("SELECT pg_backend_pid()")
    print(f"{'query':<28}{'rows':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'cpu ms':>9}")
    slow = []
    for name, (call, sql, args) in figures(reads, raw, world).items():
        if only and not any(part in name for part in only):
            continue
        for _ in range(3):
            answer = await call()
        times = []
        cpu = cpu_seconds(backend)
        for _ in range(runs):
            started = time.perf_counter()
            await call()
            times.append((time.perf_counter() - started) * 1000)
        cpu = (cpu_seconds(backend) - cpu) * 1000 / runs
        rows = answer if isinstance(answer, int) else len(answer.get("figures", ())) if isinstance(answer, dict) \
            else len(answer)
        print(f"{name:<28}{rows:>7}{pct(times, 50):>9.1f}{pct(times, 99):>9.1f}{max(times):>9.1f}{cpu:>9.1f}",
              flush=True)
        if explain is not None and pct(times, 50) >= explain and sql:
            slow.append((name, sql, args))
    for name, sql, args in slow:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(TUNING)
            plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, *args)
        print(f"\n--- {name}\n" + "\n".join(r[0] for r in plan))
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


async def reorder(pool: asyncpg.Pool, world: dict[str, Any]) -> None:
    """A board's stage order changed (two open stages swapped): the first funnel read after it, the
    next one, the refresh the ``insights.refresh`` job runs for the board, and a read after that.
    The order is swapped back (and refreshed) at the end."""
    reads = PostgresInsightsReads(pool)
    boards, board = world["boards"], world["boards"][0]
    year = Scope(boards, midnight(date(2025, 12, 7), ZONE), midnight(date(2026, 12, 7), ZONE))
    a, b = world["stages"][board][1], world["stages"][board][2]
    swap = ("UPDATE board_stages SET position = CASE stage_id WHEN $2 THEN (SELECT position FROM board_stages"
            " WHERE board_id = $1 AND stage_id = $3) ELSE (SELECT position FROM board_stages WHERE board_id = $1"
            " AND stage_id = $2) END WHERE board_id = $1 AND stage_id IN ($2, $3)")
    refresh = "SELECT funnel_days_refresh($1::uuid[])"
    deals = await pool.fetchval("SELECT count(*) FROM deals WHERE board_id = $1", board)
    print(f"stage reorder on one pipeline of {deals:,} deals; funnel over 12 months, every pipeline")
    await pool.execute(refresh, boards)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    backend = await pool.fetchval("SELECT pg_backend_pid()")

    async def timed(name: str, call: Callable[[], Awaitable]) -> None:
        cpu, started = cpu_seconds(backend), time.perf_counter()
        await call()
        print(f"{name:<40}{(time.perf_counter() - started) * 1000:>9.1f} ms{(cpu_seconds(backend) - cpu) * 1000:>9.1f}"
              " cpu ms", flush=True)

    for _ in range(3):
        await pool.execute(swap, board, a, b)
        await timed("first read after the reorder", lambda: reads.funnel(year))
        await timed("second read", lambda: reads.funnel(year))
        await timed("refresh of the board (the job)", lambda: pool.execute(refresh, [board]))
        await timed("read after the refresh", lambda: reads.funnel(year))
        await pool.execute(swap, board, a, b)  # back
        await pool.execute(refresh, [board])
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    name = args.reuse or f"tandem_bench_{uuid.uuid4().hex[:8]}"
    if not args.reuse:
        admin = await asyncpg.connect(args.database_url)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
    url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
        try:
            await migrate(pool)
            async with pool.acquire() as conn:
                world = await (seeded(conn) if args.reuse else seed(conn, rng, args))
            print(f"insights: {args.deals:,} deals, {world['events']:,} card events, {world['activities']:,} "
                  f"activities, 4 pipelines, 20 owners; {args.runs} runs per query after 3 warm-ups")
            if args.reorder:
                await reorder(pool, world)
            else:
                await measure(pool, world, args.runs, args.explain, args.only)
        finally:
            await pool.close()
    finally:
        if args.keep or args.reuse:
            log(f"kept the database: {url}")
        else:
            admin = await asyncpg.connect(args.database_url)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="card events in all (about)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per query")
    parser.add_argument("--explain", type=float, default=None, metavar="MS",
                        help="EXPLAIN ANALYZE the queries whose p50 is at least MS")
    parser.add_argument("--database-url", default=os.environ.get(
        "TANDEM_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="time only the queries whose name contains TEXT (repeatable)")
    parser.add_argument("--reorder", action="store_true",
                        help="time the funnel reads around a change of a board's stage order instead")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (and print its URL)")
    parser.add_argument("--reuse", metavar="DATABASE", help="time the queries on a database a --keep run seeded")
    asyncio.run(main(parser.parse_args()))
