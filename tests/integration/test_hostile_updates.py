"""The update that used to kill the process (issue 13, item 1) and the one that made a board
unreadable (item 2), sent to a real server process by an editor over WebSocket and over HTTP:
each is refused with its documented code, the process keeps serving, and nothing of it is kept."""

from __future__ import annotations

import httpx
from pycrdt import Doc, Map

from client import connect
from server.protocol import messages as wire
from tests.support.accounts import AUTH_ENV, writable_document
from tests.support.hostile import CRASH_DEPTH, UNREADABLE_DEPTH, deep_any
from tests.support.raw import RawPeer
from tests.support.servers import ServerProcess


async def test_the_crash_update_is_refused_over_websocket_and_http_and_the_process_keeps_serving(database_url):
    node = await ServerProcess(database_url, **AUTH_ENV).start()
    try:
        token, document = await writable_document(node.http_url)
        frames = {
            "update": wire.encode_update(deep_any(CRASH_DEPTH, root="evil")),
            "sync step 2": wire.encode_step2(deep_any(UNREADABLE_DEPTH, root="evil")),
        }
        for what, frame in frames.items():
            offender = await RawPeer.open(node.ws_url, f"{document}?token={token}")
            await offender.ws.send(frame)
            code, reason = await offender.closed_with(timeout=30)
            assert (code, reason.startswith("update nested too deep")) == (1007, True), (what, code, reason)

        async with httpx.AsyncClient(base_url=node.http_url, headers={"Authorization": f"Bearer {token}"}) as http:
            response = await http.post(f"/api/documents/{document}/updates", content=deep_any(CRASH_DEPTH, root="evil"))
            assert response.status_code == 422, response.text
            assert "nests more than 64 deep" in response.json()["detail"]
            assert node.process is not None and node.process.poll() is None  # still alive

            async with connect(node.ws_url, document, token=token) as writer, \
                    connect(node.ws_url, document, token=token) as reader:
                writer.doc["after"] = Map()
                writer.doc.get("after", type=Map)["ok"] = True
                await writer.durable()
                await reader.wait_for(
                    lambda: "after" in reader.doc and reader.doc.get("after", type=Map).to_py() == {"ok": True})

            state = Doc()
            state.apply_update((await http.get(f"/api/documents/{document}")).content)
            assert "evil" not in state.keys() and state.get("after", type=Map).to_py() == {"ok": True}
    finally:
        node.kill()


async def test_an_update_with_too_many_structs_or_past_the_document_limit_is_refused_as_too_big(database_url):
    node = await ServerProcess(database_url, TANDEM_MAX_UPDATE_STRUCTS="100", TANDEM_MAX_DOCUMENT_BYTES="20000").start()
    try:
        many = Doc()
        many["a"] = Map()
        for i in range(150):
            many.get("a", type=Map)[f"k{i}"] = Map()  # a struct each
        offender = await RawPeer.open(node.ws_url, "too-many-structs")
        await offender.ws.send(wire.encode_update(many.get_update()))
        assert (await offender.closed_with(timeout=30))[0] == 1009

        async with connect(node.ws_url, "full") as session:
            session.doc["m"] = Map()
            session.doc.get("m", type=Map)["a"] = "x" * 15_000
            await session.durable()
        big = Doc()
        big["m"] = Map()
        big.get("m", type=Map)["b"] = "y" * 10_000
        offender = await RawPeer.open(node.ws_url, "full")
        await offender.ws.send(wire.encode_update(big.get_update()))
        code, reason = await offender.closed_with(timeout=30)
        assert (code, reason.startswith("document too large")) == (1009, True), (code, reason)
    finally:
        node.kill()
