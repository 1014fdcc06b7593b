"""The CRM's vocabulary: stages, deals, work items, activities, notes, and the rules between them.

Plain values (NamedTuples) read out of the board and note documents (``server.documents``) and
written to the projection tables; no pycrdt, no I/O. Ids are UUIDs, times aware UTC datetimes.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput


class StageKind(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class DealStatus(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ItemStatus(enum.StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class ActivityType(enum.StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    TODO = "todo"
    DEADLINE = "deadline"


class SubjectKind(enum.StrEnum):
    """What a note is about."""

    DEAL = "deal"
    CONTACT = "contact"
    ORGANISATION = "organisation"


class BoardSettings(NamedTuple):
    name: str | None
    kind: str | None
    currency: str | None
    seeded_at: datetime | None


class Stage(NamedTuple):
    id: UUID
    name: str
    rank: str
    probability: float | None
    rot_days: int
    kind: StageKind


class Deal(NamedTuple):
    id: UUID
    title: str
    stage: UUID
    rank: str
    value: float | None = None
    currency: str | None = None
    owner: UUID | None = None
    contact: UUID | None = None
    organisation: UUID | None = None
    expected_close: date | None = None
    status: DealStatus = DealStatus.OPEN
    lost_reason: str | None = None
    labels: tuple[str, ...] = ()
    fields: dict[str, Any] = {}
    created_at: datetime | None = None
    created_by: UUID | None = None
    updated_at: datetime | None = None
    moved_at: datetime | None = None
    probability: float | None = None  # the deal's own win probability (0-100); None: its stage's
    forecast_category: str | None = None  # pipeline, best_case, commit, omitted; None: pipeline


class WorkItem(NamedTuple):
    id: UUID
    title: str
    stage: UUID
    rank: str
    description: str | None = None
    assignee: UUID | None = None
    due: date | None = None
    status: ItemStatus = ItemStatus.TODO
    created_at: datetime | None = None
    created_by: UUID | None = None
    updated_at: datetime | None = None


class Activity(NamedTuple):
    id: UUID
    type: ActivityType
    title: str
    assignee: UUID | None = None
    due: date | datetime | None = None
    done: bool = False
    done_at: datetime | None = None
    card: UUID | None = None
    contact: UUID | None = None
    note: str | None = None
    created_at: datetime | None = None
    created_by: UUID | None = None
    # in time (issue 18, server/domain/calendar.py): ``due`` is the start
    end: datetime | None = None
    all_day: bool | None = None
    time_zone: str | None = None
    location: str | None = None
    outcome: str | None = None
    reminders: tuple[int, ...] | None = None  # minutes before; None: the defaults
    recurrence: str | None = None  # an RRULE value (FREQ=WEEKLY;BYDAY=MO), repeating at the same local time


Card = Deal | WorkItem


class BoardState(NamedTuple):
    """Everything a board document holds that fits its shape."""

    settings: BoardSettings
    stages: dict[UUID, Stage]
    cards: dict[UUID, Card]
    activities: dict[UUID, Activity]

    def ordered_stages(self) -> list[Stage]:
        """Columns in board order: by rank, then id."""
        return sorted(self.stages.values(), key=lambda s: (s.rank, str(s.id)))

    def column(self, stage: UUID, *, without: UUID | None = None) -> list[Card]:
        """The cards of one stage in order (rank, then id), optionally leaving one out."""
        cards = [c for c in self.cards.values() if c.stage == stage and c.id != without]
        return sorted(cards, key=lambda c: (c.rank, str(c.id)))


class NoteMeta(NamedTuple):
    title: str
    subject_kind: SubjectKind
    subject_id: UUID | None  # in the notes table; no longer in the document (issue 13)
    board: UUID
    created_at: datetime | None = None
    created_by: UUID | None = None


class CardEvent(NamedTuple):
    """One change of a card as history records it: ``created``, ``moved``, ``value`` or ``status``."""

    card: UUID
    kind: str
    at: datetime
    author: UUID | None = None
    from_stage: UUID | None = None
    to_stage: UUID | None = None
    old_value: float | None = None
    new_value: float | None = None
    currency: str | None = None
    old_status: str | None = None
    new_status: str | None = None
    reconciled: bool = False


# --- rules -------------------------------------------------------------------------------------

def check_title(raw: str, what: str = "title", limit: int = 500) -> str:
    title = raw.strip()
    if not 1 <= len(title) <= limit:
        raise InvalidInput(f"expected a {what} of 1 to {limit} characters, got {len(title)}")
    return title


def parse_due(raw: str) -> date | datetime:
    """A due date (``2026-11-26``) or date-time (``2026-11-26T15:00:00Z``, stored in UTC)."""
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"expected a date (YYYY-MM-DD) or an ISO-8601 date-time, got {raw[:40]!r}") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def due_date(due: date | datetime | None) -> date | None:
    """The calendar day something is due (UTC for date-times)."""
    return due.date() if isinstance(due, datetime) else due


def status_after_move(status: DealStatus, source: StageKind | None, target: StageKind) -> DealStatus:
    """A deal's status when it moves into a column of ``target`` kind.

    Terminal columns decide the status (into Won: won; into Lost: lost); leaving a terminal
    column for an open one reopens the deal; moves between open columns keep the status.
    """
    if target is StageKind.WON:
        return DealStatus.WON
    if target is StageKind.LOST:
        return DealStatus.LOST
    if source in (StageKind.WON, StageKind.LOST):
        return DealStatus.OPEN
    return status


def stage_for_status(stages: list[Stage], status: DealStatus, current: Stage | None) -> Stage | None:
    """Where a deal goes when its status is set: the first column of that kind, if the board has one.

    Reopening a deal that sits in a terminal column puts it in the last open column; otherwise
    it stays where it is (``None``).
    """
    if status is DealStatus.OPEN:
        if current is None or current.kind is StageKind.OPEN:
            return None
        open_stages = [s for s in stages if s.kind is StageKind.OPEN]
        return open_stages[-1] if open_stages else None
    wanted = StageKind.WON if status is DealStatus.WON else StageKind.LOST
    return next((s for s in stages if s.kind is wanted), None)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
