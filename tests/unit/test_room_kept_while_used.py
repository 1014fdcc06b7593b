"""A room nobody has a socket open to, used by API calls, stays loaded until a grace after its
last use (not a grace after it was loaded): a call that took the room, awaited its checks and
then changed it, must not write into a room already unloaded while the next call loads another."""

from __future__ import annotations

import asyncio

from pycrdt import Map

from server.storage.memory import MemoryDocumentStore
from server.sync.persistence import GroupCommitter
from server.sync.registry import Rooms, holding_rooms
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


async def test_a_room_opened_inside_a_holding_block_stays_loaded_past_the_grace_and_its_change_is_stored():
    store = MemoryDocumentStore()
    committer = GroupCommitter(store, window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    try:
        rooms = Rooms(store, committer, LIMITS, grace=GRACE)
        async with holding_rooms():
            room = await rooms.open("board:held")
            await asyncio.sleep(GRACE * 3)  # the call's checks took longer than the grace
            assert rooms.get("board:held") is room, "unloaded while a call held it"
            room.change(lambda doc: doc.get("cards", type=Map).__setitem__("deal", "Deal 1"))
        assert room.holds == 0
        await eventually(lambda: rooms.get("board:held") is None, what="unloaded a grace after the block ended")
        reopened = await rooms.open("board:held")
        assert reopened is not room
        assert reopened.doc.get("cards", type=Map).to_py() == {"deal": "Deal 1"}, "the held room's change was lost"
    finally:
        await committer.__aexit__(None, None, None)


async def test_tasks_still_running_after_a_holding_block_ended_hold_nothing():
    committer = GroupCommitter(MemoryDocumentStore(), window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    try:
        rooms = Rooms(MemoryDocumentStore(), committer, LIMITS, grace=GRACE)
        opened = asyncio.Event()

        async def late_opener() -> None:
            await opened.wait()
            await rooms.open("board:late")  # the block has ended by now

        async with holding_rooms():
            late = asyncio.create_task(late_opener())  # copies the block's context
        opened.set()
        await late
        assert rooms.get("board:late").holds == 0
        await eventually(lambda: rooms.get("board:late") is None, what="unloaded: nothing holds it")
    finally:
        await committer.__aexit__(None, None, None)
