"""The ``Jobs`` and ``Housekeeping`` contracts, over memory and Postgres (PgQueuer's queue table)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace

import pytest

from server.storage.jobs import PostgresHousekeeping, PostgresJobs, queue_names
from server.storage.memory.jobs import MemoryHousekeeping, MemoryJobs
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url,
                       lambda conn: SimpleNamespace(jobs=PostgresJobs(conn), housekeeping=PostgresHousekeeping(conn),
                                                    conn=conn),
                       lambda db: SimpleNamespace(jobs=MemoryJobs(db), housekeeping=MemoryHousekeeping(db),
                                                  db=db)) as (begin, world):
        if world.pool is not None:
            await world.pool.execute(f"DELETE FROM {queue_names().queue_table} WHERE entrypoint LIKE 'contract.%'")
        yield begin, world


async def test_a_job_enqueued_in_a_unit_that_rolls_back_is_not_there(store):
    begin, _ = store
    with pytest.raises(RuntimeError):
        async with begin() as tx:
            assert await tx.jobs.enqueue("contract.a", {"deal": "d1"}) is not None
            raise RuntimeError("the change failed")
    async with begin() as tx:
        assert await tx.jobs.waiting("contract.a") == []


async def test_committed_jobs_wait_in_order_with_their_payload_and_run_after(store):
    begin, _ = store
    async with begin() as tx:
        first = await tx.jobs.enqueue("contract.b", {"deal": "d1", "stage": ["won", 3]})
        later = await tx.jobs.enqueue("contract.b", {"deal": "d2"}, after=timedelta(hours=1))
        await tx.jobs.enqueue("contract.other", {})
    async with begin() as tx:
        waiting = await tx.jobs.waiting("contract.b")
    assert [(j.id, j.payload, j.status) for j in waiting] == [
        (first, {"deal": "d1", "stage": ["won", 3]}, "queued"), (later, {"deal": "d2"}, "queued")]
    assert waiting[1].run_after - waiting[0].run_after > timedelta(minutes=59)


async def test_a_dedupe_key_enqueues_once_while_its_job_waits(store):
    begin, _ = store
    async with begin() as tx:
        job = await tx.jobs.enqueue("contract.c", {"n": 1}, dedupe_key="deal:d1")
        assert job is not None
        assert await tx.jobs.enqueue("contract.c", {"n": 2}, dedupe_key="deal:d1") is None
        assert await tx.jobs.enqueue("contract.c", {"n": 3}, dedupe_key="deal:d2") is not None
    async with begin() as tx:
        assert [j.payload["n"] for j in await tx.jobs.waiting("contract.c")] == [1, 3]


async def test_housekeeping_deletes_expired_sessions_spent_resets_and_idle_throttle_counters(store):
    begin, world = store
    user = await world.user()
    from server.storage.accounts import PostgresResets, PostgresSessions  # the rows through their own adapters
    from server.storage.memory.accounts import MemoryResets, MemorySessions

    async with begin() as tx:
        if world.pool is not None:
            sessions, resets = PostgresSessions(tx.conn), PostgresResets(tx.conn)
        else:
            tx.db.table("users")  # the session twin reads accounts from here
            sessions, resets = MemorySessions(tx.db), MemoryResets(tx.db)
        await sessions.start(b"old" + user.bytes, user, -1)
        await sessions.start(b"new" + user.bytes, user, 3600)
        await resets.add(b"r-old" + user.bytes, user, -1)
        await resets.add(b"r-new" + user.bytes, user, 3600)
    async with begin() as tx:
        swept = await tx.housekeeping.sweep(throttle_forget_after=3600)
        assert swept.sessions >= 1 and swept.resets >= 1
    async with begin() as tx:
        again = await tx.housekeeping.sweep(throttle_forget_after=3600)
    assert (again.sessions, again.resets) == (0, 0)  # the live session and reset token stay
    if world.pool is not None:
        assert await world.pool.fetchval("SELECT count(*) FROM sessions WHERE token_hash = $1",
                                         b"new" + user.bytes) == 1
