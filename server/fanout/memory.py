"""``MemoryBus``: the in-process broker used without ``REDIS_URL`` (and by tests, to run several
nodes in one process). Same contract as Redis — delivery is asynchronous — except that the
publisher's own echo is not delivered: a lone node pays nothing for its bus."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable


class MemoryBroker:
    """The channels shared by every ``MemoryBus`` built on it."""

    def __init__(self) -> None:
        self.channels: dict[str, dict[str, Callable[[bytes], None]]] = {}


class MemoryBus:
    """Implements ``server.sync.ports.Bus`` inside one process."""

    def __init__(self, broker: MemoryBroker | None = None, node: str | None = None) -> None:
        self.broker = broker or MemoryBroker()
        self.node = node or uuid.uuid4().hex[:12]
        self.published = 0

    async def subscribe(self, channel: str, handler: Callable[[bytes], None]) -> None:
        self.broker.channels.setdefault(channel, {})[self.node] = handler

    async def unsubscribe(self, channel: str) -> None:
        holders = self.broker.channels.get(channel, {})
        holders.pop(self.node, None)
        if not holders:
            self.broker.channels.pop(channel, None)

    def publish(self, channel: str, data: bytes) -> None:
        self.published += 1
        loop = asyncio.get_running_loop()
        for node, handler in list(self.broker.channels.get(channel, {}).items()):
            if node != self.node:
                loop.call_soon(handler, data)

    async def holders(self, channel: str) -> int:
        return len(self.broker.channels.get(channel, {}))

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """An in-process broker never goes away."""
