"""API edits to a board nobody has open keep landing while its room comes and goes.

A room opened only by API calls has no peers, so it is unloaded ``room_grace_seconds`` after it
was loaded. A call that took the room before an await (its access and reference checks) and made
its change after the unload wrote into a room no longer listed: the next call loaded the document
anew without that change and answered 404 for the card just created (seed-demo's side-by-side
calls met it). Each API use now keeps the room for another grace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

GRACE = 0.3


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=GRACE, **AUTH)) as running:
        yield running


async def test_cards_created_and_moved_side_by_side_over_several_graces_are_all_found(server):
    t = await team(server.http_url)
    board = t.board["id"]
    qualified = next(s["stage"] for s in await stages(server, t.owner, t.workspace, board) if s["name"] == "Qualified")
    failures: list[str] = []
    made: list[str] = []

    async def deal(index: int) -> None:
        created = await call(server, t.owner, "POST", f"/api/boards/{board}/cards",
                             json={"title": f"Deal {index}", "owner": t.member.id, "value": 100 * index})
        if created.status_code != 201:
            failures.append(f"create {index}: {created.status_code} {created.text}")
            return
        card = created.json()["id"]
        made.append(card)
        moved = await call(server, t.owner, "POST", f"/api/boards/{board}/cards/{card}/move",
                           json={"stage": qualified})
        if moved.status_code != 200:
            failures.append(f"move {index}: {moved.status_code} {moved.text}")

    slots = asyncio.Semaphore(6)

    async def paced(index: int) -> None:
        async with slots:
            await deal(index)
            await asyncio.sleep(0.02)  # pacing: the calls must span several graces

    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(paced(i) for i in range(60)))
    assert asyncio.get_running_loop().time() - started > 2 * GRACE, "the calls must span several graces"
    assert not failures, failures[:5]

    rooms = server.services.rooms
    await eventually(lambda: t.document not in rooms, timeout=5)  # unloaded; the next read loads what was stored
    async def listed() -> list:  # the list reads the projection, which a busy process runs up to 1 s apart
        deals = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/deals", params={"limit": 500})
        return deals if len(deals) == len(made) and {d["stage_name"] for d in deals} == {"Qualified"} else []

    deals = await eventually(listed, timeout=10, what="every deal listed in Qualified")
    assert sorted(d["id"] for d in deals) == sorted(made)
