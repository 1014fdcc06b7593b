"""What the worker runs: ``JobKinds``, a registry of job kind -> async handler over the services,
and the cron schedules that enqueue kinds on a timetable.

A handler gets the job's payload (the JSON the enqueuing unit of work wrote) and returns nothing;
raising makes the worker retry the job with backoff, then hold it as failed (``server/worker.py``).
Handlers must be idempotent within one job: a worker killed mid-job leaves it to be run again.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from server.services.ports.unit import Begin

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]

HOUSEKEEPING = "housekeeping.sweep"


class JobKinds:
    """The job kinds one worker runs: ``kinds.handle("kind")(handler)``; ``kinds.every(kind, cron)``
    schedules a kind (its handler gets an empty payload)."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.schedules: dict[str, str] = {}

    def handle(self, kind: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if kind in self.handlers:
                raise ValueError(f"job kind {kind!r} has a handler already")
            self.handlers[kind] = handler
            return handler

        return register

    def every(self, kind: str, cron: str) -> None:
        """Run ``kind`` on the cron timetable ``cron`` (once per tick across all workers)."""
        if kind not in self.handlers:
            raise ValueError(f"schedule for {kind!r}: expected a kind with a handler, have {sorted(self.handlers)}")
        self.schedules[kind] = cron


def job_kinds(begin: Begin, *, throttle_forget_after: float, housekeeping_cron: str,
              modules: str = "") -> JobKinds:
    """The registry the worker runs: the built-in kinds, then those each of ``modules`` (comma
    separated; ``TANDEM_JOB_MODULES``) adds with its ``register(kinds, begin)``."""
    kinds = JobKinds()

    @kinds.handle(HOUSEKEEPING)
    async def sweep(payload: dict[str, Any]) -> None:
        """Delete expired sessions, spent reset tokens and idle throttle counters."""
        async with begin() as unit:
            swept = await unit.housekeeping.sweep(throttle_forget_after)
        log.info("housekeeping: deleted %d expired session(s), %d reset token(s), %d throttle counter(s)",
                 swept.sessions, swept.resets, swept.throttle)

    if housekeeping_cron:
        kinds.every(HOUSEKEEPING, housekeeping_cron)
    for name in filter(None, (m.strip() for m in modules.split(","))):
        importlib.import_module(name).register(kinds, begin)
    return kinds
