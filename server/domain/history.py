"""Card history: turning observed key changes into events, and reconciling history with the present.

History (``CardEvent``) is recorded when a change happens — the documents hold the present, not
the past — so a rebuild cannot recreate it; it can only check that each card's recorded chain
ends where the card is now, and add the missing link (``reconciled``, author unknown).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.crm import Card, CardEvent, Deal

_UNSET = object()
HISTORY_KINDS = ("created", "moved", "value", "status")  # what card history (card_events) keeps


class FieldEvent(NamedTuple):
    """A change of a deal's title (``kind`` "title") or of one custom field (``kind`` "field",
    ``field`` its key): not history, only an automation trigger (field_changed, issue 16)."""

    card: UUID
    kind: str
    at: datetime
    author: UUID | None
    field: str | None
    old: Any
    new: Any
    reconciled: bool = False


def field_events(card: UUID, title: tuple[Any, Any] | None, fields: dict[str, tuple[Any, Any]], at: datetime,
                 author: UUID | None) -> list[FieldEvent]:
    """Events for one observed change of a deal's title and custom fields (unchanged pairs ignored)."""
    events = []
    if title is not None and title[0] != title[1]:
        events.append(FieldEvent(card, "title", at, author, "title", *title))
    events += [FieldEvent(card, "field", at, author, key, old, new) for key, (old, new) in fields.items()
               if old != new]
    return events


def created_event(card: Card, at: datetime, author: UUID | None, *, reconciled: bool = False) -> CardEvent:
    """The first event of a card: where it started, with what value and status."""
    value, currency = (card.value, card.currency) if isinstance(card, Deal) else (None, None)
    return CardEvent(card.id, "created", at, author, to_stage=card.stage, new_value=value, currency=currency,
                     new_status=str(card.status), reconciled=reconciled)


def change_events(card: UUID, changes: dict[str, tuple[Any, Any]], at: datetime, author: UUID | None,
                  currency: str | None) -> list[CardEvent]:
    """Events for one observed change of a card: ``changes`` maps ``stage``/``value``/``status`` to
    ``(old, new)`` domain values (already decoded; unchanged pairs are ignored)."""
    events = []
    if "stage" in changes and changes["stage"][0] != changes["stage"][1]:
        old, new = changes["stage"]
        events.append(CardEvent(card, "moved", at, author, from_stage=old, to_stage=new))
    if "value" in changes and changes["value"][0] != changes["value"][1]:
        old, new = changes["value"]
        events.append(CardEvent(card, "value", at, author, old_value=old, new_value=new, currency=currency))
    if "status" in changes and changes["status"][0] != changes["status"][1]:
        old, new = changes["status"]
        events.append(CardEvent(card, "status", at, author, old_status=old, new_status=new))
    return events


class Chain:
    """Where a card's recorded history says it is: its last stage, value and status."""

    __slots__ = ("stage", "value", "status", "currency")

    def __init__(self) -> None:
        self.stage: Any = _UNSET
        self.value: Any = _UNSET
        self.status: Any = _UNSET
        self.currency: str | None = None

    def follow(self, event: CardEvent) -> None:
        if event.kind in ("created", "moved"):
            self.stage = event.to_stage
        if event.kind in ("created", "value"):
            self.value, self.currency = event.new_value, event.currency
        if event.kind in ("created", "status"):
            self.status = event.new_status


def chains(events: Iterable[CardEvent]) -> dict[UUID, Chain]:
    """Each card's chain, following ``events`` in time order."""
    found: dict[UUID, Chain] = {}
    for event in events:
        found.setdefault(event.card, Chain()).follow(event)
    return found


def reconcile(cards: Iterable[Card], events: Iterable[CardEvent], now: datetime) -> list[CardEvent]:
    """The events that make every card's recorded chain end where the card is now."""
    known = chains(events)
    missing: list[CardEvent] = []
    for card in cards:
        chain = known.get(card.id)
        if chain is None or chain.stage is _UNSET:
            missing.append(created_event(card, card.created_at or now, card.created_by, reconciled=True))
            continue
        at = _moment(card, now)
        if chain.stage != card.stage:
            missing.append(CardEvent(card.id, "moved", at, from_stage=chain.stage, to_stage=card.stage,
                                     reconciled=True))
        if isinstance(card, Deal) and chain.value is not _UNSET and chain.value != card.value:
            missing.append(CardEvent(card.id, "value", at, old_value=chain.value, new_value=card.value,
                                     currency=card.currency, reconciled=True))
        if chain.status is not _UNSET and chain.status != str(card.status):
            missing.append(CardEvent(card.id, "status", at, old_status=chain.status, new_status=str(card.status),
                                     reconciled=True))
    return missing


def _moment(card: Card, now: datetime) -> datetime:
    moved = getattr(card, "moved_at", None)
    return moved or card.updated_at or now
