"""Background jobs: the transactional outbox (``Jobs``) and the housekeeping a cron job runs.

A job is enqueued through the unit of work that makes the change causing it, so it is written
in the same transaction: if the unit rolls back, the job was never there; if it commits, a worker
(``python -m server worker``, or the in-process one on the embedded default) runs it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

import msgspec


class QueuedJob(msgspec.Struct, frozen=True):
    """A job waiting for a worker (or running on one)."""

    id: int
    kind: str
    payload: dict[str, Any]
    run_after: datetime
    dedupe_key: str | None
    status: str  # queued, picked (a worker runs it), failed (retries used up)


class Swept(msgspec.Struct, frozen=True):
    """What one housekeeping pass deleted."""

    sessions: int
    resets: int
    throttle: int


class QueueReport(msgspec.Struct, frozen=True):
    """The queue at one moment, for /health and /metrics."""

    queued: int  # waiting for a worker (due now or later)
    due: int  # of those, due now
    running: int
    failed: int  # retries used up, kept for a person to look at
    oldest_seconds: float  # how long the oldest job due now has waited for a worker (0: none waits)
    workers: int  # worker processes connected
    by_kind: dict[str, dict[str, int]]  # kind -> status -> count


class Jobs(Protocol):
    async def enqueue(self, kind: str, payload: dict[str, Any], *, after: timedelta | None = None,
                      dedupe_key: str | None = None) -> int | None:
        """Queue ``kind`` with ``payload`` (JSON values) when this unit commits, to run no sooner
        than ``after`` from now; its id, or None if a job with ``dedupe_key`` is still waiting."""
        ...

    async def waiting(self, kind: str | None = None) -> list[QueuedJob]:
        """Jobs not yet done (queued, running or failed), oldest first; only ``kind``'s if given."""
        ...


class Housekeeping(Protocol):
    async def sweep(self, throttle_forget_after: float) -> Swept:
        """Delete expired sessions, used or expired reset tokens, and throttle counters left
        alone for ``throttle_forget_after`` seconds; how many of each."""
        ...


class QueueMonitor(Protocol):
    async def report(self) -> QueueReport:
        """The queue's depth, its oldest waiting job, its failures and the workers connected."""
        ...
