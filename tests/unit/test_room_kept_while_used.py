"""A room nobody has a socket open to, used by API calls, stays loaded until a grace after its
last use (not a grace after it was loaded): a call that took the room, awaited its checks and
then changed it, must not write into a room already unloaded while the next call loads another."""

from __future__ import annotations

import asyncio

from server.storage.memory import MemoryDocumentStore
from server.sync.persistence import GroupCommitter
from server.sync.registry import Rooms
from tests.unit.test_registry import LIMITS
from tests.support.waiting import eventually

GRACE = 0.2


async def test_a_room_used_again_within_the_grace_is_the_same_room_until_a_grace_after_the_last_use():
    committer = GroupCommitter(MemoryDocumentStore(), window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    try:
        rooms = Rooms(MemoryDocumentStore(), committer, LIMITS, grace=GRACE)
        room = await rooms.open("board:used")
        for _ in range(5):  # 0.6 s in all: three graces after the load
            await asyncio.sleep(GRACE * 0.6)  # the time between uses is what is tested
            assert await rooms.open("board:used") is room
        await eventually(lambda: rooms.get("board:used") is None, what="unloaded a grace after the last use")
    finally:
        await committer.__aexit__(None, None, None)
