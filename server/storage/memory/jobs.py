"""The in-memory twins of ``server.storage.jobs``: a job list that rolls back with its unit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from server.services.ports.jobs import QueuedJob, Swept
from server.storage.memory.unit import MemoryDatabase


class MemoryJobs:
    """Implements ``Jobs`` (table ``jobs``: the queued jobs, in order; ``job_ids``: the last id)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._jobs: list[QueuedJob] = db.table("jobs", list)

    async def enqueue(self, kind: str, payload: dict[str, Any], *, after: timedelta | None = None,
                      dedupe_key: str | None = None) -> int | None:
        if dedupe_key is not None and any(j.dedupe_key == dedupe_key and j.status in ("queued", "picked")
                                          for j in self._jobs):
            return None
        ids = self._db.table("job_ids", lambda: [0])
        ids[0] += 1
        # Through JSON, as in Postgres: a payload that could not be stored fails here too.
        stored = msgspec.json.decode(msgspec.json.encode(payload))
        self._jobs.append(QueuedJob(ids[0], kind, stored, self._db.now() + (after or timedelta(0)), dedupe_key,
                                    "queued"))
        return ids[0]

    async def waiting(self, kind: str | None = None) -> list[QueuedJob]:
        return [j for j in self._jobs if kind is None or j.kind == kind]


class MemoryHousekeeping:
    """Implements ``Housekeeping`` over the account twins' tables."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    async def sweep(self, throttle_forget_after: float) -> Swept:
        now = self._db.now()
        sessions = self._db.table("sessions")
        resets = self._db.table("password_resets")
        counters = self._db.table("auth_throttle")
        gone_sessions = [t for t, s in sessions.items() if s.expires_at <= now]
        gone_resets = [t for t, r in resets.items() if r.used or r.expires_at <= now]
        forget = now - timedelta(seconds=throttle_forget_after)
        gone_counters = [k for k, c in counters.items() if c.last_at <= forget]
        for table, gone in ((sessions, gone_sessions), (resets, gone_resets), (counters, gone_counters)):
            for key in gone:
                del table[key]
        return Swept(len(gone_sessions), len(gone_resets), len(gone_counters))
