"""Writing to board and note documents as their shapes say: one function per kind of edit.

Shared by the server (inside ``Room.change``, so an API edit reaches every connected client at
once) and the Python client (on its session's doc). Each function is one or a few key writes
on one card or activity — a move sets that card's ``stage`` and ``rank`` and nothing else's —
so concurrent edits of different things never conflict. Values are domain values keyed by the
shape's field names; ``None`` removes a field. Call them inside ``doc.transaction()`` so an
edit goes out as one update.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from pycrdt import Array, Doc, Map, XmlElement, XmlFragment, XmlText

from server.documents.shapes import encode, record
from server.domain.crm import Activity
from server.domain.ranks import rank_at


class NoSuchEntry(LookupError):
    """The card or activity is not in the document (or is not a Y.Map there)."""


def card_record(kind: str) -> str:
    return "deal" if kind == "pipeline" else "workItem"


def column_ranks(doc: Doc, stage: UUID, *, without: UUID | None = None) -> list[str]:
    """The ranks of the cards in ``stage``, in board order (rank, then id)."""
    wanted, skip = str(stage), str(without) if without else None
    column = []
    for key, card in doc.get("cards", type=Map).items():
        if key != skip and isinstance(card, Map) and card.get("stage") == wanted:
            rank = card.get("rank")
            column.append((rank if isinstance(rank, str) else "", key))
    return [rank for rank, _ in sorted(column)]


def add_card(doc: Doc, kind: str, card: UUID, values: dict[str, Any], *, stage: UUID,
             position: int | None, at: datetime, by: UUID | None) -> str:
    """Put a new card at ``position`` of ``stage`` (``None``: the end); returns its rank."""
    rank = rank_at(column_ranks(doc, stage), position)
    stamps = {"createdAt": at, "createdBy": by, "updatedAt": at, "stage": stage, "rank": rank}
    if kind == "pipeline":
        stamps["movedAt"] = at
    fields = record("board", card_record(kind)).fields
    entry = {k: encode(fields[k], v) for k, v in {**values, **stamps}.items() if v is not None}
    doc.get("cards", type=Map)[str(card)] = Map(entry)
    return rank


def move_card(doc: Doc, kind: str, card: UUID, stage: UUID, position: int | None, at: datetime) -> str:
    """Place ``card`` at ``position`` of ``stage``: only its ``stage`` and ``rank`` (and times) change."""
    entry = _entry(doc, "cards", card)
    rank = rank_at(column_ranks(doc, stage, without=card), position)
    if entry.get("stage") != str(stage):
        entry["stage"] = str(stage)
        if kind == "pipeline":
            entry["movedAt"] = encode(record("board", "deal").fields["movedAt"], at)
    entry["rank"] = rank
    entry["updatedAt"] = encode(record("board", "deal").fields["updatedAt"], at)
    return rank


def update_card(doc: Doc, kind: str, card: UUID, changes: dict[str, Any], at: datetime) -> None:
    """Set (or with ``None`` remove) fields of ``card``; ``fields`` (custom fields) merges by key."""
    entry = _entry(doc, "cards", card)
    _write(entry, card_record(kind), changes)
    entry["updatedAt"] = encode(record("board", "deal").fields["updatedAt"], at)


def add_activity(doc: Doc, activity: UUID, values: dict[str, Any], *, at: datetime, by: UUID | None) -> None:
    fields = record("board", "activity").fields
    entry = {k: encode(fields[k], v) for k, v in {**values, "createdAt": at, "createdBy": by}.items()
             if v is not None}
    doc.get("activities", type=Map)[str(activity)] = Map(entry)


def update_activity(doc: Doc, activity: UUID, changes: dict[str, Any], at: datetime) -> None:
    """Set fields of an activity; ``done`` true stamps ``doneAt``, false removes it."""
    entry = _entry(doc, "activities", activity)
    if "done" in changes:
        changes = {**changes, "doneAt": at if changes["done"] else None}
    _write(entry, "activity", changes)


LOST_TASK_NOTE = {"en": "Closed: the deal was marked lost.", "de": "Geschlossen: Der Deal wurde als verloren markiert."}
"""The note a task closed with its lost deal gets, as the app's lost dialog writes it (``lostDialog.taskNote``)."""

WON_TASK_NOTE = {"en": "Closed: the deal was marked won.", "de": "Geschlossen: Der Deal wurde als gewonnen markiert."}
"""The note a task closed with its won deal gets, as the app writes it (``closeDeal.wonNote``)."""


def delete_open_activities(doc: Doc, activities: Iterable[Activity], card: UUID) -> int:
    """Delete ``card``'s open activities (closing a deal with "delete its open activities"; the
    app's ``setStatus`` does the same). Returns how many went."""
    entries = doc.get("activities", type=Map)
    gone = 0
    for activity in activities:
        if activity.card == card and not activity.done and str(activity.id) in entries:
            del entries[str(activity.id)]
            gone += 1
    return gone


def close_open_tasks(doc: Doc, activities: Iterable[Activity], card: UUID, note: str, at: datetime) -> int:
    """Mark ``card``'s open activities done, ``note`` added on a line of its own to each one's note
    (marking a deal lost; the app's ``setStatus`` in client/web/src/lib/board.ts does the same).
    Returns how many were closed."""
    closed = 0
    for activity in activities:
        if activity.card == card and not activity.done:
            update_activity(doc, activity.id, {"done": True,
                                               "note": f"{activity.note}\n{note}" if activity.note else note}, at)
            closed += 1
    return closed


def append_paragraphs(content: XmlFragment, text: str) -> None:
    """Add ``text`` as ProseMirror paragraphs (one per blank-line-separated block), as Tiptap
    stores them: ``<paragraph>`` elements holding one ``XmlText`` each."""
    for block in (b.strip() for b in text.split("\n\n")):
        if block:
            paragraph = content.children.append(XmlElement("paragraph"))
            paragraph.children.append(XmlText(block))


def add_note_text(doc: Doc, text: str) -> None:
    """Append paragraphs to a note document's ``content``."""
    append_paragraphs(doc.get("content", type=XmlFragment), text)


def _entry(doc: Doc, root: str, ident: UUID) -> Map:
    entry = doc.get(root, type=Map).get(str(ident))
    if not isinstance(entry, Map):
        raise NoSuchEntry(f"no {root[:-1]} {ident} in this document")
    return entry


def _write(entry: Map, record_name: str, changes: dict[str, Any]) -> None:
    fields = record("board", record_name).fields
    for name, value in changes.items():
        field = fields[name]
        if value is None:
            if name in entry:
                del entry[name]
        elif field.type == "Y.Map" and isinstance(entry.get(name), Map):
            _merge(entry[name], value)
        elif field.type == "Y.Array<string>" and isinstance(entry.get(name), Array):
            _replace(entry[name], list(value))
        else:
            entry[name] = encode(field, value)


def _merge(target: Map, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if value is None:
            if key in target:
                del target[key]
        else:
            target[key] = value


def _replace(target: Array, items: list[str]) -> None:
    if target.to_py() != items:
        target.clear()
        target.extend(items)


def rename_label(doc: Doc, old: str, new: str) -> int:
    """Rename the label ``old`` (ignoring case) to ``new`` on every card of a board document,
    keeping its place among the card's labels; how many cards changed."""
    changed = 0
    for entry in doc.get("cards", type=Map).values():
        labels = entry.get("labels") if isinstance(entry, Map) else None
        if not isinstance(labels, Array):
            continue
        before = [str(item) for item in labels.to_py()]
        after = list(dict.fromkeys(new if item.casefold() == old.casefold() else item for item in before))
        if after != before:
            _replace(labels, after)
            changed += 1
    return changed
