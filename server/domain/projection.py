"""What the projection writes: one record per row of its tables, built from a board's domain values.

A record holds a row's column values in the order the tables list them (key first), so the
projector diffs what a document says against what a table holds by comparing records, and any
storage returns them unchanged (``server.services.ports.projection``). Pure: no I/O.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.calendar import span
from server.domain.crm import Activity, Deal, Stage, WorkItem


class Table(enum.StrEnum):
    """The projection's tables of one board."""

    STAGES = "board_stages"
    DEALS = "deals"
    WORK_ITEMS = "work_items"
    ACTIVITIES = "activities"


class StageRecord(NamedTuple):
    id: UUID
    name: str
    rank: str
    position: int
    probability: float | None
    rot_days: int
    kind: str


class DealRecord(NamedTuple):
    id: UUID
    title: str
    value: float | None
    currency: str | None
    owner: UUID | None
    contact: UUID | None
    organisation: UUID | None
    expected_close: date | None
    status: str
    lost_reason: str | None
    labels: list[str]
    fields: dict[str, Any]
    stage: UUID
    rank: str
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None
    moved_at: datetime | None
    probability: float | None = None  # issue 19 (migration 0035)
    forecast_category: str | None = None


class WorkItemRecord(NamedTuple):
    id: UUID
    title: str
    description: str | None
    assignee: UUID | None
    due: date | None
    status: str
    stage: UUID
    rank: str
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None


class ActivityRecord(NamedTuple):
    id: UUID
    type: str
    title: str
    assignee: UUID | None
    due_date: date | None  # the day it is due (of a date-time too)
    due_at: datetime | None  # the moment, when ``due`` is a date-time
    done: bool
    done_at: datetime | None
    card: UUID | None
    contact: UUID | None
    note: str | None
    created_at: datetime | None
    created_by: UUID | None
    # in time (issue 18, migration 0024): see server/domain/calendar.py
    starts_at: datetime | None = None  # the start of a timed activity
    ends_at: datetime | None = None
    all_day: bool = True
    time_zone: str | None = None
    location: str | None = None
    outcome: str | None = None
    reminders: list[int] | None = None  # minutes before as set; None: the defaults
    recurrence: str | None = None  # an RRULE value


Record = StageRecord | DealRecord | WorkItemRecord | ActivityRecord
RECORDS: dict[Table, type[Record]] = {Table.STAGES: StageRecord, Table.DEALS: DealRecord,
                                      Table.WORK_ITEMS: WorkItemRecord, Table.ACTIVITIES: ActivityRecord}


class ProjectedDocument(NamedTuple):
    """A registered board or note document and the board it belongs to."""

    name: str
    kind: str  # board | note (| workspace: not projected)
    workspace_id: UUID
    board_id: UUID
    board_kind: str


def stage_record(stage: Stage, position: int) -> StageRecord:
    return StageRecord(stage.id, stage.name, stage.rank, position, stage.probability, stage.rot_days,
                       str(stage.kind))


def deal_record(d: Deal) -> DealRecord:
    return DealRecord(d.id, d.title, d.value, d.currency, d.owner, d.contact, d.organisation, d.expected_close,
                      str(d.status), d.lost_reason, list(d.labels), dict(d.fields), d.stage, d.rank, d.created_at,
                      d.created_by, d.updated_at, d.moved_at, d.probability, d.forecast_category)


def work_item_record(w: WorkItem) -> WorkItemRecord:
    return WorkItemRecord(w.id, w.title, w.description, w.assignee, w.due, str(w.status), w.stage, w.rank,
                          w.created_at, w.created_by, w.updated_at)


def activity_record(a: Activity) -> ActivityRecord:
    due_at = a.due if isinstance(a.due, datetime) else None
    when = span(a.due, a.end, a.all_day, a.time_zone)
    due_date = when.day if when else None  # the local day in its zone (UTC without one)
    timed = when is not None and when.start is not None and not when.all_day
    return ActivityRecord(a.id, str(a.type), a.title, a.assignee, due_date, due_at, a.done, a.done_at, a.card,
                          a.contact, a.note, a.created_at, a.created_by,
                          when.start if timed else None, when.end if timed else None, not timed,
                          when.zone if when else None, a.location, a.outcome,
                          list(a.reminders) if a.reminders is not None else None, a.recurrence)
