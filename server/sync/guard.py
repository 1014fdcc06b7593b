"""Per-connection policing on the frame path: read-only strikes, presence claims, rate budgets.

A ``Guard`` lives on each ``Connection`` and is consulted by the room and the endpoint. It does
no I/O and keeps every check O(1) on the update path; only awareness frames (small, rate
bounded) are parsed and re-encoded, to stamp the sender's identity into them.

- Writes from a read-only connection are dropped; after ``max_strikes`` non-empty ones the
  connection is closed (``ReadOnlyViolation``, 1008). An empty sync step 2 — what every
  read-only client sends after connecting — is not a strike.
- A connection owns exactly one awareness client id, claimed by its first awareness message;
  a message with several entries or another id is a ``PresenceViolation`` (1008), nothing of it
  is relayed. When the connection is signed in, the ``user`` object of its state is replaced by
  ``{"id", "name"}`` from the session (keeping only a short ``color``), so nobody can pose as
  someone else.
- Awareness messages beyond ``awareness_per_second`` are dropped; all messages beyond
  ``messages_per_second`` (after a burst of twice that) close the socket (``MessageFlood``, 1008).
"""

from __future__ import annotations

import json
import time
from typing import Any

from server.protocol import messages as wire


class ReadOnlyViolation(PermissionError):
    """Repeated writes on a read-only connection (close code 1008)."""


class PresenceViolation(PermissionError):
    """An awareness message for a client id this connection does not own (close code 1008)."""


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

    __slots__ = ("presence_id", "strikes", "max_strikes", "dropped_awareness", "_awareness", "_messages")

    def __init__(
        self, *, max_strikes: int = 16, awareness_per_second: float = 30.0, messages_per_second: float = 1000.0
    ) -> None:
        self.presence_id: int | None = None
        self.strikes = 0
        self.max_strikes = max_strikes
        self.dropped_awareness = 0
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

    def presence(self, user: Any, entries: list[wire.AwarenessEntry]) -> wire.AwarenessEntry | None:
        """The one entry this connection may set, identity stamped; None if over the rate."""
        if len(entries) != 1:
            raise PresenceViolation(f"expected exactly one awareness entry (this client's), got {len(entries)}")
        entry = entries[0]
        if self.presence_id is None:
            self.presence_id = entry.client_id
        elif entry.client_id != self.presence_id:
            raise PresenceViolation(f"client id {entry.client_id} is not this connection's ({self.presence_id})")
        if not entry.removed and self._awareness is not None and self._awareness.spend() < 0:
            self.dropped_awareness += 1
            return None
        if user is None or entry.removed:
            return entry
        return entry._replace(state=stamp_identity(entry.state, user))


def stamp_identity(state: str, user: Any) -> str:
    """``state`` (a JSON object) with its ``user`` set from ``user.id`` and ``user.name``."""
    value = json.loads(state)
    claimed = value.get("user")
    stamped: dict[str, object] = {"id": str(user.id), "name": user.name}
    color = claimed.get("color") if isinstance(claimed, dict) else None
    if isinstance(color, str) and len(color) <= 32:
        stamped["color"] = color
    value["user"] = stamped
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
