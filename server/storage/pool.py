"""The asyncpg connection pool, without a reset round trip on every release.

asyncpg's default release sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
ALL`` before a connection goes back to the pool: a second round trip per group commit, paid
before the durable acknowledgement (about 12% of a node's CPU with 1,000 busy rooms, see
docs/performance.md). Tandem keeps no session state on pooled connections, so there is nothing
to reset:

* advisory locks are transaction-scoped (``pg_advisory_xact_lock``), except the migration lock,
  which ``migrate`` unlocks itself;
* no ``SET`` without ``LOCAL``, no ``LISTEN`` (access events have their own connection), no
  cursors outside a transaction.

asyncpg still rolls back a transaction left open and drops listeners on release whatever
``reset`` is; only the reset query is skipped. Code that adds session state must undo it
itself, or this must change.
"""

from __future__ import annotations

from typing import Any

import asyncpg


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's ``reset``: nothing to do (see the module docstring)."""


class _TimedPool(asyncpg.Pool):
    """A pool whose ``acquire`` gives up after ``acquire_timeout`` unless told otherwise, so a
    request never queues forever behind connections a frozen Postgres holds."""

    def __init__(self, *args: Any, acquire_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 8, statement_timeout: float | None = None,
                      connect_timeout: float | None = None) -> asyncpg.Pool:
    """The pool; the server passes timeouts (``TANDEM_STATEMENT_TIMEOUT_SECONDS``,
    ``TANDEM_DATABASE_CONNECT_TIMEOUT_SECONDS``), the command-line tools wait as long as it takes.

    ``statement_timeout`` is Postgres's (it cancels a slow statement cleanly and the connection
    lives on) and, a second later, asyncpg's ``command_timeout`` (for a server that does not
    answer at all). ``connect_timeout`` bounds opening a connection; waiting for a pooled one is bounded by the
    longer of the two.
    """
    timeouts: dict[str, Any] = {}
    if statement_timeout:
        timeouts["server_settings"] = {"statement_timeout": str(int(statement_timeout * 1000))}
        timeouts["command_timeout"] = statement_timeout + 1.0
    if connect_timeout:
        timeouts["timeout"] = connect_timeout
    # asyncpg.create_pool's own defaults, with the pool class that has an acquire timeout.
    return await _TimedPool(
        url, min_size=min_size, max_size=max_size, max_queries=50000, max_inactive_connection_lifetime=300.0,
        loop=None, connection_class=asyncpg.Connection, record_class=asyncpg.Record, reset=_keep_session,
        acquire_timeout=_acquire_timeout(statement_timeout, connect_timeout), **timeouts)


def _acquire_timeout(statement_timeout: float | None, connect_timeout: float | None) -> float | None:
    """How long a caller waits for a pooled connection: as long as a statement may take (a burst
    of socket admissions legitimately queues behind busy connections for a few seconds; only a
    frozen Postgres holds them longer), and at least the connect timeout."""
    if statement_timeout is None or connect_timeout is None:
        return statement_timeout or connect_timeout
    return max(statement_timeout, connect_timeout)
