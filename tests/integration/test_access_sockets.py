"""What a socket may do once it is open: read-only enforcement, presence spoofing, origins, expiry."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from pycrdt import Doc, Map

from client import connect
from server.protocol import messages as wire
from tests.support.accounts import AUTH, Account, Team, create_board, create_workspace, sign_up, team
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for

APP_ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, allowed_origins=APP_ORIGIN, room_grace_seconds=0.3, **AUTH)
    async with in_process_server(settings) as running:
        yield running


def edit(key: str, value: object = True) -> bytes:
    doc = Doc()
    doc.get("board", type=Map)[key] = value
    return doc.get_update()


async def post_update(server: InProcessServer, account: Account, document: str, update: bytes) -> None:
    async with httpx.AsyncClient(base_url=server.http_url, headers=account.headers) as http:
        response = await http.post(f"/api/documents/{document}/updates", content=update)
    assert response.status_code == 204, response.text


def content(doc: Doc) -> dict:
    return doc.get("board", type=Map).to_py()


# --- read-only -----------------------------------------------------------------------------------


async def test_a_viewers_forged_frames_leave_the_document_identical_in_memory_in_postgres_and_at_clients(server):
    t = await team(server.http_url)
    async with connect(server.ws_url, t.document, token=t.member.token) as member:
        member.doc.get("board", type=Map)["deal"] = "Acme"
        await member.durable()
        viewer = await Peer.open(server.ws_url, t.document, t.viewer.token)
        await viewer.barrier()
        room = server.services.rooms.get(t.document)
        state_before = room.doc.get_state()

        forged = Doc()
        forged.get("board", type=Map)["forged"] = "by the viewer"
        await viewer.send(wire.encode_update(forged.get_update()))
        await viewer.send(wire.encode_step2(edit("forged-in-step-2")))
        del viewer.doc.get("board", type=Map)["deal"]  # an edit built on the real document
        await viewer.send(wire.encode_update(viewer.doc.get_update(state_before)))
        await viewer.barrier()

        assert viewer.close_code is None, "a few dropped writes do not close the socket"
        assert room.doc.get_state() == state_before
        assert content(room.doc) == {"deal": "Acme"}
        await room.saved()
        stored = Doc()
        for update in (await server.services.store.load(t.document)).updates:
            stored.apply_update(update)
        assert stored.get_state() == state_before and content(stored) == {"deal": "Acme"}
        await post_update(server, t.owner, t.document, edit("sentinel"))
        await member.wait_for(lambda: "sentinel" in content(member.doc))
        assert content(member.doc) == {"deal": "Acme", "sentinel": True}
        await viewer.close()


async def test_a_viewer_that_keeps_writing_is_closed_with_1008(server):
    t = await team(server.http_url)
    viewer = await Peer.open(server.ws_url, t.document, t.viewer.token)
    await viewer.barrier()
    for i in range(17):  # TANDEM_READ_ONLY_STRIKES is 16
        await viewer.send(wire.encode_update(edit(f"forged-{i}")))
    assert await viewer.closed_with() == (1008, "read-only: 17 writes on a read-only connection")


# --- presence ------------------------------------------------------------------------------------


class Presence:
    """An observer (the owner), a victim (the viewer) with presence set, and a way to drain relays."""

    def __init__(self, server: InProcessServer, t: Team, observer: Peer, victim: Peer) -> None:
        self.server, self.t, self.observer, self.victim = server, t, observer, victim

    @classmethod
    async def open(cls, server: InProcessServer) -> Presence:
        t = await team(server.http_url)
        observer = await Peer.open(server.ws_url, t.document, t.owner.token)
        victim = await Peer.open(server.ws_url, t.document, t.viewer.token)
        await victim.send(awareness(victim.doc.client_id, {"user": {"name": "Vic"}, "cursor": 1}))
        await observer.wait_for(lambda: observer.states_of(victim.doc.client_id))
        return cls(server, t, observer, victim)

    async def attacker(self) -> Peer:
        peer = await Peer.open(self.server.ws_url, self.t.document, self.t.member.token)
        await peer.barrier()
        return peer

    async def drained(self) -> None:
        """Everything relayed to the observer so far has arrived (a document edit goes after it)."""
        seen = self.observer.updates
        await post_update(self.server, self.t.owner, self.t.document, edit(f"sentinel-{seen}"))
        await self.observer.wait_for(lambda: self.observer.updates > seen)

    def states_seen(self, client_id: int) -> list[dict | None]:
        return self.observer.states_of(client_id)

    def held(self) -> dict[int, dict]:
        """The presence the server holds for this document (what a joiner is greeted with)."""
        room = self.server.services.rooms.get(self.t.document)
        return {entry.client_id: json.loads(entry.state) for entry in room.presence}

    async def close(self) -> None:
        await self.observer.close()
        await self.victim.close()


def awareness(client_id: int, state: object, clock: int = 1) -> bytes:
    entries = [wire.AwarenessEntry(client_id, clock, json.dumps(state))]
    return wire.encode_awareness(wire.encode_awareness_entries(entries))


@pytest.fixture
async def presence(server: InProcessServer) -> AsyncIterator[Presence]:
    scene = await Presence.open(server)
    yield scene
    await scene.close()


async def test_names_and_ids_in_presence_come_from_the_session_not_the_client(presence):
    attacker = await presence.attacker()
    owner = presence.t.owner
    forged = {"user": {"id": owner.id, "name": owner.name, "color": "#123456"}, "cursor": 5}
    await attacker.send(awareness(attacker.doc.client_id, forged))
    await presence.observer.wait_for(lambda: presence.states_seen(attacker.doc.client_id))
    member = presence.t.member
    assert presence.states_seen(attacker.doc.client_id) == [
        {"user": {"id": member.id, "name": "Mia Member", "color": "#123456"}, "cursor": 5}]
    await attacker.close()


async def test_the_sender_hears_its_own_stamped_presence_back(presence):
    # y-websocket providers rely on it: one alone in a document otherwise hears nothing for 30 s.
    attacker = await presence.attacker()
    await attacker.send(awareness(attacker.doc.client_id, {"user": {"name": "The CEO"}, "cursor": 5}))
    await attacker.wait_for(lambda: attacker.states_of(attacker.doc.client_id))
    assert attacker.states_of(attacker.doc.client_id) == [
        {"user": {"id": presence.t.member.id, "name": "Mia Member"}, "cursor": 5}]
    await attacker.close()


async def test_presence_for_another_clients_id_reaches_nobody_and_leaves_the_victims_entry_alone(presence):
    attacker = await presence.attacker()
    victim_id = presence.victim.doc.client_id
    for clock in range(50, 100):
        await attacker.send(awareness(victim_id, {"user": {"name": "Vic"}, "cursor": 999}, clock=clock))
    removal = [wire.AwarenessEntry(victim_id, 100, "null")]  # nor remove it
    await attacker.send(wire.encode_awareness(wire.encode_awareness_entries(removal)))
    await attacker.barrier()
    assert attacker.close_code is None, "dropped, not fatal: stock providers echo others' presence"
    await presence.drained()
    assert [state["cursor"] for state in presence.states_seen(victim_id)] == [1]
    assert presence.held()[victim_id]["cursor"] == 1
    await attacker.close()


async def test_switching_to_another_client_id_midway_reaches_nobody(presence):
    attacker = await presence.attacker()
    await attacker.send(awareness(attacker.doc.client_id, {"cursor": 1}))
    await attacker.send(awareness(4242, {"user": {"name": "Ghost"}, "cursor": 2}))
    await attacker.send(awareness(attacker.doc.client_id, {"cursor": 3}, clock=2))
    await presence.observer.wait_for(lambda: len(presence.states_seen(attacker.doc.client_id)) == 2)
    await presence.drained()
    assert [state["cursor"] for state in presence.states_seen(attacker.doc.client_id)] == [1, 3]
    assert presence.states_seen(4242) == [] and 4242 not in presence.held()
    assert attacker.close_code is None
    await attacker.close()


async def test_of_several_entries_in_one_message_only_the_senders_own_reaches_anyone(presence):
    attacker = await presence.attacker()
    victim_id = presence.victim.doc.client_id
    entries = [wire.AwarenessEntry(victim_id, 50, json.dumps({"user": {"name": "Vic"}, "cursor": 999})),
               wire.AwarenessEntry(attacker.doc.client_id, 1, json.dumps({"user": {"name": "Vic"}, "cursor": 7})),
               wire.AwarenessEntry(31337, 1, json.dumps({"user": {"name": "Ghost"}}))]
    await attacker.send(wire.encode_awareness(wire.encode_awareness_entries(entries)))
    await presence.observer.wait_for(lambda: presence.states_seen(attacker.doc.client_id))
    await presence.drained()
    member = presence.t.member
    assert presence.states_seen(attacker.doc.client_id) == [
        {"user": {"id": member.id, "name": "Mia Member"}, "cursor": 7}]
    assert presence.states_seen(31337) == [] and 31337 not in presence.held()
    assert [state["cursor"] for state in presence.states_seen(victim_id)] == [1]
    assert presence.held()[victim_id]["cursor"] == 1
    assert attacker.close_code is None
    await attacker.close()


async def test_a_64_kb_presence_state_reaches_nobody(presence):
    attacker = await presence.attacker()
    await attacker.send(awareness(attacker.doc.client_id, {"cursor": 1, "blob": "x" * (64 << 10)}))
    code, _ = await attacker.closed_with()
    assert code == 1009
    await presence.drained()
    assert presence.states_seen(attacker.doc.client_id) == []


async def test_a_presence_flood_is_cut_down_to_the_rate(presence):
    attacker = await presence.attacker()
    started = time.monotonic()
    for clock in range(1, 501):
        await attacker.send(awareness(attacker.doc.client_id, {"cursor": clock}, clock=clock))
    await attacker.barrier()
    allowed = 2 * 30 + 30 * (time.monotonic() - started)  # the burst, then TANDEM_AWARENESS_PER_SECOND
    await presence.drained()
    relayed = presence.states_seen(attacker.doc.client_id)
    assert 0 < len(relayed) <= allowed, f"{len(relayed)} of 500 presence messages were relayed"
    assert attacker.close_code is None
    await attacker.close()


# --- origins, cookies, expiry ------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1.evil.example", "null"])
async def test_cross_origin_upgrades_are_refused_before_the_handshake(server, origin):
    t = await team(server.http_url)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await Peer.open(server.ws_url, t.document, t.owner.token, origin=origin)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("origin", ["same", APP_ORIGIN, None], ids=["same-origin", "allow-listed", "no-origin"])
async def test_same_origin_allow_listed_and_non_browser_sockets_are_admitted(server, origin):
    t = await team(server.http_url)
    origin = server.http_url if origin == "same" else origin
    peer = await Peer.open(server.ws_url, t.document, t.owner.token, **({"origin": origin} if origin else {}))
    assert await peer.opened()
    await peer.close()


async def test_a_browser_session_cookie_opens_a_socket_without_a_token(server):
    t = await team(server.http_url)
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        await http.post("/api/auth/login", json={"email": t.viewer.email, "password": "correct horse battery staple"})
        cookie = http.cookies["tandem_session"]
    peer = await Peer.open(server.ws_url, t.document, origin=server.http_url,
                           additional_headers={"Cookie": f"tandem_session={cookie}"})
    assert await peer.opened()
    await peer.close()


async def test_an_open_socket_is_closed_when_its_session_expires(database_url):
    settings = settings_for(database_url, session_ttl_seconds=2.0, **AUTH)
    async with in_process_server(settings) as short_lived:
        owner = await sign_up(short_lived.http_url, "Owner")
        t_document = await _board_of(short_lived, owner)
        peer = await Peer.open(short_lived.ws_url, t_document, owner.token)
        assert await peer.opened()
        assert await peer.closed_with(timeout=5) == (4401, "the session expired: sign in again")


async def _board_of(server: InProcessServer, owner: Account) -> str:
    workspace = await create_workspace(server.http_url, owner)
    return (await create_board(server.http_url, owner, workspace))["document"]


async def test_the_python_client_gives_up_at_once_on_a_refused_session(database_url):
    from client import SessionClosed, connect
    from tests.support.accounts import AUTH
    from tests.support.servers import in_process_server, settings_for

    async with in_process_server(settings_for(database_url, **AUTH)) as srv:
        with pytest.raises(SessionClosed) as refused:
            async with connect(srv.ws_url, "board:00000000-0000-0000-0000-000000000000", token="forged"):
                pass
        assert refused.value.code == 4401
