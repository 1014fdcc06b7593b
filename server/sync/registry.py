"""The open rooms of this process: load on first join, unload after the last leave plus grace.

Joiners of a room that is still loading all await the same load (a shielded task), so clients
joining a brand-new room at the same moment share one room and none hangs. A failed load is
raised to every joiner and leaves no room behind: an empty document never stands in for a
stored one. A room is unloaded only when it has no connections *and* nothing left to commit.
"""

from __future__ import annotations

import asyncio
import logging

from pycrdt import Doc

from server.sync.connection import Connection
from server.sync.persistence import GroupCommitter
from server.sync.ports import DocumentStore
from server.sync.room import Limits, Room

log = logging.getLogger(__name__)


class Rooms:
    """Every open ``Room`` of this process, by document name."""

    def __init__(
        self, store: DocumentStore, committer: GroupCommitter, limits: Limits, *, grace: float
    ) -> None:
        self._store = store
        self._committer = committer
        self._limits = limits
        self._grace = grace
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self.loads = 0
        self.unloads = 0

    def __contains__(self, name: str) -> bool:
        return name in self._rooms

    def __len__(self) -> int:
        return len(self._rooms)

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    async def open(self, name: str) -> Room:
        """The room for ``name``, loading it if needed; raises if it cannot be loaded."""
        room = self._rooms.get(name)
        if room is not None:
            return room
        task = self._loading.get(name)
        if task is None:
            task = asyncio.create_task(self._load(name), name=f"load:{name}")
            self._loading[name] = task
            task.add_done_callback(lambda _: self._loading.pop(name, None))
        return await asyncio.shield(task)

    async def join(self, name: str, conn: Connection) -> Room:
        room = await self.open(name)
        self._cancel_unload(name)
        room.add(conn)
        return room

    def leave(self, room: Room, conn: Connection) -> None:
        room.remove(conn)
        if not room.peers:
            self._schedule_unload(room)

    async def _load(self, name: str) -> Room:
        stored = await self._store.load(name)
        doc = Doc()
        for update in stored.updates:
            doc.apply_update(update)
        room = Room(name, doc, self._committer, self._limits)
        room.log_rows = stored.log_rows
        self._rooms[name] = room
        self.loads += 1
        self._schedule_unload(room)  # nobody may join after all
        return room

    def _schedule_unload(self, room: Room) -> None:
        self._cancel_unload(room.name)
        loop = asyncio.get_running_loop()
        self._unload_timers[room.name] = loop.call_later(
            self._grace, lambda: loop.create_task(self._unload(room))
        )

    def _cancel_unload(self, name: str) -> None:
        timer = self._unload_timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    async def _unload(self, room: Room) -> None:
        self._unload_timers.pop(room.name, None)
        while room.unsaved:
            await room.saved()
        if room.peers or self._rooms.get(room.name) is not room or room.name in self._unload_timers:
            return
        del self._rooms[room.name]
        room.release()
        self.unloads += 1
        log.debug("unloaded room %r", room.name)

    def close_all(self, code: int, reason: str) -> None:
        """Close every connection of every room (graceful shutdown)."""
        for room in self._rooms.values():
            room.close_all(code, reason)
