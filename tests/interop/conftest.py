"""Fixtures for the interop tests: stock npm ``y-websocket`` peers against an in-process server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.interop.node_peer import ACTIVE, NodePeer, StartPeer, node_or_fail
from tests.support.servers import InProcessServer


@pytest.fixture
def document() -> str:
    """A fresh document name per test (the database lives for the whole session)."""
    return f"interop-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def start_peer(server: InProcessServer, document: str) -> AsyncIterator[StartPeer]:
    """``await start_peer()`` -> a synced Node ``WebsocketProvider`` on ``document``.

    Fails (never skips) when Node or ``tests/interop/node_modules`` is missing. Every peer still
    running at the end of the test is killed.
    """
    peers: list[NodePeer] = []
    ACTIVE.clear()

    async def start(name: str | None = None, *, synced: bool = True) -> NodePeer:
        node = node_or_fail()  # in the test body, so that it is reported as a failure, not an error
        peer = await NodePeer.start(node, server.ws_url, document, name=name or f"peer{len(peers) + 1}")
        peers.append(peer)
        if synced:
            await peer.synced()
        return peer

    yield start
    for peer in peers:
        await peer.kill()
    ACTIVE.clear()
