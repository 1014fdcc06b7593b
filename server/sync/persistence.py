"""Group commit: every update a node's clients send is appended to the log, many per transaction.

One writer task per process takes everything queued, waits one short window so that a burst
shares a transaction, writes one merged row per document, commits, and only then tells each
room (which sends the durable acknowledgements). A failed commit is retried with the same rows,
before anything queued later, so acknowledgements stay in order; rooms with unsaved updates are
never unloaded. After a commit, documents whose log has grown are compacted in the background.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING


from server.sync.ports import DocumentStore
from server.sync.updates import merge

if TYPE_CHECKING:
    from server.sync.room import Room

log = logging.getLogger(__name__)


class Batch:
    """What one transaction writes and, once it commits, whom to tell what.

    Taken in one synchronous step: each room's doc holds exactly what it held when its updates
    were queued (apply and enqueue happen in the same turn), so its state vector now, and each
    connection's frame count now, are exactly what this batch makes durable.
    """

    __slots__ = ("rooms",)

    def __init__(self, queued: list[tuple[Room, bytes | None]]) -> None:
        grouped: dict[Room, list[bytes | None]] = {}
        for room, update in queued:
            grouped.setdefault(room, []).append(update)
        self.rooms = [
            (room, _merged(items), len(items), room.doc.get_state(), room.durable_marks())
            for room, items in grouped.items()
        ]

    def rows(self) -> list[tuple[str, bytes]]:
        return [(room.name, update) for room, update, *_ in self.rooms if update is not None]


def _merged(items: list[bytes | None]) -> bytes | None:
    """One row per document per batch (``None`` items only ask for an acknowledgement)."""
    updates = [update for update in items if update is not None]
    if len(updates) <= 1:
        return updates[0] if updates else None
    return merge(updates)


class GroupCommitter:
    """Appends queued updates to the store in group-committed transactions."""

    def __init__(
        self, store: DocumentStore, *, window: float, retry: float, compact_after_rows: int
    ) -> None:
        self._store = store
        self._window = window
        self._retry = retry
        self._compact_after = compact_after_rows
        self._queue: list[tuple[Room, bytes | None]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._compacting: dict[str, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.rows_written = 0
        self.updates_committed = 0
        self.commit_seconds = 0.0  # time inside append(), summed over batches
        self.lag_seconds = 0.0  # oldest enqueue -> commit, summed over batches
        self.failures = 0
        self.compactions = 0
        self._oldest = 0.0

    async def __aenter__(self) -> GroupCommitter:
        self._task = asyncio.create_task(self._run(), name="group-commit")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.drain()
        if self._task is not None:
            self._task.cancel()
        for task in list(self._compacting.values()):
            await asyncio.gather(task, return_exceptions=True)

    def enqueue(self, room: Room, update: bytes | None) -> None:
        if not self._queue:
            self._oldest = time.monotonic()
        self._queue.append((room, update))
        self._idle.clear()
        self._wake.set()

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (used on shutdown)."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            if self._window:
                await asyncio.sleep(self._window)
            self._wake.clear()
            await self._commit_queued()  # a call of its own, so no local keeps rooms alive
            if not self._queue:
                self._idle.set()

    async def _commit_queued(self) -> None:
        queued, self._queue = self._queue, []
        if queued:
            await self._commit(Batch(queued), self._oldest, len(queued))

    async def _commit(self, batch: Batch, oldest: float, items: int) -> None:
        rows = batch.rows()
        while rows:
            started = time.monotonic()
            try:
                await self._store.append(rows)
                self.commit_seconds += time.monotonic() - started
                break
            except Exception:
                self.failures += 1
                log.exception("commit of %d rows failed; retrying", len(batch.rooms))
                await asyncio.sleep(self._retry)
        self.batches += 1
        self.rows_written += len(rows)
        self.updates_committed += items
        self.lag_seconds += time.monotonic() - oldest
        for room, update, count, state, marks in batch.rooms:
            room.committed(count, int(update is not None), state, marks)
            if room.log_rows >= self._compact_after and room.name not in self._compacting:
                self._start_compaction(room)

    def _start_compaction(self, room: Room) -> None:
        task = asyncio.create_task(self._compact(room), name=f"compact:{room.name}")
        self._compacting[room.name] = task
        task.add_done_callback(lambda _: self._compacting.pop(room.name, None))

    async def _compact(self, room: Room) -> None:
        try:
            removed = await self._store.compact(room.name)
            self.compactions += 1
            room.log_rows = max(0, room.log_rows - removed)
        except Exception:
            log.exception("compaction failed; the log stays as it is", extra={"document": room.name})
