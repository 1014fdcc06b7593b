"""Job kinds for worker tests (``TANDEM_JOB_MODULES=tests.support.job_kinds``): each writes what
it does to files under ``TANDEM_TEST_JOBS_DIR`` so the test, in another process, can see it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from server.services.jobs import JobKinds
from server.services.ports.unit import Begin


def _note(name: str, line: str) -> None:
    folder = Path(os.environ["TANDEM_TEST_JOBS_DIR"])
    with (folder / name).open("a") as out:  # O_APPEND: lines of several workers do not interleave
        out.write(f"{line}\n")


def register(kinds: JobKinds, begin: Begin) -> None:
    @kinds.handle("test.record")
    async def record(payload: dict[str, Any]) -> None:
        _note("ran", str(payload["n"]))

    @kinds.handle("test.block")
    async def block(payload: dict[str, Any]) -> None:
        """Starts, then waits for the file ``release`` before it is done."""
        _note("block", f"start {payload['n']} {os.getpid()}")
        release = Path(os.environ["TANDEM_TEST_JOBS_DIR"]) / "release"
        while not release.exists():
            await asyncio.sleep(0.05)  # polls a file the test writes from another process
        _note("block", f"done {payload['n']} {os.getpid()}")

    @kinds.handle("test.fail")
    async def fail(payload: dict[str, Any]) -> None:
        _note("fail", f"attempt {payload['n']}")
        raise RuntimeError("the receiving end is down")
