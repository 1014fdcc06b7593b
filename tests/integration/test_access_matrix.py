"""Who can list, open, read and write a board — every cell, over HTTP and over WebSockets.

One workspace holds board B (the subject) and board C. Guests hold shares: edit of B, read of B,
or read of C only ("guest without share" of B). Another user owns a different workspace. The
expected outcome of every (caller, action) pair is spelled out below and each is one test.

Unknown and forbidden must look alike: wherever a caller is refused with 404 (HTTP) or 4404
(socket), the answer is compared with the answer for a board or document that does not exist,
and any difference fails the cell.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx
import pytest
from pycrdt import Doc, Map

from server.protocol import messages as wire
from tests.support.accounts import AUTH, Account, create_board, create_workspace, sign_up
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for

CALLERS = ["owner", "admin", "member", "viewer", "guest_edit", "guest_read", "guest_without_share",
           "other_workspace", "anonymous"]
ACTIONS = ["list", "open", "read", "write"]

# list: which of the workspace's boards the caller sees (or the status); open: the access the API
# reports; read: whether the seeded content comes back; write: whether an edit lands.
HTTP_EXPECTED = {
    "owner":               {"list": "B+C", "open": "write", "read": "seed", "write": "applied"},
    "admin":               {"list": "B+C", "open": "write", "read": "seed", "write": "applied"},
    "member":              {"list": "B+C", "open": "write", "read": "seed", "write": "applied"},
    "viewer":              {"list": "B+C", "open": "read",  "read": "seed", "write": "403"},
    "guest_edit":          {"list": "B",   "open": "write", "read": "seed", "write": "applied"},
    "guest_read":          {"list": "B",   "open": "read",  "read": "seed", "write": "403"},
    "guest_without_share": {"list": "C",   "open": "404",   "read": "404",  "write": "404"},
    "other_workspace":     {"list": "404", "open": "404",   "read": "404",  "write": "404"},
    "anonymous":           {"list": "401", "open": "401",   "read": "401",  "write": "401"},
}
# Sockets cannot list; their "list" cell is whether the caller can tell that B exists at all.
WS_EXPECTED = {
    "owner":               {"list": "exists", "open": "open", "read": "seed", "write": "applied"},
    "admin":               {"list": "exists", "open": "open", "read": "seed", "write": "applied"},
    "member":              {"list": "exists", "open": "open", "read": "seed", "write": "applied"},
    "viewer":              {"list": "exists", "open": "open", "read": "seed", "write": "dropped"},
    "guest_edit":          {"list": "exists", "open": "open", "read": "seed", "write": "applied"},
    "guest_read":          {"list": "exists", "open": "open", "read": "seed", "write": "dropped"},
    "guest_without_share": {"list": "cannot tell", "open": "4404", "read": "4404", "write": "4404"},
    "other_workspace":     {"list": "cannot tell", "open": "4404", "read": "4404", "write": "4404"},
    "anonymous":           {"list": "cannot tell", "open": "4401", "read": "4401", "write": "4401"},
}


class World(NamedTuple):
    server: InProcessServer
    workspace: str
    board: dict[str, Any]
    other_board: dict[str, Any]
    callers: dict[str, Account | None]

    def http(self, who: str) -> httpx.AsyncClient:
        account = self.callers[who]
        return httpx.AsyncClient(base_url=self.server.http_url, headers=account.headers if account else {})

    async def socket(self, who: str, document: str) -> Peer:
        account = self.callers[who]
        return await Peer.open(self.server.ws_url, document, account.token if account else None)

    async def board_content(self) -> dict[str, Any]:
        async with self.http("owner") as http:
            response = await http.get(f"/api/documents/{self.board['document']}")
        doc = Doc()
        doc.apply_update(response.content)
        return doc.get("cells", type=Map).to_py()


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        url = server.http_url
        owner = await sign_up(url, "Owner")
        workspace = await create_workspace(url, owner)
        board = await create_board(url, owner, workspace, "Deals")
        other = await create_board(url, owner, workspace, "Hiring", kind="project")
        callers: dict[str, Account | None] = {"owner": owner, "anonymous": None}
        async with httpx.AsyncClient(base_url=url, headers=owner.headers) as http:
            for role in ("admin", "member", "viewer"):
                callers[role] = await _invited(http, url, workspace, role)
            for who, target, access in (("guest_edit", board, "edit"), ("guest_read", board, "read"),
                                        ("guest_without_share", other, "read")):
                callers[who] = guest = await sign_up(url, who.replace("_", " ").title())
                shared = await http.post(f"/api/boards/{target['id']}/shares",
                                         json={"email": guest.email, "access": access})
                assert shared.status_code == 200, shared.text
            outsider = callers["other_workspace"] = await sign_up(url, "Outsider")
            await create_workspace(url, outsider, "Elsewhere")
            seeded = await http.post(f"/api/documents/{board['document']}/updates", content=_edit("seed"))
            assert seeded.status_code == 204, seeded.text
        yield World(server, workspace, board, other, callers)


async def _invited(owner_http: httpx.AsyncClient, url: str, workspace: str, role: str) -> Account:
    account = await sign_up(url, role.title())
    invited = await owner_http.post(f"/api/workspaces/{workspace}/invitations",
                                    json={"email": account.email, "role": role})
    assert invited.status_code == 201, invited.text
    async with httpx.AsyncClient(base_url=url, headers=account.headers) as http:
        accepted = await http.post("/api/invitations/accept", json={"token": invited.json()["token"]})
    assert accepted.status_code == 200, accepted.text
    return account


def _edit(key: str) -> bytes:
    doc = Doc()
    doc.get("cells", type=Map)[key] = True
    return doc.get_update()


# --- HTTP -------------------------------------------------------------------------------------


async def _alike_when_refused(response: httpx.Response, unknown: httpx.Response) -> str:
    if response.status_code == 404 and (unknown.status_code, unknown.content) != (404, response.content):
        return f"404 unlike an unknown one: {response.text} vs {unknown.text}"
    return str(response.status_code)


async def http_list(world: World, who: str) -> str:
    async with world.http(who) as http:
        response = await http.get(f"/api/workspaces/{world.workspace}/boards")
        unknown = await http.get(f"/api/workspaces/{uuid.uuid4()}/boards")
    if response.status_code != 200:
        return await _alike_when_refused(response, unknown)
    names = {board["id"]: name for board, name in ((world.board, "B"), (world.other_board, "C"))}
    return "+".join(sorted(names[board["id"]] for board in response.json()))


async def http_open(world: World, who: str) -> str:
    async with world.http(who) as http:
        response = await http.get(f"/api/boards/{world.board['id']}")
        unknown = await http.get(f"/api/boards/{uuid.uuid4()}")
    if response.status_code != 200:
        return await _alike_when_refused(response, unknown)
    assert response.json()["document"] == world.board["document"]
    return response.json()["access"]


async def http_read(world: World, who: str) -> str:
    async with world.http(who) as http:
        response = await http.get(f"/api/documents/{world.board['document']}")
        unknown = await http.get(f"/api/documents/board:{uuid.uuid4()}")
    if response.status_code != 200:
        return await _alike_when_refused(response, unknown)
    doc = Doc()
    doc.apply_update(response.content)
    return "seed" if doc.get("cells", type=Map).to_py().get("seed") else "no seed"


async def http_write(world: World, who: str) -> str:
    key = f"http-{who}"
    async with world.http(who) as http:
        response = await http.post(f"/api/documents/{world.board['document']}/updates", content=_edit(key))
        unknown = await http.post(f"/api/documents/board:{uuid.uuid4()}/updates", content=_edit(key))
    landed = key in await world.board_content()
    if response.status_code == 204:
        return "applied" if landed else "204 but not applied"
    assert not landed, f"{who}'s refused write ({response.status_code}) changed the board"
    return await _alike_when_refused(response, unknown)


HTTP_ACTIONS = {"list": http_list, "open": http_open, "read": http_read, "write": http_write}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", CALLERS)
async def test_http(world: World, who: str, action: str) -> None:
    assert await HTTP_ACTIONS[action](world, who) == HTTP_EXPECTED[who][action]


# --- WebSockets -------------------------------------------------------------------------------


async def _opened(world: World, who: str, document: str) -> tuple[Peer, str]:
    peer = await world.socket(who, document)
    if await peer.opened():
        return peer, "open"
    return peer, str(peer.close_code)


async def ws_list(world: World, who: str) -> str:
    board, seen = await _opened(world, who, world.board["document"])
    unknown, unknown_seen = await _opened(world, who, f"board:{uuid.uuid4()}")
    await board.close()
    await unknown.close()
    if seen == "open":
        return "exists"
    alike = (board.close_code, board.close_reason) == (unknown.close_code, unknown.close_reason)
    return "cannot tell" if alike else f"told apart: {seen} {board.close_reason!r} vs {unknown_seen}"


async def ws_open(world: World, who: str) -> str:
    peer, seen = await _opened(world, who, world.board["document"])
    await peer.close()
    return seen


async def ws_read(world: World, who: str) -> str:
    peer, seen = await _opened(world, who, world.board["document"])
    try:
        if seen != "open":
            assert peer.step2s == peer.updates == 0, "document bytes were sent before the refusal"
            return seen
        await peer.barrier()
        return "seed" if peer.doc.get("cells", type=Map).to_py().get("seed") else "no seed"
    finally:
        await peer.close()


async def ws_write(world: World, who: str) -> str:
    key = f"ws-{who}"
    peer, seen = await _opened(world, who, world.board["document"])
    try:
        if seen != "open":
            return seen
        await peer.barrier()
        peer.doc.get("cells", type=Map)[key] = True
        await peer.send(wire.encode_update(peer.doc.get_update()))
        await peer.barrier()
        if key in await world.board_content():
            return "applied"
        return "dropped" if peer.close_code is None else f"closed {peer.close_code}"
    finally:
        await peer.close()


WS_ACTIONS = {"list": ws_list, "open": ws_open, "read": ws_read, "write": ws_write}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", CALLERS)
async def test_websocket(world: World, who: str, action: str) -> None:
    assert await WS_ACTIONS[action](world, who) == WS_EXPECTED[who][action]
