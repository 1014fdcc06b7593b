"""Cross-node replication of one room over its bus channel (Redis pub/sub or in-process).

A ``Replica`` publishes what this node's clients changed, applies what other nodes publish
(``Origin.BUS``: broadcast here, stored by the node whose client made it), and repairs what the
bus lost: a sequence gap or a late TAIL triggers a QUERY/DIFF exchange with that node; opening a
room and the bus coming back trigger one with every holder. See ``server.protocol.bus``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from server.protocol import bus as wire
from server.protocol.messages import MalformedMessage
from server.sync.ports import Bus
from server.sync.stats import Stats

if TYPE_CHECKING:
    from server.sync.room import Room

log = logging.getLogger(__name__)


class Replica:
    """The bus side of one room on one node."""

    def __init__(self, bus: Bus, channel: str, stats: Stats, *, tail_delay: float = 0.25) -> None:
        self.stats = stats
        self.bus = bus
        self.node = bus.node
        self.channel = channel
        self.room: Room | None = None
        self.gap_repairs = 0
        self._tail_delay = tail_delay
        self._seq = 0
        self._seen: dict[str, int] = {}
        self._early: list[bytes] = []  # messages that arrived while the room was loading
        self._tail: asyncio.TimerHandle | None = None
        self._answers = 0
        self._answered = asyncio.Event()

    # --- outgoing ----------------------------------------------------------------------------

    def publish_update(self, update: bytes) -> None:
        self._seq += 1
        self.bus.publish(self.channel, wire.encode_update(self.node, self._seq, update))
        if self._tail is None:
            self._tail = asyncio.get_running_loop().call_later(self._tail_delay, self._send_tail)

    def publish_awareness(self, payload: bytes) -> None:
        self.bus.publish(self.channel, wire.encode_awareness(self.node, payload))

    def resync(self, target: str = wire.ANY) -> None:
        """Ask ``target`` (default: every holder) for what this node lacks, and offer the reverse."""
        if self.room is not None:
            self.bus.publish(self.channel, wire.encode_query(self.node, target, self.room.doc.get_state()))

    async def catch_up(self, timeout: float) -> None:
        """On open: take what the other holders have and may not have committed yet."""
        others = await self.bus.holders(self.channel) - 1
        if others <= 0:
            return
        self._answers = 0
        self._answered.clear()
        self.resync()
        try:
            async with asyncio.timeout(timeout):
                while self._answers < others:
                    await self._answered.wait()
                    self._answered.clear()
        except TimeoutError:
            log.warning("catch-up of %r: %d of %d holders answered", self.channel, self._answers, others)

    def _send_tail(self) -> None:
        self._tail = None
        self.bus.publish(self.channel, wire.encode_tail(self.node, self._seq))

    def close(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
            self._send_tail()

    # --- incoming ----------------------------------------------------------------------------

    def attach(self, room: Room) -> None:
        """The room is loaded: apply what came in meanwhile."""
        self.room = room
        early, self._early = self._early, []
        for data in early:
            self.receive(data)

    def receive(self, data: bytes) -> None:
        if self.room is None:
            self._early.append(data)
            return
        try:
            msg = wire.decode(data)
        except MalformedMessage as exc:
            log.warning("dropping a malformed bus message on %r: %s", self.channel, exc)
            return
        if msg.node == self.node:
            return  # our own echo
        try:
            self._dispatch(self.room, msg)
        except Exception:
            log.exception("bus message %s from %s on %r failed", msg.kind.name, msg.node, self.channel)

    def _dispatch(self, room: Room, msg: wire.BusMessage) -> None:
        if msg.kind is wire.BusType.UPDATE:
            self._check_sequence(msg.node, msg.seq)
            room.apply_remote(msg.payload)
        elif msg.kind is wire.BusType.TAIL:
            self._check_sequence(msg.node, msg.seq, tail=True)
        elif msg.kind is wire.BusType.AWARENESS:
            room.apply_remote_presence(msg.node, msg.payload, time.monotonic())
        elif msg.target in (self.node, wire.ANY):
            self._answer(room, msg)

    def _answer(self, room: Room, msg: wire.BusMessage) -> None:
        if msg.kind is wire.BusType.QUERY:
            diff = room.doc.get_update(msg.state)
            self.bus.publish(self.channel, wire.encode_diff(self.node, msg.node, diff, room.doc.get_state()))
            return
        room.apply_remote(msg.payload)
        if msg.state:
            self.bus.publish(self.channel, wire.encode_diff(self.node, msg.node, room.doc.get_update(msg.state)))
        self._answers += 1
        self._answered.set()

    def _check_sequence(self, node: str, seq: int, tail: bool = False) -> None:
        seen = self._seen.get(node)
        expected = seq if tail else seq - 1
        if seen is not None and seen < expected:
            self.gap_repairs += 1
            self.stats.gap_repairs += 1
            log.info("bus gap from node %s: saw %d, now %d; repairing", node, seen, seq,
                     extra={"document": self.room.name if self.room else self.channel})
            self.resync(node)
        if seen is None or seq > seen:
            self._seen[node] = seq
