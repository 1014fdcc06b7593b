"""The job queue on Postgres: PgQueuer's tables, written through the unit of work's connection.

``PostgresJobs.enqueue`` calls PgQueuer's own ``Queries.enqueue`` over an ``AsyncpgDriver`` bound
to the unit's connection, so the row is inserted inside the unit's open transaction (the
transactional outbox): a rollback takes the job with it, and the NOTIFY that wakes the workers is
delivered by Postgres only at commit. ``install_queue`` puts PgQueuer's schema in place (or
converges it after an upgrade of the library) from ``migrate``; ``PostgresQueueMonitor`` counts
the queue for /health and /metrics.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.queries import Queries
from pgqueuer.domain.settings import DBSettings

from server.services.ports.jobs import QueuedJob, QueueReport, Swept

WORKER_APPLICATION = "tandem-worker"
"""The ``application_name`` a worker's connections carry: /health counts the live workers by it."""


def queue_names() -> DBSettings:
    """PgQueuer's object names (its defaults: ``pgqueuer``, ``pgqueuer_log``…; ``PGQUEUER_PREFIX``
    namespaces them)."""
    return DBSettings()


async def install_queue(conn: asyncpg.Connection) -> bool:
    """Install PgQueuer's tables, types, trigger and function if missing, else converge them onto
    this version of the library; True if it installed. Idempotent; the caller holds the
    migrations' advisory lock, so nodes starting together install once."""
    queries = Queries(AsyncpgDriver(conn))
    if not await queries.schema_is_installed():
        await queries.install()
        return True
    plan = await queries.plan_upgrade()
    if plan.statements:
        await queries.apply_upgrade()
    return False


class PostgresJobs:
    """Implements ``Jobs`` on PgQueuer's queue table, inside the caller's transaction."""

    __slots__ = ("_conn", "_queries")

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._queries: Queries | None = None  # built on first use: most units enqueue nothing

    async def enqueue(self, kind: str, payload: dict[str, Any], *, after: timedelta | None = None,
                      dedupe_key: str | None = None) -> int | None:
        if self._queries is None:
            self._queries = Queries(AsyncpgDriver(self._conn))
        (job,) = await self._queries.enqueue(kind, msgspec.json.encode(payload), 0, after, dedupe_key,
                                             on_conflict="skip")
        return None if job is None else int(job)

    async def waiting(self, kind: str | None = None) -> list[QueuedJob]:
        table = queue_names().queue_table
        rows = await self._conn.fetch(
            f"SELECT id, entrypoint, payload, execute_after, dedupe_key, status::text AS status FROM {table}"
            " WHERE ($1::text IS NULL OR entrypoint = $1) ORDER BY id", kind)
        return [QueuedJob(row["id"], row["entrypoint"], msgspec.json.decode(row["payload"] or b"{}"),
                          row["execute_after"], row["dedupe_key"], row["status"]) for row in rows]


class PostgresHousekeeping:
    """Implements ``Housekeeping``: deletes what no request can use any more."""

    __slots__ = ("_conn",)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sweep(self, throttle_forget_after: float) -> Swept:
        sessions = await self._conn.fetchval(
            "WITH gone AS (DELETE FROM sessions WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM gone")
        resets = await self._conn.fetchval(
            "WITH gone AS (DELETE FROM password_resets WHERE expires_at <= now() OR used_at IS NOT NULL"
            " RETURNING 1) SELECT count(*) FROM gone")
        throttle = await self._conn.fetchval(
            "WITH gone AS (DELETE FROM auth_throttle WHERE last_at <= now() - make_interval(secs => $1)"
            " RETURNING 1) SELECT count(*) FROM gone", throttle_forget_after)
        return Swept(sessions, resets, throttle)


class PostgresQueueMonitor:
    """Implements ``QueueMonitor``: counts the queue table by kind and status, and the workers'
    connections (``pg_stat_activity``: a killed worker's vanish with it)."""

    def __init__(self, pool: asyncpg.Pool, timeout: float = 2.0) -> None:
        self._pool, self._timeout = pool, timeout

    async def report(self) -> QueueReport:
        async with self._pool.acquire(timeout=self._timeout) as conn:
            return await _report(conn, self._timeout)


async def _report(conn: asyncpg.Connection, timeout: float) -> QueueReport:
    table = queue_names().queue_table
    rows = await conn.fetch(
        f"SELECT entrypoint, status::text AS status, count(*) AS n,"
        f" count(*) FILTER (WHERE execute_after <= now()) AS due,"
        f" coalesce(extract(epoch FROM now() - min(execute_after) FILTER (WHERE execute_after <= now())), 0)"
        f" AS oldest FROM {table} GROUP BY entrypoint, status", timeout=timeout)
    workers = await conn.fetchval(
        "SELECT count(DISTINCT application_name) FROM pg_stat_activity"
        " WHERE application_name LIKE $1 AND datname = current_database()",  # not another database's workers
        f"{WORKER_APPLICATION}:%", timeout=timeout)
    by_kind: dict[str, dict[str, int]] = {}
    queued = due = running = failed = 0
    oldest = 0.0
    for row in rows:
        by_kind.setdefault(row["entrypoint"], {})[row["status"]] = row["n"]
        if row["status"] == "queued":
            queued += row["n"]
            due += row["due"]
            oldest = max(oldest, float(row["oldest"]))
        elif row["status"] == "picked":
            running += row["n"]
        elif row["status"] in ("failed", "exception"):
            failed += row["n"]
    return QueueReport(queued, due, running, failed, round(oldest, 3), workers, by_kind)
