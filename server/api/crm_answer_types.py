"""Response types of the CRM API (msgspec Structs), snake_case like the rest of the API.

Cards and activities are the board document's values under their domain attribute names; the
reads (tasks, deals, the pipeline report, a deal's timeline) come from the projection tables.
Kinds of tasks and timeline events are tagged unions on ``kind``, so the OpenAPI document (and
the web app's types generated from it) tell each kind's fields apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from server.domain.crm import ActivityType, DealStatus, ItemStatus, SubjectKind

# --- the board document's values --------------------------------------------------------------


class EntryLink(msgspec.Struct, kw_only=True):
    """A deal's (``entry_kind`` card) or activity's link to a contact and organisation. Kept in SQL,
    not in the board document, so guests never receive the ids (issue 13)."""

    entry_kind: Literal["card", "activity"]
    entry_id: UUID
    contact: UUID | None
    organisation: UUID | None


class Deal(msgspec.Struct, kw_only=True):
    """A deal of a pipeline board."""

    id: UUID
    title: str
    stage: UUID
    rank: str
    value: float | None
    currency: str | None
    owner: UUID | None
    contact: UUID | None
    organisation: UUID | None
    expected_close: date | None
    status: DealStatus
    lost_reason: str | None
    labels: tuple[str, ...]
    fields: dict[str, Any]
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None
    moved_at: datetime | None
    probability: float | None = None  # the deal's own win probability (0-100); None: its stage's
    forecast_category: str | None = None  # pipeline, best_case, commit, omitted; None: pipeline


class WorkItem(msgspec.Struct, kw_only=True):
    """A work item of a project board."""

    id: UUID
    title: str
    stage: UUID
    rank: str
    description: str | None
    assignee: UUID | None
    due: date | None
    status: ItemStatus
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None


class Activity(msgspec.Struct, kw_only=True):
    """A call, meeting, e-mail, to-do or deadline; ``due`` is a date (``2026-11-26``) or an
    ISO-8601 UTC date-time."""

    id: UUID
    type: ActivityType
    title: str
    assignee: UUID | None
    due: str | None
    done: bool
    done_at: datetime | None
    card: UUID | None
    contact: UUID | None
    note: str | None
    created_at: datetime | None
    created_by: UUID | None
    # in time (issue 18, docs/calendar.md): ``due`` is the start
    end: datetime | None = None  # a timed activity's end (after ``due``)
    all_day: bool | None = None
    time_zone: str | None = None  # IANA, the zone its times were chosen in
    location: str | None = None  # a place or a video link
    outcome: str | None = None  # how a call or meeting went
    reminders: list[int] | None = None  # minutes before the start; null: the defaults (1 day, 15 minutes)
    recurrence: str | None = None  # an RRULE value (FREQ=WEEKLY;BYDAY=MO): repeats at the same local time


class Note(msgspec.Struct, kw_only=True):
    """A note document's registry entry; ``subject_id`` is null for a guest unless it names a deal."""

    id: UUID
    document: str
    board: UUID
    workspace: UUID
    subject_kind: SubjectKind
    subject_id: UUID | None
    title: str
    created_by: UUID | None
    created_at: datetime


# --- my tasks ---------------------------------------------------------------------------------


class ActivityTask(msgspec.Struct, kw_only=True, tag_field="kind", tag="activity"):
    id: UUID
    board: UUID
    board_name: str
    workspace: UUID
    type: ActivityType
    title: str
    due_date: date | None
    due_at: str | None
    done: bool
    card: UUID | None
    card_title: str | None
    contact: UUID | None


class WorkItemTask(msgspec.Struct, kw_only=True, tag_field="kind", tag="work_item"):
    id: UUID
    board: UUID
    board_name: str
    workspace: UUID
    type: None
    title: str
    due_date: date | None
    due_at: None
    done: bool
    card: UUID
    card_title: str
    contact: None
    status: ItemStatus
    stage_name: str | None


Task = ActivityTask | WorkItemTask


class Tasks(msgspec.Struct, kw_only=True):
    """The caller's tasks by when they are due, as of ``as_of``."""

    as_of: date
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    unscheduled: list[Task]


# --- deals and the pipeline report ---------------------------------------------------------------


class DealSummary(msgspec.Struct, kw_only=True):
    """A deal as the projection has it, with its board's and stage's names; ``rotting`` when it
    has sat in an open stage longer than the stage's rot days."""

    id: UUID
    board: UUID
    board_name: str
    title: str
    value: float | None
    currency: str | None
    owner: UUID | None
    contact: UUID | None
    organisation: UUID | None
    expected_close: date | None
    status: DealStatus
    lost_reason: str | None
    labels: list[str]
    fields: dict[str, Any]
    stage: UUID
    stage_name: str | None
    probability: float | None
    rank: str
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None
    moved_at: datetime | None
    rotting: bool


class ConvertedTotals(msgspec.Struct, kw_only=True):
    """Sums converted into the workspace ``currency`` at the rates its admin set; what is in a
    currency without a rate is not added in but listed per currency (``unconverted``)."""

    currency: str
    value: float
    weighted: float
    unconverted: dict[str, float]
    unconverted_weighted: dict[str, float]


class ReportStage(msgspec.Struct, kw_only=True):
    """Deals in a stage now (money per currency), and from history how many entered it, moved on
    (or were won) and were lost from it."""

    stage: UUID
    name: str
    board: UUID
    board_name: str
    kind: str
    probability: float | None
    count: int
    value: dict[str, float]
    weighted: dict[str, float]
    entered: int
    advanced: int
    lost: int
    conversion: float | None
    loss_rate: float | None
    converted: ConvertedTotals | None  # None while the workspace has no exchange rates


class OwnerRecord(msgspec.Struct, kw_only=True):
    """Deals per owner; ``name`` is the owner's (None for a guest reading the report, or no owner)."""

    owner: UUID | None
    name: str | None
    open: int
    won: int
    lost: int
    win_rate: float | None


class ForecastMonth(msgspec.Struct, kw_only=True):
    month: str
    count: int
    value: dict[str, float]
    weighted: dict[str, float]
    converted: ConvertedTotals | None


class ReportBoard(msgspec.Struct, kw_only=True):
    id: UUID
    name: str


class PipelineReport(msgspec.Struct, kw_only=True):
    """One pipeline's report (``board``, named ``name``), or every pipeline board the caller
    reaches in the workspace (``board`` None, ``name`` the workspace's); ``boards`` lists them."""

    board: UUID | None
    name: str
    boards: list[ReportBoard]
    stages: list[ReportStage]
    owners: list[OwnerRecord]
    forecast: list[ForecastMonth]


# --- a deal's timeline ------------------------------------------------------------------------


class Author(msgspec.Struct, kw_only=True):
    id: UUID
    name: str | None


class _Event(msgspec.Struct, kw_only=True, tag_field="kind"):
    at: datetime | None
    author: Author | None


class Created(_Event, tag="created"):
    pass


class StageChanged(_Event, tag="stage_changed"):
    from_stage: UUID | None
    from_stage_name: str | None
    to_stage: UUID | None
    to_stage_name: str | None


class ValueChanged(_Event, tag="value_changed"):
    old_value: float | None
    new_value: float | None
    currency: str | None


class StatusChanged(_Event, tag="status_changed"):
    old_status: str | None
    new_status: str | None


class TaskDone(_Event, tag="task_done"):
    activity: UUID
    type: ActivityType
    title: str


class NoteAdded(_Event, tag="note_added"):
    note: UUID
    document: str
    title: str


class FileAdded(_Event, tag="file_added"):
    """A file uploaded onto the deal (docs/files.md); ``url`` downloads it."""

    file: UUID
    name: str
    size: int
    url: str


TimelineEvent = Created | StageChanged | ValueChanged | StatusChanged | TaskDone | NoteAdded | FileAdded


class TimelineDeal(msgspec.Struct, kw_only=True):
    board: UUID
    card: UUID
    title: str
    stage: UUID
    stage_name: str | None
    status: DealStatus
    value: float | None
    currency: str | None


class Timeline(msgspec.Struct, kw_only=True):
    """A deal and its history, oldest first."""

    deal: TimelineDeal
    events: list[TimelineEvent]
