"""The real npm ``yjs`` + ``y-websocket`` client (the stock ``WebsocketProvider``) against Tandem.

Each Node peer is one process running ``peer.mjs``: ``new WebsocketProvider(origin + '/sync',
document, ydoc, {WebSocketPolyfill})``, exactly as a browser app connects. Tests wait for
conditions under a deadline; none sleeps for a fixed time. Every wait also fails at once if the
server disconnected a stock peer (see ``node_peer.until``).
"""

from __future__ import annotations

import asyncio

from pycrdt import Map, Text

from client import connect
from tests.interop.node_peer import NodePeer, StartPeer, assert_never_disconnected, until
from tests.support.servers import InProcessServer
from tests.support.waiting import eventually

DEADLINE = 5.0

# --- documents -----------------------------------------------------------------------------------


async def test_two_providers_converge_on_concurrent_map_and_text_edits(start_peer: StartPeer) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")

    async def edit(peer: NodePeer, who: str) -> None:
        for i in range(5):
            await peer.set("m", f"{who}-{i}", i)
            await peer.set("m", "last-writer", who)
            await peer.insert("t", 0, f"[{who}{i}]")

    await asyncio.gather(edit(ada, "ada"), edit(bob, "bob"))

    state = await converged(
        [ada, bob], ["m"], ["t"],
        lambda s: len(s["maps"]["m"]) == 11 and len(s["texts"]["t"]) == 2 * 5 * len("[ada0]"),
    )
    assert {k: v for k, v in state["maps"]["m"].items() if k != "last-writer"} == {
        **{f"ada-{i}": i for i in range(5)}, **{f"bob-{i}": i for i in range(5)}
    }
    assert state["maps"]["m"]["last-writer"] in {"ada", "bob"}
    for who in ("ada", "bob"):
        for i in range(5):
            assert f"[{who}{i}]" in state["texts"]["t"]


async def test_two_providers_that_edited_offline_converge_when_they_reconnect(start_peer: StartPeer) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")
    await ada.insert("t", 0, "shared")
    await text_of(bob, "t", "shared")

    await ada.disconnect()
    await bob.disconnect()
    await ada.set("m", "title", "Ada's title")
    await bob.set("m", "title", "Bob's title")
    await ada.set("m", "ada", True)
    await bob.set("m", "bob", True)
    await ada.insert("t", 0, "A:")
    await bob.insert("t", 6, ":B")
    await ada.connect()
    await bob.connect()
    await ada.synced()
    await bob.synced()

    state = await converged([ada, bob], ["m"], ["t"], lambda s: len(s["maps"]["m"]) == 3 and len(s["texts"]["t"]) == 10)
    assert state["texts"]["t"] == "A:shared:B"
    assert state["maps"]["m"]["ada"] is True and state["maps"]["m"]["bob"] is True
    assert state["maps"]["m"]["title"] in {"Ada's title", "Bob's title"}


async def test_a_late_provider_receives_the_full_state(start_peer: StartPeer) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")
    await ada.set("m", "stage", "won")
    await ada.set("m", "amount", 1200)
    await ada.insert("t", 0, "Hello, world")
    # bob has seen everything, so the server has applied it (it relays only what it applied)
    await converged([ada, bob], ["m"], ["t"], lambda s: s["texts"]["t"] == "Hello, world" and len(s["maps"]["m"]) == 2)

    carol = await start_peer("carol")  # returns once carol's provider emitted sync(true)

    assert await carol.dump(["m"], ["t"]) == {
        "maps": {"m": {"stage": "won", "amount": 1200}},
        "texts": {"t": "Hello, world"},
    }


async def test_a_late_provider_receives_the_full_state_from_storage_after_the_room_was_unloaded(
    server: InProcessServer, start_peer: StartPeer, document: str
) -> None:
    ada = await start_peer("ada")
    await ada.set("m", "stage", "lead")
    await ada.insert("t", 0, "stored text")
    await ada.close()  # frames sent ahead of the close are applied before the server sees it go
    rooms = server.services.rooms
    await eventually(lambda: document not in rooms and rooms.unloads >= 1, DEADLINE)

    bob = await start_peer("bob")

    assert await bob.dump(["m"], ["t"]) == {"maps": {"m": {"stage": "lead"}}, "texts": {"t": "stored text"}}


async def test_a_node_provider_and_the_python_client_converge_both_ways(
    server: InProcessServer, start_peer: StartPeer, document: str
) -> None:
    node = await start_peer("node")
    await node.set("m", "from_node_before", "early")
    await node.insert("t", 0, "node ")

    async with connect(server.ws_url, document) as session:
        deals = session.doc.get("m", type=Map)
        notes = session.doc.get("t", type=Text)
        await session.wait_for(lambda: deals.get("from_node_before") == "early" and str(notes) == "node ", DEADLINE)

        deals["from_python"] = {"stage": "won", "amount": 12.5, "tags": ["a", "b"]}
        notes.insert(len(notes), "python")
        await text_of(node, "t", "node python")
        assert (await node.map("m"))["from_python"] == {"stage": "won", "amount": 12.5, "tags": ["a", "b"]}

        await node.set("m", "from_node", {"n": 1})
        await node.insert("t", 0, ">> ")
        await session.wait_for(lambda: "from_node" in deals and str(notes) == ">> node python", DEADLINE)
        assert deals["from_node"] == {"n": 1}
        assert deals.to_py() == await node.map("m")
    assert_never_disconnected()


async def test_a_stock_provider_never_receives_a_message_type_it_does_not_know(
    server: InProcessServer, start_peer: StartPeer, document: str
) -> None:
    node = await start_peer("node")

    async with connect(server.ws_url, document, durable=True) as session:
        deals = session.doc.get("m", type=Map)
        deals["k"] = "python"
        async with asyncio.timeout(DEADLINE):
            await session.durable()  # the Python client asked for, and got, acknowledgements (type 100)

        await node.set("m", "n", "node")
        await session.wait_for(lambda: deals.get("n") == "node", DEADLINE)
        async with asyncio.timeout(DEADLINE):
            await server.services.rooms.get(document).saved()  # node's edit is committed (and acked) too
        # Frames on one socket arrive in order: once node sees this, it has seen all sent before.
        deals["barrier"] = 1
        await until(lambda: node.map("m"), lambda m: "barrier" in m, timeout=DEADLINE, what="the barrier at node")

    received = await node.received()
    assert received["unknown"] == [], received
    assert "100" not in received["types"], received
    assert received["types"].get("0", 0) >= 3, received  # step 1, step 2, updates
    assert received["textFrames"] == 0 and received["undecodable"] == 0, received
    assert [e for e in received["logged"] if e["level"] in ("error", "warn")] == []  # 'Unable to compute message'
    assert_never_disconnected()


# --- awareness -----------------------------------------------------------------------------------


async def test_two_providers_see_each_others_awareness_and_a_closed_one_disappears(start_peer: StartPeer) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")
    await ada.set_awareness({"user": {"name": "Ada"}, "cursor": 3})
    await bob.set_awareness({"user": {"name": "Bob"}, "cursor": None})

    await peers_of(ada, {bob.client_id: {"user": {"name": "Bob"}, "cursor": None}})
    await peers_of(bob, {ada.client_id: {"user": {"name": "Ada"}, "cursor": 3}})

    await bob.close()
    await peers_of(ada, {})


async def test_a_provider_that_drops_without_goodbye_disappears_from_the_others_awareness(
    start_peer: StartPeer,
) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")
    await bob.set_awareness({"user": {"name": "Bob"}})
    await peers_of(ada, {bob.client_id: {"user": {"name": "Bob"}}})

    await bob.kill()  # no awareness "null" is sent: the server must announce the removal itself
    await peers_of(ada, {})


async def test_a_late_provider_sees_everyones_presence(start_peer: StartPeer) -> None:
    ada, bob = await start_peer("ada"), await start_peer("bob")
    await ada.set_awareness({"user": {"name": "Ada"}})
    await bob.set_awareness({"user": {"name": "Bob"}})
    await peers_of(bob, {ada.client_id: {"user": {"name": "Ada"}}})
    await peers_of(ada, {bob.client_id: {"user": {"name": "Bob"}}})

    carol = await start_peer("carol")

    await peers_of(carol, {ada.client_id: {"user": {"name": "Ada"}}, bob.client_id: {"user": {"name": "Bob"}}})


async def test_a_node_provider_and_the_python_client_see_each_others_presence(
    server: InProcessServer, start_peer: StartPeer, document: str
) -> None:
    node = await start_peer("node")
    async with connect(server.ws_url, document) as session:
        session.set_presence({"user": {"name": "Py"}})
        await node.set_awareness({"user": {"name": "Node"}})
        await peers_of(node, {session.doc.client_id: {"user": {"name": "Py"}}})
        await session.wait_for(lambda: session.peers.get(node.client_id) == {"user": {"name": "Node"}}, DEADLINE)

    await peers_of(node, {})  # the Python client left


async def test_a_lone_provider_hears_its_awareness_back_so_its_30s_watchdog_stays_quiet(
    start_peer: StartPeer,
) -> None:
    # y-websocket closes a socket that received nothing for 30 s, relying on the server to echo
    # the awareness renewal every client sends each 15 s (the reference server does).
    ada = await start_peer("ada")
    before = (await ada.received())["types"].get("1", 0)

    await ada.set_awareness({"user": {"name": "Ada"}})

    await until(
        ada.received, lambda r: r["types"].get("1", 0) > before, timeout=DEADLINE, what="an awareness frame at ada"
    )


# --- helpers -------------------------------------------------------------------------------------


async def converged(peers: list[NodePeer], maps: list[str], texts: list[str], check) -> dict:
    """Wait until every peer holds the same contents and ``check(contents)`` holds; return them."""

    async def contents() -> list[dict]:
        return [await peer.dump(maps, texts) for peer in peers]

    dumps = await until(
        contents, lambda dumps: all(d == dumps[0] for d in dumps) and check(dumps[0]),
        timeout=DEADLINE, what="convergence",
    )
    return dumps[0]


async def peers_of(peer: NodePeer, expected: dict) -> None:
    """Wait until ``peer`` sees exactly ``expected`` as the other clients' awareness states."""
    await until(peer.peers, lambda seen: seen == expected, timeout=DEADLINE, what=f"{peer.name}'s peers")


async def text_of(peer: NodePeer, name: str, expected: str) -> None:
    await until(lambda: peer.text(name), lambda seen: seen == expected, timeout=DEADLINE, what=f"{peer.name}'s {name}")
