"""Recording card history by replaying a board's updates on a shadow copy of its document.

The room routes each update with its origin; the projector queues ``(update, author, time)``
in O(1) and, off the hot path, replays the queue here one update at a time on a shadow ``Doc``
observed deeply, so each stage, value or status change is attributed to the update — and so
the user — that made it, with the old and the new value. Updates from other nodes are replayed
too (the shadow must hold everything to integrate what follows) but recorded by their own node.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID

from pycrdt import Doc, Map

from server.documents.edits import card_record
from server.documents.read import card_from, read_record
from server.documents.shapes import DoesNotFit, decode, record
from server.domain.crm import CardEvent, Deal, DealStatus, ItemStatus, WorkItem
from server.domain.history import change_events, created_event, field_events

log = logging.getLogger(__name__)
REMOTE = object()  # the author of an update another node relayed: that node records it
_WATCHED = ("stage", "value", "status")


class Sourced(NamedTuple):
    """A LOCAL change's author with where it came from (``{"import": true}``, or the automation
    rule and chain depth that made it): its events are recorded with ``user`` as their author and
    handed on with ``source`` (``Recorder.replay_sourced``), so automations can tell them apart."""

    user: UUID | None
    source: dict[str, Any]


class Recorder:
    """The shadow of one open board document and the history its replayed updates make."""

    def __init__(self, state: bytes) -> None:
        self.shadow = Doc()
        self.shadow.apply_update(state)
        self._cards = self.shadow.get("cards", type=Map)
        self._settings = self.shadow.get("settings", type=Map)
        self._author: Any = REMOTE
        self._at = datetime.now(timezone.utc)
        self._events: list[CardEvent] = []
        self._subscription = self._cards.observe_deep(self._observe)

    def replay(self, pending: list[tuple[bytes, Any, float]]) -> list[CardEvent]:
        """Apply ``(update, author, unix time)`` in order; return the local changes' events."""
        return [event for event, _ in self.replay_sourced(pending)]

    def replay_sourced(self, pending: list[tuple[bytes, Any, float]]) -> list[tuple[CardEvent, dict[str, Any] | None]]:
        """``replay``, each event with the ``source`` of its update's ``Sourced`` author (else None)."""
        self._events = []
        sourced: list[tuple[CardEvent, dict[str, Any] | None]] = []
        for update, author, at in pending:
            source = author.source if isinstance(author, Sourced) else None
            self._author = author.user if isinstance(author, Sourced) else author
            self._at = datetime.fromtimestamp(at, timezone.utc)
            try:
                self.shadow.apply_update(update)
            except Exception:  # the room applied it, so this cannot happen; never let it stop projection
                log.exception("could not replay an update on the shadow document")
            sourced += [(event, source) for event in self._events[len(sourced):]]
        self._author = REMOTE
        self._events = []
        return sourced

    def close(self) -> None:
        self._cards.unobserve(self._subscription)

    def _kind(self) -> str:
        return "project" if self._settings.get("kind") == "project" else "pipeline"

    def _observe(self, events: list[Any]) -> None:
        if self._author is REMOTE:
            return
        try:
            for event in events:
                if not event.path:
                    self._added(event.keys)
                elif len(event.path) == 1:
                    self._changed(event.path[0], event.keys)
                elif len(event.path) == 2 and event.path[1] == "fields":
                    self._custom(event.path[0], event.keys)
        except Exception:  # history is best effort; the projection of the present is not
            log.exception("could not record card history")

    def _added(self, keys: dict[str, dict[str, Any]]) -> None:
        for key, change in keys.items():
            card = self._card(key)
            if change["action"] == "add" and card is not None:
                self._events.append(created_event(card, self._at, self._author))

    def _changed(self, key: str, keys: dict[str, dict[str, Any]]) -> None:
        watched = {name: change for name, change in keys.items() if name in _WATCHED}
        if "title" in keys or "fields" in keys:
            self._custom(key, {}, keys)
        card = self._card(key) if watched else None
        if card is None:
            return
        fields = record("board", card_record(self._kind())).fields
        changes = {name: (self._decoded(fields.get(name), change.get("oldValue")),
                          self._decoded(fields.get(name), change.get("newValue")))
                   for name, change in watched.items() if name in fields}
        if "status" in changes:
            default = str(DealStatus.OPEN if isinstance(card, Deal) else ItemStatus.TODO)
            changes["status"] = tuple(s if s is not None else default for s in changes["status"])
        currency = card.currency if isinstance(card, Deal) else None
        self._events += change_events(card.id, changes, self._at, self._author, currency)

    def _custom(self, key: str, fields: dict[str, dict[str, Any]], keys: dict[str, dict[str, Any]] | None = None,
                ) -> None:
        """A deal's title or custom fields changed (automation triggers only, not history): ``fields``
        the custom field keys changed inside its ``fields`` map, ``keys`` the card's own keys (its
        title, or a whole new ``fields`` map)."""
        card = self._card(key)
        if not isinstance(card, Deal):
            return
        keys = keys or {}
        title = keys.get("title")
        changed = {name: (change.get("oldValue"), change.get("newValue")) for name, change in fields.items()}
        whole = keys.get("fields")
        if whole is not None:  # the map itself replaced: every key it had or has
            old = _plain(whole.get("oldValue")) or {}
            new = _plain(whole.get("newValue")) or {}
            changed.update({name: (old.get(name), new.get(name)) for name in {*old, *new}})
        self._events += field_events(card.id, (title.get("oldValue"), title.get("newValue")) if title else None,
                                     {name: (_plain(old), _plain(new)) for name, (old, new) in changed.items()},
                                     self._at, self._author)

    def _card(self, key: str) -> Deal | WorkItem | None:
        """The card as it is now in the shadow, if it fits its shape (else no history for it)."""
        entry = self._cards.get(key)
        try:
            ident = UUID(key)
        except ValueError:
            return None
        if not isinstance(entry, Map) or str(ident) != key:
            return None
        kind = self._kind()
        shape = record("board", card_record(kind))
        values = read_record(shape, entry.to_py(), f"cards.{key}", lambda problem: None)
        if values is None:
            return None
        return card_from(kind, ident, values)

    @staticmethod
    def _decoded(field: Any, raw: object) -> Any:
        if field is None or raw is None:
            return None
        try:
            value = decode(field, raw)
        except DoesNotFit:
            return None
        return str(value) if field.type == "enum" else value


def _plain(value: Any) -> Any:
    """A Y value as plain JSON (``to_py`` of a shared type)."""
    return value.to_py() if hasattr(value, "to_py") else value
