"""In-memory twins of the projection's storage, the note registry and the CRM's reads.

Tables: ``document_updates`` (document -> seeded and appended updates), ``projected_<table>``
(board -> key -> ``(workspace, record)``), ``card_events`` (``(board, event)`` in insertion
order) and ``notes``. Boards, documents, memberships, shares and user names are read from the
workspace and account twins' tables (``boards``, ``documents``, ``memberships``,
``board_shares``, ``users``), contacts and organisations from the contact twins' ones, as the SQL
joins them. ``lock`` needs nothing here: a memory unit of work already runs alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from server.domain.board_reads import (
    DealListing, DealSummary, HistoryRow, MyActivity, MyWorkItem, NoteAdded, NoteRecord, TaskDone, Timeline,
)
from server.domain.crm import CardEvent, Stage, StageKind
from server.domain.projection import ProjectedDocument, Record, Table
from server.domain.reports import DealFacts
from server.storage.memory.unit import MemoryDatabase

_LAST = (1, None)  # NULLS LAST as a sort key: (0, value) before (1, None)


def projected(db: MemoryDatabase, table: str) -> dict[UUID, dict[UUID, tuple[UUID, Record]]]:
    """board -> key -> (workspace, record) of one projection table."""
    return db.table(f"projected_{table}")


def _nulls_last(value: Any) -> tuple:
    return _LAST if value is None else (0, value)


def _events(db: MemoryDatabase, board: UUID) -> list[CardEvent]:
    ordered = sorted(enumerate(db.table("card_events", list)), key=lambda item: (item[1][1].at, item[0]))
    return [event for _, (b, event) in ordered if b == board]


class MemoryProjectedDocuments:
    """Implements ``server.services.ports.projection.ProjectedDocuments`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._updates: dict[str, list[bytes]] = db.table("document_updates")

    async def seed(self, document: str, update: bytes) -> None:
        self._updates.setdefault(document, []).append(update)

    async def lock(self, document: str) -> None:
        return None

    async def stored_updates(self, document: str) -> list[bytes]:
        return list(self._updates.get(document, []))

    async def get(self, document: str) -> ProjectedDocument | None:
        registered = self._db.table("documents").get(document)
        board = self._db.table("boards").get(registered.board) if registered and registered.board else None
        if board is None:
            return None
        return ProjectedDocument(document, str(registered.kind), registered.workspace, board.id, str(board.kind))

    async def names(self) -> list[str]:
        return sorted(name for name, d in self._db.table("documents").items() if str(d.kind) in ("board", "note"))


class MemoryProjectionTables:
    """Implements ``server.services.ports.projection.ProjectionTables`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    async def records(self, table: Table, board: UUID) -> dict[UUID, Record]:
        return {key: record for key, (_, record) in projected(self._db, table).get(board, {}).items()}

    async def upsert(self, table: Table, board: UUID, workspace: UUID, records: Sequence[Record]) -> None:
        rows = projected(self._db, table).setdefault(board, {})
        rows.update((record.id, (workspace, record)) for record in records)

    async def delete(self, table: Table, board: UUID, keys: Sequence[UUID]) -> None:
        rows = projected(self._db, table).get(board, {})
        for key in keys:
            rows.pop(key, None)

    async def clear(self, table: Table, board: UUID) -> None:
        projected(self._db, table).pop(board, None)

    async def add_events(self, board: UUID, events: Sequence[CardEvent]) -> None:
        self._db.table("card_events", list).extend((board, event) for event in events)

    async def events(self, board: UUID) -> list[CardEvent]:
        return _events(self._db, board)


class MemoryNotes:
    """Implements ``server.services.ports.crm.Notes`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._notes: dict[UUID, NoteRecord] = db.table("notes")

    async def add(self, note: NoteRecord) -> None:
        self._notes[note.id] = note

    async def get(self, note: UUID) -> NoteRecord | None:
        return self._notes.get(note)

    async def title(self, document: str) -> str | None:
        return next((n.title for n in self._notes.values() if n.document == document), None)

    async def set_title(self, document: str, title: str) -> None:
        for key, note in list(self._notes.items()):
            if note.document == document:
                self._notes[key] = note._replace(title=title)


class MemoryBoardReach:
    """Implements ``server.services.ports.crm.BoardReach`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    async def visible_boards(self, user: UUID) -> list[UUID]:
        return sorted(b.id for b in self._db.table("boards").values()
                      if self._reaches(b, user) and b.archived_at is None)

    async def reaches(self, board: UUID, user: UUID) -> bool:
        found = self._db.table("boards").get(board)
        return found is not None and self._reaches(found, user)

    def _reaches(self, board: Any, user: UUID) -> bool:
        return ((board.workspace_id, user) in self._db.table("memberships")
                or (board.id, user) in self._db.table("board_shares"))


class MemoryBoardReads:
    """Implements ``server.services.ports.crm.BoardReads`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    # --- what the SQL joins -------------------------------------------------------------------

    def _rows(self, table: Table, board: UUID) -> list[Any]:
        return [record for _, record in projected(self._db, table).get(board, {}).values()]

    def _stage(self, board: UUID, stage: UUID | None) -> Any:
        entry = projected(self._db, Table.STAGES).get(board, {}).get(stage)
        return entry[1] if entry else None

    def _user_name(self, user: UUID | None) -> str | None:
        account = self._db.table("users").get(user)
        return account.name if account else None

    def _of_workspace(self, table: str, record: UUID | None, workspace: UUID) -> UUID | None:
        row = self._db.table(table).get(record)
        return record if row is not None and row.workspace_id == workspace else None

    def _card_title(self, board: UUID, card: UUID | None) -> str | None:
        for table in (Table.DEALS, Table.WORK_ITEMS):
            entry = projected(self._db, table).get(board, {}).get(card)
            if entry:
                return entry[1].title
        return None

    # --- the port -------------------------------------------------------------------------------

    async def my_tasks(self, user: UUID, boards: Sequence[UUID],
                       include_done: bool) -> tuple[list[MyActivity], list[MyWorkItem]]:
        activities: list[MyActivity] = []
        items: list[MyWorkItem] = []
        for board_id in boards:
            board = self._db.table("boards").get(board_id)
            if board is None:
                continue
            member = (board.workspace_id, user) in self._db.table("memberships")
            for a in self._rows(Table.ACTIVITIES, board_id):
                if a.assignee == user and (include_done or not a.done):
                    contact = self._of_workspace("contacts", a.contact, board.workspace_id) if member else None
                    activities.append(MyActivity(a.id, board_id, board.name, board.workspace_id, a.type, a.title,
                                                 a.due_date, a.due_at, a.done, a.done_at, a.card,
                                                 self._card_title(board_id, a.card), contact))
            for w in self._rows(Table.WORK_ITEMS, board_id):
                if w.assignee == user and (include_done or w.status != "done"):
                    stage = self._stage(board_id, w.stage)
                    items.append(MyWorkItem(w.id, board_id, board.name, board.workspace_id, w.title, w.due, w.status,
                                            stage.name if stage else None))
        activities.sort(key=lambda a: (_nulls_last(a.due_date), _nulls_last(a.due_at), a.title, a.id))
        items.sort(key=lambda w: (_nulls_last(w.due), w.title, w.id))
        return activities, items

    async def deals(self, workspace: UUID, boards: Sequence[UUID], *, owner: UUID | None, stage: UUID | None,
                    status: str | None, board: UUID | None, limit: int) -> list[DealListing]:
        found: list[tuple[tuple, DealListing]] = []
        for board_id in set(boards):
            info = self._db.table("boards").get(board_id)
            for deal_workspace, d in projected(self._db, Table.DEALS).get(board_id, {}).values():
                if deal_workspace != workspace or info is None:
                    continue
                if not all(wanted is None or wanted == value for wanted, value in
                           ((owner, d.owner), (stage, d.stage), (status, d.status), (board, board_id))):
                    continue
                s = self._stage(board_id, d.stage)
                listing = DealListing(
                    board_id, info.name, d.id, d.title, d.value, d.currency, d.owner,
                    self._of_workspace("contacts", d.contact, workspace),
                    self._of_workspace("organisations", d.organisation, workspace), d.expected_close, d.status,
                    d.lost_reason, list(d.labels), dict(d.fields), d.stage, s and s.name, s and s.probability,
                    d.rank, d.created_at, d.created_by, d.updated_at, d.moved_at, s and s.rot_days)
                order = (info.created_at, board_id, _nulls_last(s and s.position), d.rank, d.id)
                found.append((order, listing))
        return [listing for _, listing in sorted(found, key=lambda item: item[0])[:limit]]

    async def report(self, board: UUID) -> tuple[list[Stage], list[DealFacts], list[CardEvent]]:
        stages = sorted(self._rows(Table.STAGES, board), key=lambda s: s.position)
        return ([Stage(s.id, s.name, s.rank, s.probability, s.rot_days, StageKind(s.kind)) for s in stages],
                [DealFacts(d.id, d.stage, d.status, d.value, d.currency, d.owner, d.expected_close)
                 for d in self._rows(Table.DEALS, board)],
                _events(self._db, board))

    async def deal(self, board: UUID, card: UUID) -> DealSummary | None:
        entry = projected(self._db, Table.DEALS).get(board, {}).get(card)
        if entry is None:
            return None
        d = entry[1]
        stage = self._stage(board, d.stage)
        return DealSummary(d.id, d.title, d.value, d.currency, d.owner, d.status, d.lost_reason, d.stage,
                           stage.name if stage else None, d.created_at, d.created_by, self._user_name(d.created_by))

    async def timeline(self, board: UUID, card: UUID) -> Timeline:
        def stage_name(stage: UUID | None) -> str | None:
            found = self._stage(board, stage)
            return found.name if found else None

        history = [HistoryRow(e.kind, e.at, e.author, self._user_name(e.author), e.from_stage,
                              stage_name(e.from_stage), e.to_stage, stage_name(e.to_stage), e.old_value, e.new_value,
                              e.currency, e.old_status, e.new_status)
                   for e in _events(self._db, board) if e.card == card and e.kind != "created"]
        done = sorted((a for a in self._rows(Table.ACTIVITIES, board) if a.card == card and a.done),
                      key=lambda a: (_nulls_last(a.done_at), a.id))
        tasks = [TaskDone(a.id, a.type, a.title, a.done_at, a.assignee, self._user_name(a.assignee)) for a in done]
        notes = sorted((n for n in self._db.table("notes").values()
                        if n.board_id == board and n.subject_kind == "deal" and n.subject_id == card),
                       key=lambda n: (n.created_at, n.id))
        return Timeline(history, tasks, [NoteAdded(n.id, n.document, n.title, n.created_at, n.created_by,
                                                   self._user_name(n.created_by)) for n in notes])
