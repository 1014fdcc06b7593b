"""The shared insights dashboard document, ``dashboard:<workspace id>`` (issue 19 item 4): a new
workspace registers it; its members arrange it together over ``/sync`` (a change reaches the
others live and is stored), viewers read it, and guests and strangers are told 4404 / 404 exactly
as for a document that does not exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

import httpx
import pytest
from pycrdt import Doc, Map

from client import connect
from tests.support.accounts import AUTH, Account, team_and_strangers
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for


class World(NamedTuple):
    server: InProcessServer
    workspace: str
    callers: dict[str, Account | None]

    @property
    def document(self) -> str:
        return f"dashboard:{self.workspace}"

    def http(self, who: str) -> httpx.AsyncClient:
        account = self.callers[who]
        return httpx.AsyncClient(base_url=self.server.http_url, headers=account.headers if account else {})


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as server:
        t, guest, outsider = await team_and_strangers(server.http_url)
        callers = {"owner": t.owner, "member": t.member, "viewer": t.viewer, "guest": guest,
                   "other_workspace": outsider, "anonymous": None}
        yield World(server, t.workspace, callers)


def layout_update(widget: str) -> bytes:
    doc = Doc()
    doc.get("widgets", type=Map)[widget] = Map({"rank": "a0", "hidden": False})
    return doc.get_update()


def ranks(doc: Doc) -> dict[str, str]:
    return {key: entry["rank"] for key, entry in doc.get("widgets", type=Map).items()}


@pytest.mark.parametrize(("who", "opens", "write_status"), [
    ("owner", True, 204), ("member", True, 204), ("viewer", True, 403),
    ("guest", False, 404), ("other_workspace", False, 404), ("anonymous", False, 401),
])
async def test_members_arrange_the_dashboard_viewers_read_it_and_others_cannot_tell_it_exists(
        world, who, opens, write_status):
    account = world.callers[who]
    peer = await Peer.open(world.server.ws_url, world.document, account.token if account else None)
    try:
        assert await peer.opened() is opens, who
        if not opens:
            code, _ = await peer.closed_with()
            assert code == (4401 if who == "anonymous" else 4404), who
    finally:
        await peer.close()
    async with world.http(who) as http:
        write = await http.post(f"/api/documents/{world.document}/updates", content=layout_update("funnel"))
    assert write.status_code == write_status, (who, write.text)


async def test_a_members_rearrangement_reaches_a_viewer_live_and_a_later_reader_from_storage(world):
    async with connect(world.server.ws_url, world.document, token=world.callers["viewer"].token) as viewer:
        async with connect(world.server.ws_url, world.document, token=world.callers["member"].token) as member:
            widgets = member.doc.get("widgets", type=Map)
            widgets["forecast"] = Map({"rank": "a1", "hidden": False})
            widgets["reps"] = Map({"rank": "a0", "hidden": True})
            await member.durable()
        await viewer.wait_for(lambda: "reps" in ranks(viewer.doc), timeout=5)
        assert ranks(viewer.doc) | {"forecast": "a1", "reps": "a0"} == ranks(viewer.doc)
        assert viewer.doc.get("widgets", type=Map)["reps"]["hidden"] is True
    async with connect(world.server.ws_url, world.document, token=world.callers["owner"].token) as later:
        assert (ranks(later.doc)["forecast"], ranks(later.doc)["reps"]) == ("a1", "a0")


async def test_another_workspaces_dashboard_is_not_this_ones(world):
    outsider = world.callers["other_workspace"]
    async with world.http("other_workspace") as http:
        mine = (await http.get("/api/workspaces")).json()
    theirs = next(w["id"] for w in mine if w["name"] == "Elsewhere")
    async with connect(world.server.ws_url, f"dashboard:{theirs}", token=outsider.token) as own:
        own.doc.get("widgets", type=Map)["goals"] = Map({"rank": "Zz", "hidden": True})
        await own.durable()
    async with connect(world.server.ws_url, world.document, token=world.callers["owner"].token) as ours:
        assert "goals" not in ranks(ours.doc)
