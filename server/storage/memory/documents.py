"""``MemoryDocumentStore``: the document store kept in a dict, for unit tests of the engine.

Same contract as ``PostgresDocumentStore`` (the contract suite in tests/contract runs both):
append is all-or-nothing, load returns the snapshot first and then the log in order, compaction
squashes (``server/sync/updates.squash``) and removes exactly the rows it read, one compaction of
a document at a time (a lock stands in for the advisory lock: squashing may await a thread, or
the ``Squasher``'s worker process when one is given).
"""

from __future__ import annotations

import asyncio
from itertools import count

from server.sync.ports import StoredDocument
from server.sync.updates import Squasher, squash_off_loop


class MemoryDocumentStore:
    """Implements ``server.sync.ports.DocumentStore`` in memory."""

    def __init__(self, squasher: Squasher | None = None) -> None:
        self._squasher = squasher  # without one, large documents are squashed on a thread
        self._snapshots: dict[str, bytes] = {}
        self._log: dict[str, list[tuple[int, bytes]]] = {}
        self._ids = count(1)
        self._compacting: dict[str, asyncio.Lock] = {}

    async def load(self, document: str) -> StoredDocument:
        rows = self._log.get(document, [])
        snapshot = self._snapshots.get(document)
        return StoredDocument(([snapshot] if snapshot is not None else []) + [u for _, u in rows], len(rows))

    async def append(self, rows: list[tuple[str, bytes]]) -> None:
        for document, update in rows:
            self._log.setdefault(document, []).append((next(self._ids), update))

    async def compact(self, document: str) -> int:
        async with self._compacting.setdefault(document, asyncio.Lock()):
            rows = list(self._log.get(document, []))
            if not rows:
                return 0
            snapshot = self._snapshots.get(document)
            parts = ([snapshot] if snapshot is not None else []) + [u for _, u in rows]
            squashed = await (self._squasher.squash(parts) if self._squasher else squash_off_loop(parts))
            self._snapshots[document] = squashed
            taken = {row_id for row_id, _ in rows}
            self._log[document] = [row for row in self._log[document] if row[0] not in taken]
            return len(rows)
