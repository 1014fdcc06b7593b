"""Waiting on conditions under a deadline instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(predicate: Callable[[], object], timeout: float = 5.0, every: float = 0.02) -> None:
    """Return once ``predicate()`` is true; fail with ``TimeoutError`` after ``timeout`` s."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(every)
