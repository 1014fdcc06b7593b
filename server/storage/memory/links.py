"""``MemoryRecordLinks``: the in-memory twin of ``RecordLinks``.

It reads the projection's tables as the projection twin (``server.storage.memory.crm``) keeps
them: ``projected_deals`` and ``projected_activities`` (board -> key -> ``(workspace, record)``)
and ``notes`` (id -> ``NoteRecord``), and the ``contacts`` and ``organisations`` tables of
``server.storage.memory.contacts``. As in ``sql/links.sql``, a row links to a record only when
both are of the same workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from server.domain.board_reads import NoteRecord
from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.domain.projection import ActivityRecord, DealRecord, Table
from server.domain.timeline import EntryKind, TimelineEntry, newest_first
from server.storage.memory.unit import MemoryDatabase


class MemoryRecordLinks:
    """Implements ``RecordLinks``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._contacts: dict[UUID, Any] = db.table("contacts")
        self._organisations: dict[UUID, Any] = db.table("organisations")
        self._notes: dict[UUID, NoteRecord] = db.table("notes")

    def _organisation_of(self, board: UUID, activity: UUID) -> UUID | None:
        """The organisation an activity's record link names (table ``record_links``)."""
        found = self._db.table("record_links").get((board, "activity", activity))
        return found[1].organisation_id if found else None

    def _rows(self, table: Table) -> Iterator[tuple[UUID, UUID, Any]]:
        """``(board, workspace, record)`` of every projected row of ``table``."""
        for board, rows in self._db.table(f"projected_{table}").items():
            for workspace, record in rows.values():
                yield board, workspace, record

    def _own(self, records: dict[UUID, Any], record: UUID | None, workspace: UUID) -> bool:
        found = records.get(record)
        return found is not None and found.workspace_id == workspace

    def _about(self, note: NoteRecord, subject_kind: str, subjects: Sequence[UUID]) -> bool:
        records = {"contact": self._contacts, "organisation": self._organisations}.get(subject_kind, {})
        return (note.subject_kind == subject_kind and note.subject_id in subjects
                and self._own(records, note.subject_id, note.workspace_id))

    async def merged_into(self, survivor: UUID) -> list[UUID]:
        return [row.id for row in self._contacts.values() if row.merged_into == survivor]

    async def deals_of(self, contacts: Sequence[UUID]) -> list[LinkedDeal]:
        found = [(board, deal) for board, workspace, deal in self._rows(Table.DEALS)
                 if deal.contact in contacts and self._own(self._contacts, deal.contact, workspace)]
        found.sort(key=lambda pair: pair[1].id)
        found.sort(key=lambda pair: _latest_first(pair[1].updated_at))  # updated_at DESC NULLS LAST
        return [_deal(board, deal) for board, deal in found]

    async def activities_of(self, contacts: Sequence[UUID]) -> list[LinkedActivity]:
        found = [(board, a) for board, workspace, a in self._rows(Table.ACTIVITIES)
                 if a.contact in contacts and self._own(self._contacts, a.contact, workspace)]
        found.sort(key=lambda pair: (pair[1].done, _nulls_last(pair[1].due_date), _nulls_last(pair[1].due_at),
                                     pair[1].id))
        return [_activity(board, a) for board, a in found]

    async def notes_of(self, subject_kind: str, subjects: Sequence[UUID]) -> list[LinkedNote]:
        found = sorted((n for n in self._notes.values() if self._about(n, subject_kind, subjects)),
                       key=lambda n: n.id)
        found.sort(key=lambda n: n.created_at, reverse=True)
        return [LinkedNote(n.id, n.document, n.board_id, n.title, n.subject_id, n.created_by, n.created_at)
                for n in found]

    async def notes_count(self, subject_kind: str, subjects: Sequence[UUID]) -> dict[UUID, int]:
        counts: dict[UUID, int] = {}
        for note in self._notes.values():
            if self._about(note, subject_kind, subjects):
                counts[note.subject_id] = counts.get(note.subject_id, 0) + 1
        return counts


    async def organisation_deals(self, organisation: UUID) -> list[LinkedDeal]:
        org = self._organisations.get(organisation)
        if org is None:
            return []
        people = {row.id for row in self._contacts.values() if row.workspace_id == org.workspace_id
                  and row.deleted_at is None and row.indexed.values.organisation_id == organisation}
        found = [(board, deal) for board, workspace, deal in self._rows(Table.DEALS)
                 if workspace == org.workspace_id and (deal.organisation == organisation or deal.contact in people)]
        found.sort(key=lambda pair: pair[1].id)
        found.sort(key=lambda pair: _latest_first(pair[1].updated_at))
        return [_deal(board, deal) for board, deal in found]

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int, offset: int) -> list[TimelineEntry]:
        deals = [(board, d) for board, ws, d in self._rows(Table.DEALS) if ws == workspace
                 and (d.contact in contacts or (organisation is not None and d.organisation == organisation))]
        cards = {(board, d.id) for board, d in deals}
        entries = [_deal_entry(board, d) for board, d in deals]
        entries += [_activity_entry(board, a) for board, ws, a in self._rows(Table.ACTIVITIES) if ws == workspace
                    and (a.contact in contacts or (board, a.card) in cards
                         or (organisation is not None and self._organisation_of(board, a.id) == organisation))]
        entries += [_note_entry(n) for n in self._notes.values() if n.workspace_id == workspace and (
            (n.subject_kind == "contact" and n.subject_id in contacts)
            or (n.subject_kind == "organisation" and organisation is not None and n.subject_id == organisation)
            or (n.subject_kind == "deal" and (n.board_id, n.subject_id) in cards))]
        return newest_first(entries)[offset:offset + limit]


def _deal_entry(board: UUID, d: DealRecord) -> TimelineEntry:
    return TimelineEntry(EntryKind.DEAL, d.id, d.created_at or d.updated_at, d.created_by, d.title, board, d.id,
                         None, d.contact, d.status, None, d.value, d.currency, None)


def _activity_entry(board: UUID, a: ActivityRecord) -> TimelineEntry:
    at = (a.done_at or a.created_at) if a.done else a.created_at
    return TimelineEntry(EntryKind.ACTIVITY, a.id, at, a.created_by, a.title, board, a.card, None, a.contact,
                         "done" if a.done else "open", a.type, None, None, a.due_date)


def _note_entry(n: NoteRecord) -> TimelineEntry:
    return TimelineEntry(EntryKind.NOTE, n.id, n.created_at, n.created_by, n.title, n.board_id,
                         n.subject_id if n.subject_kind == "deal" else None, n.document,
                         n.subject_id if n.subject_kind == "contact" else None, None, None, None, None, None)


def _deal(board: UUID, deal: DealRecord) -> LinkedDeal:
    return LinkedDeal(board, deal.id, deal.title, deal.status, deal.value, deal.currency, deal.stage, deal.contact,
                      deal.owner, deal.expected_close, deal.updated_at)


def _activity(board: UUID, a: ActivityRecord) -> LinkedActivity:
    return LinkedActivity(board, a.id, a.type, a.title, a.done, a.due_date, a.due_at, a.assignee, a.card, a.contact)


def _nulls_last(value: date | datetime | None) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def _latest_first(value: datetime | None) -> tuple[bool, float]:
    return (value is None, -value.timestamp() if value is not None else 0.0)
