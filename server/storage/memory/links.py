"""``MemoryRecordLinks``: the in-memory twin of ``RecordLinks``.

It reads the projection's tables as the projection twin keeps them in the ``MemoryDatabase``:
``deals``, ``activities`` and ``notes``, each a dict of rows (``{column: value}``, the columns of
migration 0003) by primary key, and the ``contacts`` and ``organisations`` tables of
``server.storage.memory.contacts``. As in ``sql/links.sql``, a row links to a record only when
both are of the same workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.storage.memory.unit import MemoryDatabase

_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


class MemoryRecordLinks:
    """Implements ``RecordLinks``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.contacts: dict[UUID, Any] = db.table("contacts")
        self.organisations: dict[UUID, Any] = db.table("organisations")
        self.deals: dict[Any, dict[str, Any]] = db.table("deals")
        self.activities: dict[Any, dict[str, Any]] = db.table("activities")
        self.notes: dict[Any, dict[str, Any]] = db.table("notes")

    def _of_own_contact(self, row: dict[str, Any], contacts: Sequence[UUID]) -> bool:
        contact = self.contacts.get(row.get("contact_id"))
        return row.get("contact_id") in contacts and contact is not None \
            and contact.workspace_id == row["workspace_id"]

    def _about(self, row: dict[str, Any], subject_kind: str, subjects: Sequence[UUID]) -> bool:
        records = {"contact": self.contacts, "organisation": self.organisations}.get(subject_kind, {})
        record = records.get(row["subject_id"])
        return row["subject_kind"] == subject_kind and row["subject_id"] in subjects \
            and record is not None and record.workspace_id == row["workspace_id"]

    async def merged_into(self, survivor: UUID) -> list[UUID]:
        return [row.id for row in self.contacts.values() if row.merged_into == survivor]

    async def deals_of(self, contacts: Sequence[UUID]) -> list[LinkedDeal]:
        rows = [row for row in self.deals.values() if self._of_own_contact(row, contacts)]
        # updated_at DESC NULLS LAST, then card_id
        rows.sort(key=lambda r: r["card_id"])
        rows.sort(key=lambda r: (r["updated_at"] is None, _negated(r["updated_at"])))
        return [LinkedDeal(*(row[field] for field in LinkedDeal._fields)) for row in rows]

    async def activities_of(self, contacts: Sequence[UUID]) -> list[LinkedActivity]:
        rows = [row for row in self.activities.values() if self._of_own_contact(row, contacts)]
        rows.sort(key=lambda r: (r["done"], *_nulls_last(r["due_date"]), *_nulls_last(r["due_at"]), r["activity_id"]))
        return [LinkedActivity(*(row[field] for field in LinkedActivity._fields)) for row in rows]

    async def notes_of(self, subject_kind: str, subjects: Sequence[UUID]) -> list[LinkedNote]:
        rows = [row for row in self.notes.values() if self._about(row, subject_kind, subjects)]
        rows.sort(key=lambda r: r["id"])
        rows.sort(key=lambda r: r["created_at"], reverse=True)
        return [LinkedNote(*(row[field] for field in LinkedNote._fields)) for row in rows]

    async def notes_count(self, subject_kind: str, subjects: Sequence[UUID]) -> dict[UUID, int]:
        counts: dict[UUID, int] = {}
        for row in self.notes.values():
            if self._about(row, subject_kind, subjects):
                counts[row["subject_id"]] = counts.get(row["subject_id"], 0) + 1
        return counts


def _nulls_last(value: date | datetime | None) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def _negated(value: datetime | None) -> float:
    return -(value or _EARLIEST).timestamp()
