""""What changed since a snapshot" in SQL (``PostgresForecastReads.compare``, docs/forecast.md) gives
what ``server.domain.forecast.classify`` gives over every deal: random histories after a real
snapshot (closes moved in, out and away, money and currency changed, owners changed, deals won,
lost, deleted, added, reopened, on a board left out), every period and owner filter. The SQL reads
whole rows only for keys whose owner or money differ or that are on one side only, so this holds
that shortcut to the rule it skips."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from server.domain.forecast import classify
from server.services.forecast import take_snapshots
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from tests.support.units import backend

WEEK = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 0, 5, tzinfo=timezone.utc)
PERIODS = [(date(2026, 3, 1), date(2026, 4, 1)), (date(2026, 1, 1), date(2026, 4, 1)),
           (date(2026, 3, 15), date(2026, 3, 16))]
CLOSES = [None] + [date(2026, 2, 20) + timedelta(days=n) for n in range(0, 60, 3)]


async def _seed(pool, rng: random.Random, workspace: UUID, boards: list[UUID], owners: list[UUID | None],
                stage: UUID) -> None:
    rows = []
    for n in range(240):
        rows.append((rng.choice(boards), uuid4(), workspace, f"deal {n}", rng.choice([None, 0.0, 100.0, 250.0]),
                     rng.choice(["EUR", "EUR", "USD"]), rng.choice(owners), rng.choice(CLOSES),
                     rng.choice(["open"] * 6 + ["won", "lost"]), stage))
    await pool.executemany(
        "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, expected_close, status,"
        " stage_id, rank, created_at, moved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'a', now(), now())",
        rows)


async def _change(pool, rng: random.Random, workspace: UUID, boards: list[UUID], owners: list[UUID | None],
                  stage: UUID) -> None:
    """Each deal, maybe: a new close, money, currency or owner; won, lost, reopened or deleted; and new deals."""
    for board, card in await pool.fetch("SELECT board_id, card_id FROM deals WHERE workspace_id = $1", workspace):
        what = rng.randrange(12)
        key = (board, card)
        if what == 0:
            await pool.execute("UPDATE deals SET expected_close = $3 WHERE board_id = $1 AND card_id = $2",
                               *key, rng.choice(CLOSES))
        elif what == 1:
            await pool.execute("UPDATE deals SET value = $3 WHERE board_id = $1 AND card_id = $2",
                               *key, rng.choice([None, 0.0, 100.0, 400.0]))
        elif what == 2:
            await pool.execute("UPDATE deals SET currency = $3 WHERE board_id = $1 AND card_id = $2",
                               *key, rng.choice(["EUR", "USD", "CHF"]))
        elif what == 3:
            await pool.execute("UPDATE deals SET owner_id = $3 WHERE board_id = $1 AND card_id = $2",
                               *key, rng.choice(owners))
        elif what == 4:
            await pool.execute("UPDATE deals SET status = $3 WHERE board_id = $1 AND card_id = $2",
                               *key, rng.choice(["open", "won", "lost"]))
        elif what == 5:
            await pool.execute("DELETE FROM deals WHERE board_id = $1 AND card_id = $2", *key)
    await _seed(pool, rng, workspace, boards, owners, stage)  # added since (open or closed)


def _expected(before: dict, now: dict, boards: set[UUID], first: date, after: date,
              owners: list[UUID] | None) -> set[tuple[str, UUID]]:
    found = set()
    for key in set(before) | set(now):
        if key[0] not in boards:
            continue
        then, current = before.get(key), now.get(key)
        if then is not None and owners is not None and then.owner_id not in owners:
            then = None
        if current is not None and owners is not None and current["owner_id"] not in owners:
            current = None
        kind = classify(then, _now(current) if current else None, first, after)
        if kind is not None:
            found.add((str(kind), key[1]))
    return found


def _now(row) -> SimpleDeal:
    return SimpleDeal(row["status"], row["expected_close"], row["value"], row["currency"])


class SimpleDeal:
    """The columns ``classify`` reads of a deal now."""

    def __init__(self, status: str, expected_close: date | None, value: float | None, currency: str | None) -> None:
        self.status, self.expected_close, self.value, self.currency = status, expected_close, value, currency


def _totals(rows, owners: list[UUID] | None, first: date, after: date) -> dict[str, tuple[int, float]]:
    totals: dict[str, tuple[int, float]] = {}
    for row in rows:
        if owners is not None and row[0] not in owners or row[1] is None or not first <= row[1] < after:
            continue
        count, money = totals.get(row[3], (0, 0.0))
        totals[row[3]] = (count + 1, money + (row[2] or 0.0))
    return totals


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_the_sql_comparison_equals_the_rule_over_every_deal(database_url, seed):
    rng = random.Random(seed)
    async with backend("postgres", database_url, lambda conn: None, lambda db: None) as (_, world):
        pool = world.pool
        workspace, stage = await world.workspace(), uuid4()
        owners: list[UUID | None] = [await world.user("Ann"), await world.user("Bob"), await world.user("Cy"), None]
        boards = [uuid4(), uuid4(), uuid4()]
        for board in boards:
            await pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                               board, workspace)
        await _seed(pool, rng, workspace, boards, owners, stage)
        reads, snapshots = PostgresForecastReads(pool), PostgresForecastSnapshots(pool)
        await take_snapshots(reads, snapshots, AT, "UTC")  # (other tests' workspaces of this database too)
        assert [w.week for w in await snapshots.weeks(workspace)] == [WEEK]
        await _change(pool, rng, workspace, boards, owners, stage)

        before = {(d.board_id, d.card_id): d for d in await snapshots.deals(workspace, WEEK)}
        now = {(r["board_id"], r["card_id"]): r for r in await pool.fetch(
            "SELECT board_id, card_id, owner_id, status, expected_close, value, currency FROM deals"
            " WHERE workspace_id = $1", workspace)}
        kept = boards[:2]  # the third board is left out of the comparison
        for first, after in PERIODS:
            for filtered in (None, [owners[0]], [owners[0], owners[1]]):
                moved, sides = await reads.compare(workspace, WEEK, kept, first, after, filtered)
                got = {(str(m.kind), (m.now or m.before).card_id) for m in moved}
                assert got == _expected(before, now, set(kept), first, after, filtered)
                assert len(got) == len(moved)
                then_rows = [(d.owner_id, d.expected_close, d.value, d.currency) for d in before.values()
                             if d.board_id in kept]
                now_rows = [(r["owner_id"], r["expected_close"], r["value"], r["currency"]) for r in now.values()
                            if r["board_id"] in kept and r["status"] == "open"]
                for side, rows in (("before", then_rows), ("now", now_rows)):
                    read = {r["currency"]: (r["deals"], r["value"]) for r in sides if r["side"] == side}
                    assert read == _totals(rows, filtered, first, after)  # sums of whole numbers: exact
