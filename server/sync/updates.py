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
"""

from __future__ import annotations

import asyncio
import logging
from bisect import bisect_right
from collections.abc import Sequence

from pycrdt import Doc, get_update, merge_updates

from server.protocol.messages import MalformedMessage, read_varuint

CHUNK = 64
OFF_LOOP_BYTES = 32 * 1024  # squash larger inputs on a worker thread (see squash_off_loop)

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
    """``squash``, on a worker thread when the input is large.

    pycrdt holds the GIL inside each call, so the event loop still waits out the longest single
    call (applying the largest update), but not the whole squash. The ``Doc`` is created, used
    and dropped inside the worker thread.
    """
    if sum(len(update) for update in updates) < OFF_LOOP_BYTES:
        return squash(updates)
    return await asyncio.to_thread(squash, list(updates))


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
