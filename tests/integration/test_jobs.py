"""The job queue with real Postgres and real worker processes (``python -m server worker``)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from server.storage.jobs import queue_names
from server.storage.unit import transactions
from tests.support.servers import ServerProcess, WorkerProcess, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    from server.storage.migrations import migrate

    await migrate(pool)
    await pool.execute(f"DELETE FROM {queue_names().queue_table} WHERE entrypoint LIKE 'test.%'")
    yield pool
    await pool.close()


@pytest.fixture
def jobs_dir(tmp_path: Path) -> Path:
    return tmp_path


def worker_env(jobs_dir: Path, **env: str) -> dict[str, str]:
    return {"TANDEM_JOB_MODULES": "tests.support.job_kinds", "TANDEM_TEST_JOBS_DIR": str(jobs_dir),
            "TANDEM_HOUSEKEEPING_CRON": "", "TANDEM_JOB_HEARTBEAT_SECONDS": "1", **env}


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def test_a_job_enqueued_in_a_unit_that_rolls_back_never_runs_and_a_committed_one_runs_once_with_two_workers(
        pool, database_url, jobs_dir):
    begin = transactions(pool)
    workers = [await WorkerProcess(database_url, **worker_env(jobs_dir)).start() for _ in range(2)]
    try:
        with pytest.raises(RuntimeError):
            async with begin() as unit:
                await unit.jobs.enqueue("test.record", {"n": -1})
                raise RuntimeError("the change failed: its job goes with it")
        for batch in range(4):
            async with begin() as unit:
                for n in range(batch * 10, batch * 10 + 10):
                    await unit.jobs.enqueue("test.record", {"n": n})
        await eventually(lambda: len(lines(jobs_dir / "ran")) >= 40, timeout=30, what="40 jobs run")
        await eventually(lambda: _none_waiting(begin, "test.record"), timeout=10)
        ran = lines(jobs_dir / "ran")
        assert sorted(map(int, ran)) == list(range(40))  # each exactly once, and never the rolled-back one
    finally:
        for worker in workers:
            await worker.terminate()


async def _none_waiting(begin, kind: str) -> bool:
    async with begin() as unit:
        return not await unit.jobs.waiting(kind)


async def test_a_worker_killed_mid_job_leaves_it_to_another_that_completes_it_once(pool, database_url, jobs_dir):
    begin = transactions(pool)
    first = await WorkerProcess(database_url, **worker_env(jobs_dir)).start()
    async with begin() as unit:
        await unit.jobs.enqueue("test.block", {"n": 1})
    await eventually(lambda: any(line.startswith("start 1") for line in lines(jobs_dir / "block")), timeout=20)
    first.kill()  # kill -9 mid-job
    second = await WorkerProcess(database_url, **worker_env(jobs_dir)).start()
    try:
        pid = second.process.pid
        await eventually(lambda: f"start 1 {pid}" in lines(jobs_dir / "block"), timeout=20,
                         what="the job taken again once the dead worker's heartbeat is old")
        (jobs_dir / "release").touch()
        await eventually(lambda: _none_waiting(begin, "test.block"), timeout=10)
        assert [line for line in lines(jobs_dir / "block") if line.startswith("done")] == [f"done 1 {pid}"]
    finally:
        await second.terminate()


async def test_sigterm_puts_a_running_job_back_and_the_next_worker_completes_it(pool, database_url, jobs_dir):
    begin = transactions(pool)
    env = worker_env(jobs_dir, TANDEM_JOB_GRACE_SECONDS="0.5", TANDEM_JOB_HEARTBEAT_SECONDS="600")
    first = await WorkerProcess(database_url, **env).start()
    async with begin() as unit:
        await unit.jobs.enqueue("test.block", {"n": 2})
    await eventually(lambda: any(line.startswith("start 2") for line in lines(jobs_dir / "block")), timeout=20)
    assert await first.terminate() == 0
    async with begin() as unit:  # back in the queue at once: not left to a heartbeat ten minutes long
        assert [job.status for job in await unit.jobs.waiting("test.block")] == ["queued"]
    second = await WorkerProcess(database_url, **env).start()
    try:
        (jobs_dir / "release").touch()
        await eventually(lambda: _none_waiting(begin, "test.block"), timeout=20)
        assert len([line for line in lines(jobs_dir / "block") if line.startswith("done")]) == 1
    finally:
        await second.terminate()


async def test_a_failing_job_is_retried_with_backoff_then_held_as_failed_and_metrics_show_it(
        pool, database_url, jobs_dir):
    begin = transactions(pool)
    worker = await WorkerProcess(database_url, **worker_env(
        jobs_dir, TANDEM_JOB_ATTEMPTS="3", TANDEM_JOB_RETRY_SECONDS="0.3")).start()
    try:
        async with begin() as unit:
            await unit.jobs.enqueue("test.fail", {"n": 7})

        async def held() -> bool:
            async with begin() as unit:
                return [job.status for job in await unit.jobs.waiting("test.fail")] == ["failed"]

        await eventually(held, timeout=20, what="the job held as failed")
        assert lines(jobs_dir / "fail") == ["attempt 7"] * 3
        async with in_process_server(settings_for(database_url, metrics_token="scrape")) as server:
            async with httpx.AsyncClient() as http:
                text = (await http.get(f"{server.http_url}/metrics",
                                       headers={"Authorization": "Bearer scrape"})).text
                health = (await http.get(f"{server.http_url}/health")).json()
        assert re.search(r'^tandem_jobs\{kind="test.fail",status="failed"\} 1\.0$', text, re.M), text
        assert float(re.search(r"^tandem_jobs_failed (\S+)$", text, re.M).group(1)) >= 1
        assert float(re.search(r"^tandem_workers (\S+)$", text, re.M).group(1)) >= 1
        assert health["jobs"]["failed"] >= 1 and health["jobs"]["workers"] >= 1
    finally:
        await worker.terminate()


async def test_serve_runs_a_worker_in_process_with_tandem_worker_on(pool, database_url, jobs_dir):
    begin = transactions(pool)
    server = await ServerProcess(database_url, TANDEM_WORKER="on", **worker_env(jobs_dir)).start()
    try:
        async with begin() as unit:
            await unit.jobs.enqueue("test.record", {"n": 99})
        await eventually(lambda: lines(jobs_dir / "ran") == ["99"], timeout=20)
        async with httpx.AsyncClient() as http:
            health = (await http.get(f"{server.http_url}/health")).json()
        assert health["jobs"]["workers"] >= 1
    finally:
        assert await server.terminate() in (0, -15)  # uvicorn re-raises SIGTERM after its shutdown
