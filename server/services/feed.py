"""Live change notices for a workspace: its document's ``changes`` map (``schema/documents/SHAPES.md``).

Contacts and organisations are relational records, not Yjs documents; clients learn that one
changed from the workspace document ``workspace:<id>``, whose ``changes`` Y.Map holds
``contact:<id>`` / ``organisation:<id>`` → the ISO time of the last change, and refetch it over
HTTP. The server writes the map as a LOCAL change of the room (persisted, broadcast to this
node's clients and published to the others), after the SQL transaction committed.

Entries older than ``keep`` are deleted as new ones are written, so the map (which every client
downloads on connect) stays small; a bulk change of more than ``BULK`` records of a kind is one
``contact:*`` / ``organisation:*`` entry: refetch the lists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Protocol
from uuid import UUID

from pycrdt import Doc, Map

from server.domain.boards import workspace_document
from server.sync.registry import Rooms

log = logging.getLogger(__name__)
BULK = 100


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ChangeFeed(Protocol):
    async def changed(self, workspace: UUID, keys: Sequence[str]) -> None:
        """Tell the workspace's clients that the records named by ``keys`` changed; never raises."""
        ...


class RoomsChangeFeed:
    """Implements ``ChangeFeed`` by editing the workspace document through ``Rooms``."""

    def __init__(self, rooms: Rooms, keep: timedelta = timedelta(hours=1)) -> None:
        self._rooms, self._keep = rooms, keep

    async def changed(self, workspace: UUID, keys: Sequence[str]) -> None:
        if not keys:
            return
        now = datetime.now(timezone.utc)
        stamp, horizon = iso(now), iso(now - self._keep)
        entries = collapse(keys)
        try:
            room = await self._rooms.open(workspace_document(workspace))
            room.change(lambda doc: _write(doc, entries, stamp, horizon))
        except Exception:  # the records are committed; a missed notice only delays a refetch
            log.exception("could not note %d change(s) in workspace %s", len(keys), workspace)


def collapse(keys: Sequence[str]) -> list[str]:
    """``keys`` without repeats; more than ``BULK`` of one kind become ``<kind>:*``."""
    by_kind: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        by_kind.setdefault(key.partition(":")[0], []).append(key)
    return [key for kind, group in by_kind.items() for key in (group if len(group) <= BULK else [f"{kind}:*"])]


def _write(doc: Doc, entries: list[str], stamp: str, horizon: str) -> None:
    changes = doc.get("changes", type=Map)
    for key, value in list(changes.items()):
        if isinstance(value, str) and value < horizon:
            del changes[key]
    for key in entries:
        changes[key] = stamp
