"""The stock npm ``y-websocket`` provider joining a document that is not in memory: it is answered
from the store while the room loads, and is synced with all of it (snapshot and log rows)."""

from __future__ import annotations

from pycrdt import Doc, Map, Text

from tests.integration.test_cold_join import gated
from tests.interop.node_peer import StartPeer, until
from tests.support.servers import InProcessServer


def change(doc: Doc, edit) -> bytes:
    before = doc.get_state()
    with doc.transaction():
        edit(doc.get("m", type=Map), doc.get("t", type=Text))
    return doc.get_update(before)


async def test_a_stock_provider_is_synced_from_the_store_with_the_uncompacted_rows_too(
    server: InProcessServer, document: str, start_peer: StartPeer
) -> None:
    store, rooms = server.services.store, server.services.rooms
    source = Doc()
    await store.append([(document, change(source, lambda m, t: (m.update({"stage": "lead"}), t.insert(0, "hello"))))])
    assert await store.compact(document) == 1
    await store.append([(document, change(source, lambda m, t: t.insert(5, " world")))])
    last = change(source, lambda m, t: (m.update({"stage": "won"}), t.__delitem__(slice(0, 1))))
    await store.append([(document, last)])
    assert len((await store.load(document)).updates) == 3
    with gated(server) as gate:
        ada = await start_peer("ada")  # returns once the provider emitted synced
        assert await ada.dump(["m"], ["t"]) == {"maps": {"m": {"stage": "won"}}, "texts": {"t": "ello world"}}
        assert document not in rooms  # answered from the store: the room is not ready
        await ada.set("m", "while", "loading")
        gate.set()
        bob = await start_peer("bob")
        await until(lambda: bob.map("m"), lambda m: m == {"stage": "won", "while": "loading"},
                    timeout=5, what="ada's edit at bob")
