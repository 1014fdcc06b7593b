"""Memory freed by closed rooms goes back to the operating system (issue 13, item 8).

When rooms close, everything they held is freed — rooms, connections, projection trackers,
socket watchers; the Python heap and the C allocator's bytes in use return to where they were
(tests/integration/test_room_memory.py counts the objects). glibc's ``free`` does not give the
pages back, though: it shrinks the heap only from the top, and a few long-lived allocations made
meanwhile pin it. The heap keeps the largest working set seen so far, and boards that grow
between rounds (a room load and a projection read the history since the last compaction) raise
that peak each round: 200 boards with 600 sockets per round left the idle process 10 MB larger
per round (94 -> 157 MB over six rounds, while 14 MB were in use). ``malloc_trim(0)`` returns the
free pages inside the heap too (``madvise``), about 2 ms for a 60 MB heap, so ``Trimmer`` calls
it, off the event loop, when rooms have closed since its last look.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on a C library without it (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim  # CDLL releases the GIL during the call
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _load_malloc_trim()


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the OS; returns whether this C library can."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


class Trimmer:
    """Called every few seconds (``server.app``): if ``progress()`` — e.g. rooms unloaded so
    far — changed since the last call, release free memory on a worker thread."""

    def __init__(self, progress: Callable[[], Hashable],
                 release: Callable[[], bool] = release_free_memory) -> None:
        self._progress, self._release = progress, release
        self._seen = progress()
        self._running: asyncio.Future[bool] | None = None
        self.trims = 0  # releases done (the metrics endpoint shows it)

    @property
    def due(self) -> bool:
        """Whether rooms closed since the last release (or one is running)."""
        return self._progress() != self._seen or (self._running is not None and not self._running.done())

    def __call__(self, now: float) -> None:
        seen = self._progress()
        if seen == self._seen or (self._running is not None and not self._running.done()):
            return
        self._seen = seen
        self._running = asyncio.get_running_loop().run_in_executor(None, self._release)
        self._running.add_done_callback(self._done)

    def _done(self, running: asyncio.Future[bool]) -> None:
        if running.cancelled():
            return
        if running.exception() is not None:
            log.error("releasing free memory failed", exc_info=running.exception())
        elif running.result():
            self.trims += 1
