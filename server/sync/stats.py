"""Plain counters the engine bumps on its hot paths and the metrics endpoint reads.

Integers on one object, no locks and no labels on the per-update path; ``/metrics`` turns them
into Prometheus counters at scrape time (``server.api.metrics``).
"""

from __future__ import annotations

from collections import Counter


class Stats:
    """Process-wide engine counters (monotonic, never reset)."""

    __slots__ = (
        "updates_in", "updates_relayed_in", "broadcasts", "broadcast_updates", "frames_out",
        "gap_repairs", "closes",
    )

    def __init__(self) -> None:
        self.updates_in = 0  # client or API updates that changed a document
        self.updates_relayed_in = 0  # updates other nodes relayed that changed a document
        self.broadcasts = 0  # frames encoded for a room's clients
        self.broadcast_updates = 0  # updates those frames carried: / broadcasts = coalescing
        self.frames_out = 0  # frames queued on connections (one broadcast, many connections)
        self.gap_repairs = 0  # bus gaps noticed and repaired
        self.closes: Counter[int] = Counter()  # connections closed, by close code
