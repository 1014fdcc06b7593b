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

import asyncpg


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's ``reset``: nothing to do (see the module docstring)."""


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 8) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, reset=_keep_session)
