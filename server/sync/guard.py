"""Per-connection policing on the frame path: read-only strikes, presence claims, rate budgets.

A ``Guard`` lives on each ``Connection`` and is consulted by the room and the endpoint. It does
no I/O and keeps every check O(1) on the update path; only awareness frames (small, rate
bounded) are parsed and re-encoded, to stamp the sender's identity into them.

- Writes from a read-only connection are dropped; after ``max_strikes`` non-empty ones the
  connection is closed (``ReadOnlyViolation``, 1008). An empty sync step 2 — what every
  read-only client sends after connecting — is not a strike.
- Awareness is filtered, never fatal: stock y-websocket providers re-send every awareness change
  they apply, other clients' entries included. A connection claims as its own the first client
  id it sends a state for that nobody else holds; of each message only that id's entry is kept.
  Entries for other ids — held by another connection here or by another node, or any id once
  the connection has claimed one — are dropped (``dropped_foreign``), and so is an entry whose
  clock is not newer than the one held (``dropped_stale``; y-protocols' rule: a removal with an
  equal clock is newer). A client that moved here from another node takes its id over when that
  node's entry carries the same user id (or neither has one: auth is off). When the connection
  is signed in, the ``user`` object of its state is replaced by ``{"id", "name"}`` from the
  session (keeping only a short ``color``), so nobody can pose as someone else.
- Awareness messages beyond ``awareness_per_second`` are dropped; all messages beyond
  ``messages_per_second`` (after a burst of twice that) close the socket (``MessageFlood``, 1008).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from server.protocol import messages as wire

Held = Mapping[int, tuple[wire.AwarenessEntry, object]]
"""A room's presence: client id -> (entry, owner); the owner is a connection or another node's id (str)."""

_NOBODY: Held = MappingProxyType({})


class ReadOnlyViolation(PermissionError):
    """Repeated writes on a read-only connection (close code 1008)."""


class MessageFlood(PermissionError):
    """More messages than the connection's rate budget allows (close code 1008)."""


class Budget:
    """A token bucket that may run into debt: ``spend()`` returns the balance after one message."""

    __slots__ = ("rate", "burst", "tokens", "at")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def spend(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate) - 1
        self.at = now
        return self.tokens


class Guard:
    """What one connection has done so far, and the limits it is held to."""

    __slots__ = (
        "presence_id", "strikes", "max_strikes", "dropped_awareness", "dropped_foreign", "dropped_stale",
        "_awareness", "_messages",
    )

    def __init__(
        self, *, max_strikes: int = 16, awareness_per_second: float = 30.0, messages_per_second: float = 1000.0
    ) -> None:
        self.presence_id: int | None = None
        self.strikes = 0
        self.max_strikes = max_strikes
        self.dropped_awareness = 0  # own entries over the awareness rate
        self.dropped_foreign = 0  # entries for client ids that are not this connection's
        self.dropped_stale = 0  # own entries not newer than the one held (echoes)
        self._awareness = Budget(awareness_per_second, 2 * awareness_per_second) if awareness_per_second else None
        self._messages = Budget(messages_per_second, 2 * messages_per_second) if messages_per_second else None

    def message(self) -> None:
        """Count one incoming message; raise ``MessageFlood`` once the budget is spent twice over."""
        if self._messages is not None and self._messages.spend() < -self._messages.burst:
            raise MessageFlood(f"more than {self._messages.rate:g} messages a second")

    def refuse_write(self, update: bytes) -> None:
        """A write on a read-only connection: dropped; raise once it keeps happening."""
        if update == wire.EMPTY_UPDATE:
            return
        self.strikes += 1
        if self.strikes > self.max_strikes:
            raise ReadOnlyViolation(f"{self.strikes} writes on a read-only connection")

    def presence(
        self, user: Any, entries: list[wire.AwarenessEntry], held: Held = _NOBODY, me: object = None
    ) -> wire.AwarenessEntry | None:
        """The entry of ``entries`` this connection may set, identity stamped; None if there is none.

        ``held`` is the room's presence and ``me`` this connection, as owners in ``held`` name it.
        Nothing is raised: whatever is not the connection's own, new entry is dropped and counted.
        """
        mine = self.presence_id
        own = None
        for entry in entries:
            claimable = entry.client_id == mine if mine is not None else not entry.removed
            if own is not None or not claimable:
                self.dropped_foreign += 1  # another id, a second entry, or a removal claiming nothing
                continue
            known = held.get(entry.client_id)
            if known is not None:
                current, owner = known
                if owner is not me and not (isinstance(owner, str) and _same_user(current, user)):
                    self.dropped_foreign += 1  # another connection's client, or another node's
                    continue
                if entry.clock < current.clock or (entry.clock == current.clock and not entry.removed):
                    self.dropped_stale += 1  # what it holds already, e.g. our own relay echoed
                    continue
            own = entry
        if own is None:
            return None
        self.presence_id = own.client_id
        if own.removed:
            return own
        if self._awareness is not None and self._awareness.spend() < 0:
            self.dropped_awareness += 1
            return None
        if user is None:
            return own
        return own._replace(state=stamp_identity(own.state, user))


def _same_user(entry: wire.AwarenessEntry, user: Any) -> bool:
    """Whether another node's ``entry`` was stamped with ``user``'s id (or neither has one)."""
    try:
        claimed = json.loads(entry.state).get("user")
    except (ValueError, AttributeError):
        return False
    stamped = claimed.get("id") if isinstance(claimed, dict) else None
    return stamped == (str(user.id) if user is not None else None)


def stamp_identity(state: str, user: Any) -> str:
    """``state`` (a JSON object) with its ``user`` set from ``user.id`` and ``user.name``."""
    value = json.loads(state)
    claimed = value.get("user")
    stamped: dict[str, object] = {"id": str(user.id), "name": user.name}
    color = claimed.get("color") if isinstance(claimed, dict) else None
    if isinstance(color, str) and len(color) <= 32:
        stamped["color"] = color
    value["user"] = stamped
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate sent as a JSON escape: keep it escaped
        text = json.dumps(value, separators=(",", ":"))
    return text
