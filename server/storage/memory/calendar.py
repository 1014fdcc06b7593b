"""The in-memory twins of ``server.storage.calendar`` (issue 18)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from uuid import UUID

from server.domain.calendar import CalendarEntry
from server.domain.projection import ActivityRecord, Table
from server.domain.team_tasks import TeamTask
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase


class MemoryCalendarEntries:
    """Implements ``CalendarEntries`` over the projection's twin tables."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    async def between(self, boards: Sequence[UUID], people: Sequence[UUID], first: date,
                      last: date) -> list[CalendarEntry]:
        found = []
        for board_id in boards:
            board = self._db.table("boards").get(board_id)
            for workspace, a in projected(self._db, Table.ACTIVITIES).get(board_id, {}).values():
                if board is None or not isinstance(a, ActivityRecord):
                    continue
                attending = self._db.table("activity_attendees").get((board_id, a.id), (None, []))[1]
                if a.assignee not in people and not any(("user", p) in attending for p in people):
                    continue
                if a.due_date is None or a.due_date > last or (a.due_date < first and not a.recurrence):
                    continue
                found.append(CalendarEntry(a.id, board_id, board.name, workspace, a.type, a.title, a.assignee,
                                           a.due_date, a.starts_at, a.ends_at, a.all_day, a.time_zone, a.location,
                                           a.done, a.card, self._card_title(board_id, a.card), a.note, a.outcome,
                                           a.created_at, a.recurrence))
        return sorted(found, key=lambda e: (e.day, not e.all_day, e.start is not None, e.start or e.day, e.title,
                                            str(e.id)))

    async def upcoming(self, first: date, last: date) -> list[tuple[UUID, UUID, ActivityRecord]]:
        boards = self._db.table("boards")
        found = []
        for board_id, rows in projected(self._db, Table.ACTIVITIES).items():
            board = boards.get(board_id)
            if board is None or board.archived_at is not None:
                continue
            found += [(workspace, board_id, a) for workspace, a in rows.values()
                      if isinstance(a, ActivityRecord) and not a.done and a.assignee is not None
                      and (a.recurrence or (a.due_date is not None and first <= a.due_date <= last))]
        return sorted(found, key=lambda x: (str(x[1]), str(x[2].id)))

    async def tasks(self, boards: Sequence[UUID], include_done: bool) -> list[TeamTask]:
        found = []
        for board_id in boards:
            board = self._db.table("boards").get(board_id)
            if board is None or board.archived_at is not None:
                continue
            for workspace, a in projected(self._db, Table.ACTIVITIES).get(board_id, {}).values():
                if not isinstance(a, ActivityRecord) or (a.done and not include_done):
                    continue
                found.append(TeamTask(a.id, board_id, board.name, workspace, a.type, a.title, a.assignee, a.due_date,
                                      a.starts_at, a.ends_at, a.all_day, a.time_zone, a.done, a.card,
                                      self._card_title(board_id, a.card), a.recurrence))
        return sorted(found, key=lambda t: (t.day is None, t.day or date.max, t.start is not None,
                                            t.start or datetime.min.replace(tzinfo=timezone.utc), t.title, str(t.id)))

    def _card_title(self, board: UUID, card: UUID | None) -> str | None:
        for table in (Table.DEALS, Table.WORK_ITEMS):
            found = projected(self._db, table).get(board, {}).get(card) if card else None
            if found is not None:
                return found[1].title
        return None


class MemoryCalendarFeeds:
    """Implements ``CalendarFeeds`` (table ``calendar_feeds``: user -> (hash, created))."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._feeds: dict[UUID, tuple[bytes, datetime]] = db.table("calendar_feeds")

    async def put(self, user: UUID, token_hash: bytes) -> None:
        self._feeds[user] = (token_hash, self._db.now())

    async def user_of(self, token_hash: bytes) -> UUID | None:
        return next((user for user, (h, _) in self._feeds.items() if h == token_hash), None)

    async def created(self, user: UUID) -> datetime | None:
        found = self._feeds.get(user)
        return found[1] if found else None

    async def drop(self, user: UUID) -> bool:
        return self._feeds.pop(user, None) is not None
