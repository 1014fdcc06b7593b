"""A no-op job kind for ``bench/automations.py``'s jobs/s measurement
(``TANDEM_JOB_MODULES=bench.job_kinds``): the worker's own cost per job, nothing else."""

from __future__ import annotations

from typing import Any

from server.services.jobs import JobKinds
from server.services.ports.unit import Begin


def register(kinds: JobKinds, begin: Begin) -> None:
    @kinds.handle("bench.noop")
    async def noop(payload: dict[str, Any]) -> None:
        return None
