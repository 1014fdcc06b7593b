"""``RedisBus``: Redis pub/sub between server processes, one subscription per open document.

Publishing never blocks the caller: messages are queued and sent in pipelined batches by one
task. Redis pub/sub delivers at most once and forgets everything across a disconnect, so when
the subscriber connection comes back (or a publish failed) every registered callback runs — the
registry answers by asking every holder of every open document for what it missed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
_RETRY = (RedisError, OSError, asyncio.TimeoutError)


class RedisBus:
    """Implements ``server.sync.ports.Bus`` over Redis pub/sub."""

    def __init__(self, url: str, node: str | None = None, *, max_backoff: float = 2.0) -> None:
        self.node = node or uuid.uuid4().hex[:12]
        self.connected = False
        self.reconnects = 0
        self.published = 0
        self.publish_failures = 0
        self.relay_seconds = 0.0  # publish() -> Redis accepted it, summed over messages
        self._url = url
        self._max_backoff = max_backoff
        self._handlers: dict[str, Callable[[bytes], None]] = {}
        self._callbacks: list[Callable[[], None]] = []
        self._outbox: list[tuple[str, bytes]] = []
        self._wake = asyncio.Event()
        # Always subscribed to one channel of its own, so the subscriber connection (and its
        # health checks) lives even when no document is open.
        self._home = f"tandem:node:{self.node}"
        self._lost = False
        self._queued_at = 0.0
        self._client: redis.Redis | None = None
        self._pubsub: redis.client.PubSub | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> RedisBus:
        self._client = redis.from_url(self._url, health_check_interval=2, socket_connect_timeout=2,
                                      socket_timeout=5)
        await self._client.ping()
        self.connected = True
        self._tasks = [asyncio.create_task(self._listen(), name="redis-listen"),
                       asyncio.create_task(self._publish_loop(), name="redis-publish")]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._client is not None:
            await self._client.aclose()

    # --- the port ----------------------------------------------------------------------------

    async def subscribe(self, channel: str, handler: Callable[[bytes], None]) -> None:
        self._handlers[channel] = handler
        if self._pubsub is not None:
            try:
                await self._pubsub.subscribe(channel)
            except _RETRY as exc:  # the listener resubscribes everything when Redis is back
                log.warning("subscribe %s failed: %r", channel, exc)

    async def unsubscribe(self, channel: str) -> None:
        self._handlers.pop(channel, None)
        if self._pubsub is not None:
            try:
                await self._pubsub.unsubscribe(channel)
            except _RETRY as exc:
                log.warning("unsubscribe %s failed: %r", channel, exc)

    def publish(self, channel: str, data: bytes) -> None:
        if not self._outbox:
            self._queued_at = time.monotonic()
        self._outbox.append((channel, data))
        self._wake.set()

    async def holders(self, channel: str) -> int:
        assert self._client is not None
        try:
            [(_, count)] = await self._client.pubsub_numsub(channel)
            return int(count)
        except _RETRY as exc:
            log.warning("NUMSUB %s failed: %r", channel, exc)
            return 1

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    # --- the two tasks -------------------------------------------------------------------------

    async def _publish_loop(self) -> None:
        assert self._client is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._outbox, queued_at = self._outbox, [], self._queued_at
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
                self.published += len(batch)
                self.relay_seconds += (time.monotonic() - queued_at) * len(batch)
                if self._lost:
                    self._lost = False
                    self._recovered()
            except _RETRY as exc:
                # Dropped, as pub/sub would have: the repair after recovery covers them.
                self.publish_failures += 1
                self._lost = True
                log.warning("publishing %d messages failed: %r", len(batch), exc)
                await asyncio.sleep(0.2)

    async def _listen(self) -> None:
        backoff = 0.05
        while True:
            try:
                await self._connect_subscriber()
                backoff = 0.05
                await self._pump()
            except _RETRY as exc:
                if self.connected:
                    log.warning("Redis subscription lost: %r; reconnecting", exc)
                self.connected = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def _connect_subscriber(self) -> None:
        assert self._client is not None
        if self._pubsub is not None:
            await self._pubsub.aclose()
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self._home, *self._handlers)
        if not self.connected:
            self.connected = True
            self.reconnects += 1
            log.info("Redis subscription restored for %d documents", len(self._handlers))
            self._recovered()

    async def _pump(self) -> None:
        assert self._pubsub is not None
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            handler = self._handlers.get(message["channel"].decode())
            if handler is not None:
                handler(message["data"])

    def _recovered(self) -> None:
        for callback in self._callbacks:
            try:
                callback()
            except Exception:
                log.exception("reconnect callback failed")
