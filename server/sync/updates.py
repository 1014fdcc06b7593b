"""Merging Yjs updates, in bounded chunks; squashing them through a ``Doc`` for compaction.

pycrdt's ``merge_updates`` costs more per update the more it is given at once (about 2.8 µs per
update for 100, 48 µs for 10,000 on the benchmark machine), while merging chunks of 64 and then
the chunks' results stays near 1.5 µs per update at any size, with an identical document.
Under load a room turn or a commit batch can hold thousands of updates.

A merge keeps everything it is given, including every value ever overwritten or deleted: 10,000
sets of one map key merge into ~170-270 KB. ``squash`` applies the updates to a fresh ``Doc``,
which garbage-collects deleted content, and encodes that (the same state in ~60 bytes). But a
``Doc`` encodes only what it could integrate: pycrdt (yrs) keeps an update whose dependencies
are missing (a struct whose origin it lacks, a deletion of an item it has not seen) *pending*,
and, unlike Yjs's ``encodeStateAsUpdate``, ``Doc.get_update()`` leaves pending structs and
pending deletions out. Log rows can be read without one they depend on (two nodes commit
independently, so a row can be visible before an earlier one it builds on), so ``squash`` checks
that the ``Doc`` holds every struct and every deletion it was given, and when it does not, returns
the lossless ``merge`` instead — nothing accepted is ever dropped (tests/unit/test_squash.py).

Squashing a large document is CPU-bound (~100 ms for the 1.35 MB board of bench/board.py), and
pycrdt holds the GIL inside each call, so a worker *thread* still stalls the event loop for the
longest call. ``Squasher`` runs large squashes in a worker *process* instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from bisect import bisect_right
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pycrdt import Doc, get_update, merge_updates

from server.protocol.messages import MalformedMessage, read_varuint

CHUNK = 64
OFF_LOOP_BYTES = 32 * 1024  # squash larger inputs off the event loop (Squasher, squash_off_loop)

log = logging.getLogger(__name__)


def merge(updates: Sequence[bytes]) -> bytes:
    """One update equivalent to all of ``updates`` (at least one)."""
    level = list(updates)
    while len(level) > 1:
        level = [
            merge_updates(*level[i:i + CHUNK]) if len(level) - i > 1 else level[i]
            for i in range(0, len(level), CHUNK)
        ]
    return level[0]


def squash(updates: Sequence[bytes]) -> bytes:
    """One update holding the same document as all of ``updates`` (at least one), without the
    content of deleted items when that is safe; otherwise the lossless ``merge`` of them.

    The first update (a snapshot, in compaction) is applied alone. If the ``Doc`` encodes it
    back byte for byte, it held nothing pending (what ``squash`` writes normally comes back
    unchanged), and the rest are merged and applied on top as one update. Otherwise all of them
    are merged and applied as one update: applied one by one, out-of-order updates can leave
    yrs with a struct pending for good even once its dependencies are in (see the tests), and
    merged they did not in any test. Either way the update applied last is then checked.
    """
    first, rest = updates[0], list(updates[1:])
    try:
        doc = Doc()
        doc.apply_update(first)
        if doc.get_update() == first:
            if not rest:
                return first
            applied, whole = merge(rest), None
        else:
            doc = Doc()
            applied = whole = merge(updates)
        doc.apply_update(applied)
        if _holds_all(doc, applied):
            return doc.get_update()
        return whole if whole is not None else merge([first, applied])
    except Exception:  # pycrdt's errors; a Rust panic (a BaseException) propagates: nothing is lost
        log.exception("squashing through a Doc failed; merging instead")
        return merge(updates)


async def squash_off_loop(updates: Sequence[bytes]) -> bytes:
    """``squash``, on a worker thread when the input is large: what a store without a
    ``Squasher`` does (the ``compact`` command, tests), and the ``Squasher``'s fallback.

    pycrdt holds the GIL inside each call, so the event loop still waits out the longest single
    call (applying the largest update: ~60-70 ms for the 1.35 MB board), but not the whole
    squash. The ``Doc`` is created, used and dropped inside the worker thread.
    """
    if sum(len(update) for update in updates) < OFF_LOOP_BYTES:
        return squash(updates)
    return await asyncio.to_thread(squash, list(updates))


class Squasher:
    """``squash`` for a serving process: inline when the input is small, in one worker process
    when it is large (``OFF_LOOP_BYTES`` and more), so a big board's compaction does not stall
    every room on the node (the loop's longest stall: 3-6 ms instead of 30-75 ms on a thread).

    The worker is started on first need and *spawned*, not forked (this process runs threads,
    uvloop and asyncpg connections). It ignores SIGINT, so Ctrl-C stops the server, which stops
    the worker; and it exits by itself if the server dies without stopping it. Only bytes cross:
    the input updates, and the squashed update back. Large squashes queue for the one worker,
    each compaction holding its transaction meanwhile.

    If the worker dies (``BrokenProcessPool``), cannot be started, or the call fails in any
    other way, the same input is squashed on a worker thread (``squash_off_loop``'s way) and
    the compaction completes; a dead worker's pool is dropped and the next large squash starts
    a fresh one.
    After ``aclose`` (leaving ``async with``, which the app's lifespan does after the group
    committer's last compaction) it stops its worker and squashes on threads from then on.
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    async def __aenter__(self) -> Squasher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def executor(self) -> ProcessPoolExecutor:
        """The worker pool (one process), created if there is none yet."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)
        return self._executor

    async def squash(self, updates: Sequence[bytes]) -> bytes:
        """``squash(updates)``, without holding the event loop for long."""
        if sum(len(update) for update in updates) < OFF_LOOP_BYTES:
            return squash(updates)
        updates = list(updates)
        if self._closed:
            return await asyncio.to_thread(squash, updates)
        executor = None
        try:
            executor = self.executor()
            return await asyncio.get_running_loop().run_in_executor(executor, squash, updates)
        except Exception as exc:  # cancellation propagates: the caller's transaction rolls back
            log.exception("squashing in the worker process failed; squashing on a thread instead")
            if executor is not None and isinstance(exc, BrokenProcessPool):
                self._drop(executor)
            return await asyncio.to_thread(squash, updates)

    async def aclose(self) -> None:
        """Stop the worker process (a squash in progress finishes first) and wait for it to exit."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True)

    def _drop(self, executor: ProcessPoolExecutor) -> None:
        """Forget a broken pool (its manager thread has already terminated and joined the
        worker); several squashes failing on it at once drop it once."""
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False)


def _init_worker() -> None:
    """In the worker process: leave SIGINT (Ctrl-C reaches the whole process group) to the
    server, which shuts the worker down in order; and exit when the server is gone without doing
    so (``kill -9``, a crash) — the worker holds its own task queue's write end, so it would
    otherwise wait for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), name="exit-with-parent",
                         daemon=True).start()


def _exit_with_parent(sentinel: int) -> None:
    """Wait until the parent's end of the spawn pipe closes (the parent has exited), then exit."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


# --- checking that a Doc holds everything it was given ----------------------------------------


def _holds_all(doc: Doc, update: bytes) -> bool:
    """Whether ``doc`` integrated every struct and every deletion of ``update``.

    A struct is held if the doc's state vector covers it: the state vector counts only what is
    integrated (a pending struct, or one after a gap in a client's clocks, is beyond it), so the
    diff of an update against it holds no struct exactly when all of its structs are in.
    That diff always carries the update's whole delete set, which must then lie within the
    ranges the doc itself records as deleted.
    """
    state = doc.get_state()
    reader = _Reader(get_update(update, state))
    if reader.uint() != 0:  # structs the doc does not hold
        return False
    deletions = reader.delete_set()
    if not deletions:
        return deletions is not None
    own = _Reader(doc.get_update(state))  # no structs past its own state, then its delete set
    deleted = own.delete_set() if own.uint() == 0 else None
    return deleted is not None and all(
        _covers(deleted.get(client, []), ranges) for client, ranges in deletions.items()
    )


def _covers(held: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> bool:
    """Whether every ``(start, end)`` of ``ranges`` lies inside one of ``held`` (sorted, merged)."""
    starts = [start for start, _ in held]
    for start, end in ranges:
        i = bisect_right(starts, start) - 1
        if i < 0 or held[i][1] < end:
            return False
    return True


class _Reader:
    """Reads lib0 variable-length unsigned integers: the parts of update v1 ``squash`` needs."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def uint(self) -> int:
        value, self.pos = read_varuint(self.data, self.pos)
        return value

    def delete_set(self) -> dict[int, list[tuple[int, int]]] | None:
        """The delete set that ends the update, per client as sorted, merged ``(start, end)``
        ranges; ``None`` if the bytes are not exactly one delete set."""
        try:
            result: dict[int, list[tuple[int, int]]] = {}
            for _ in range(self.uint()):
                client = self.uint()
                ranges = result.setdefault(client, [])
                for _ in range(self.uint()):
                    clock = self.uint()
                    ranges.append((clock, clock + self.uint()))
        except MalformedMessage:
            return None
        if self.pos != len(self.data):
            return None
        for client, ranges in result.items():
            ranges.sort()
            merged: list[tuple[int, int]] = []
            for start, end in ranges:
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                elif end > start:
                    merged.append((start, end))
            result[client] = merged
        return result
