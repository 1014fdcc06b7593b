"""Merging Yjs updates, in bounded chunks.

pycrdt's ``merge_updates`` costs more per update the more it is given at once (about 2.8 µs per
update for 100, 48 µs for 10,000 on the benchmark machine), while merging chunks of 64 and then
the chunks' results stays near 1.5 µs per update at any size, with an identical document.
Under load a room turn or a commit batch can hold thousands of updates.
"""

from __future__ import annotations

from collections.abc import Sequence

from pycrdt import merge_updates

CHUNK = 64


def merge(updates: Sequence[bytes]) -> bytes:
    """One update equivalent to all of ``updates`` (at least one)."""
    level = list(updates)
    while len(level) > 1:
        level = [
            merge_updates(*level[i:i + CHUNK]) if len(level) - i > 1 else level[i]
            for i in range(0, len(level), CHUNK)
        ]
    return level[0]
