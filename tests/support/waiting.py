"""Waiting on conditions under a deadline instead of sleeping a fixed time: the one helper tests use.

``eventually(check)`` re-runs ``check`` — a plain function or a coroutine function — until it
returns something truthy, and returns that; past ``timeout`` it fails with ``TimeoutError``
naming what it waited for. Tests wait for what they mean (a room unloaded, a row projected, a
socket closed), never for a fixed time: a sleep is either too short on a busy machine or wastes
time on an idle one. (Stock Yjs peers in tests/interop wait on their change events instead:
``tests/interop/node_peer.until``.)
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(check: Callable[[], Any | Awaitable[Any]], timeout: float = 5.0, every: float = 0.02,
                     what: str | None = None) -> Any:
    """Return ``check()``'s first truthy result (awaited if it is awaitable); fail with
    ``TimeoutError`` after ``timeout`` s."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                result = check()
                if inspect.isawaitable(result):
                    result = await result
                if result:
                    return result
                await asyncio.sleep(every)
    except TimeoutError:
        raise TimeoutError(f"waited {timeout:g} s for {what or _describe(check)}") from None


def _describe(check: Callable[[], Any]) -> str:
    name = getattr(check, "__qualname__", repr(check))
    code = getattr(check, "__code__", None)
    where = f" ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})" if code is not None else ""
    return f"{name}{where}"
