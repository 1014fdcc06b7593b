"""Forward-only SQL migrations from ``schema/migrations``, applied once each, in order.

Each file runs in its own transaction together with its bookkeeping row, under an advisory
lock, so several nodes starting at once apply each migration exactly once.
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg

from server.storage.jobs import install_queue

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parents[2] / "schema" / "migrations"
_LOCK = 0x74616E64656D  # "tandem"
# A migration (or waiting for another node's) may outlast the server's statement timeout.
_NO_LIMIT = 24 * 3600.0


async def migrate(pool: asyncpg.Pool, folder: Path = MIGRATIONS) -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    applied_now = []
    async with pool.acquire() as conn:
        await conn.execute("SET statement_timeout = 0")  # RESET below: pooled connections keep no session state
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK, timeout=_NO_LIMIT)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for path in sorted(folder.glob("*.sql")):
                if path.name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text(), timeout=_NO_LIMIT)
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", path.name)
                log.debug("applied migration %s", path.name)
                applied_now.append(path.name)
            # The job queue's tables are PgQueuer's own (server/storage/jobs.py): installed once,
            # converged after an upgrade of the library, under the same lock.
            if await install_queue(conn):
                log.info("installed the job queue's tables")
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK)
            await conn.execute("RESET statement_timeout")
    # One line, not one per file: a first start applies them all.
    if applied_now:
        log.info("migrated the database: applied %d migration(s), %s", len(applied_now),
                 applied_now[0] if len(applied_now) == 1 else f"{applied_now[0]} to {applied_now[-1]}")
    else:
        log.info("the database schema is up to date (%d migrations)", len(done))
    return applied_now
