"""Taking access away cuts open sockets (or makes them read-only) within 2 s — on every node.

Each change is made through the HTTP API; Postgres NOTIFY carries it to every node, which
re-checks its affected sockets. Two ``ServerProcess`` nodes on one database show that a change
made on one node reaches sockets on the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map

from server.protocol import messages as wire
from tests.support.accounts import AUTH, AUTH_ENV, Account, Team, add_guest, team
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, ServerProcess, in_process_server, settings_for

DEADLINE = 2.0


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


async def api(base_url: str, account: Account, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, headers=account.headers) as http:
        response = await http.request(method, path, **kwargs)
    assert response.status_code < 300, response.text
    return response


async def opened(ws_url: str, document: str, account: Account) -> Peer:
    peer = await Peer.open(ws_url, document, account.token)
    await peer.barrier()
    return peer


def board_content(http_url: str, owner: Account, document: str) -> Callable[[], Awaitable[dict]]:
    async def read() -> dict:
        async with httpx.AsyncClient(base_url=http_url, headers=owner.headers) as http:
            response = await http.get(f"/api/documents/{document}")
        doc = Doc()
        doc.apply_update(response.content)
        return doc.get("board", type=Map).to_py()
    return read


async def write(peer: Peer, key: str) -> None:
    before = peer.doc.get_state()
    peer.doc.get("board", type=Map)[key] = True
    await peer.send(wire.encode_update(peer.doc.get_update(before)))
    await peer.barrier()


async def writes_stop_landing(peer: Peer, content: Callable[[], Awaitable[dict]]) -> None:
    """Probe with edits until one is dropped, under the deadline; the socket stays open."""
    probe = 0
    while True:  # each probe is a round trip to the server; the caller's deadline decides
        probe += 1
        await write(peer, f"probe-{probe}")
        if f"probe-{probe}" not in await content():
            assert peer.close_code is None, "a read-only downgrade keeps the socket open"
            return


async def cut_within_deadline(change: Awaitable[object], peer: Peer) -> tuple[int | None, str]:
    async with asyncio.timeout(DEADLINE):
        await change
        return await peer.closed_with(timeout=DEADLINE)


# --- one node -------------------------------------------------------------------------------------


async def test_removing_a_member_closes_their_socket(server):
    t = await team(server.http_url)
    peer = await opened(server.ws_url, t.document, t.member)
    removal = api(server.http_url, t.owner, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.member.id}")
    assert await cut_within_deadline(removal, peer) == (4403, "access to this document was revoked")


async def test_demoting_a_member_to_viewer_makes_their_socket_read_only(server):
    t = await team(server.http_url)
    peer = await opened(server.ws_url, t.document, t.member)
    content = board_content(server.http_url, t.owner, t.document)
    await write(peer, "before")
    assert "before" in await content()
    async with asyncio.timeout(DEADLINE):
        await api(server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/members/{t.member.id}",
                  json={"role": "viewer"})
        await writes_stop_landing(peer, content)
    await write(peer, "after")
    assert "after" not in await content() and peer.close_code is None


async def test_promoting_a_viewer_makes_their_socket_writable(server):
    t = await team(server.http_url)
    peer = await opened(server.ws_url, t.document, t.viewer)
    room = server.services.rooms.get(t.document)
    async with asyncio.timeout(DEADLINE):
        await api(server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/members/{t.viewer.id}",
                  json={"role": "member"})
        while not all(conn.can_write for conn in room.peers):
            await peer.barrier()
    await write(peer, "promoted")
    assert "promoted" in room.doc.get("board", type=Map).to_py()


async def test_unsharing_a_board_closes_the_guests_socket(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    peer = await opened(server.ws_url, t.document, guest)
    unshare = api(server.http_url, t.owner, "DELETE", f"/api/boards/{t.board['id']}/shares/{guest.id}")
    assert await cut_within_deadline(unshare, peer) == (4403, "access to this document was revoked")


async def test_turning_an_edit_share_into_a_read_share_makes_the_guest_read_only(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    peer = await opened(server.ws_url, t.document, guest)
    content = board_content(server.http_url, t.owner, t.document)
    async with asyncio.timeout(DEADLINE):
        await api(server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                  json={"email": guest.email, "access": "read"})
        await writes_stop_landing(peer, content)


async def test_disabling_a_user_closes_all_their_sockets(server):
    t = await team(server.http_url)
    peers = [await opened(server.ws_url, t.document, t.member) for _ in range(2)]
    accounts = server.services.accounts
    disable = accounts.disable(await accounts.user_id(t.member.email))
    assert await cut_within_deadline(disable, peers[0]) == (4401, "signed out, or the session ended: sign in again")
    assert await peers[1].closed_with(timeout=DEADLINE) == (4401, "signed out, or the session ended: sign in again")


async def test_signing_out_closes_that_sessions_sockets_only(server):
    t = await team(server.http_url)
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        second = (await http.post("/api/auth/login", json={"email": t.member.email,
                                                           "password": "correct horse battery staple"})).json()
    leaving = await opened(server.ws_url, t.document, t.member)
    staying = await opened(server.ws_url, t.document, Account(second["token"], t.member.id, t.member.email, ""))
    sign_out = api(server.http_url, t.member, "POST", "/api/auth/logout")
    assert await cut_within_deadline(sign_out, leaving) == (4401, "signed out, or the session ended: sign in again")
    await staying.barrier()
    assert staying.close_code is None
    await staying.close()


# --- two nodes, one database ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def nodes(database_url: str) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    a, b = ServerProcess(database_url, **AUTH_ENV), ServerProcess(database_url, **AUTH_ENV)
    await asyncio.gather(a.start(), b.start())
    yield a, b
    await asyncio.gather(a.terminate(), b.terminate())


@pytest.fixture
async def spread(nodes) -> tuple[ServerProcess, ServerProcess, Team]:
    a, b = nodes
    return a, b, await team(a.http_url)


async def test_removing_a_member_on_one_node_closes_their_socket_on_the_other(spread):
    a, b, t = spread
    peer = await opened(a.ws_url, t.document, t.member)
    removal = api(b.http_url, t.owner, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.member.id}")
    assert await cut_within_deadline(removal, peer) == (4403, "access to this document was revoked")


async def test_demoting_on_one_node_makes_the_socket_on_the_other_read_only(spread):
    a, b, t = spread
    peer = await opened(a.ws_url, t.document, t.member)
    async with asyncio.timeout(DEADLINE):
        await api(b.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/members/{t.member.id}",
                  json={"role": "viewer"})
        await writes_stop_landing(peer, board_content(a.http_url, t.owner, t.document))
    await peer.close()


async def test_signing_out_on_one_node_closes_the_sessions_socket_on_the_other(spread):
    a, b, t = spread
    peer = await opened(a.ws_url, t.document, t.viewer)
    sign_out = api(b.http_url, t.viewer, "POST", "/api/auth/logout")
    assert await cut_within_deadline(sign_out, peer) == (4401, "signed out, or the session ended: sign in again")
