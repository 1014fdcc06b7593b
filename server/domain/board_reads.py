"""What the CRM's read side gets from the projection tables: the note registry, tasks, deal lists
and a deal's history, each with the names it is shown with (boards, stages, people). Pure values;
field names follow the tables' columns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID


class NoteRecord(NamedTuple):
    """A note document in the registry: what it is about, and the board whose access it shares."""

    id: UUID
    document: str
    workspace_id: UUID
    board_id: UUID
    subject_kind: str
    subject_id: UUID | None  # None when hidden from a guest
    title: str
    created_by: UUID | None
    created_at: datetime


class MyActivity(NamedTuple):
    id: UUID
    board_id: UUID
    board_name: str
    workspace_id: UUID
    type: str
    title: str
    due_date: date | None
    due_at: datetime | None
    done: bool
    done_at: datetime | None
    card_id: UUID | None
    card_title: str | None
    contact_id: UUID | None  # only a contact of the board's workspace, and only for its members


class MyWorkItem(NamedTuple):
    id: UUID
    board_id: UUID
    board_name: str
    workspace_id: UUID
    title: str
    due: date | None
    status: str
    stage_name: str | None


class DealListing(NamedTuple):
    """A projected deal with its board and stage; contact and organisation only of its own workspace."""

    board_id: UUID
    board_name: str
    card_id: UUID
    title: str
    value: float | None
    currency: str | None
    owner_id: UUID | None
    contact_id: UUID | None
    organisation_id: UUID | None
    expected_close: date | None
    status: str
    lost_reason: str | None
    labels: list[str]
    fields: dict[str, Any]
    stage_id: UUID
    stage_name: str | None
    probability: float | None
    rank: str
    created_at: datetime | None
    created_by: UUID | None
    updated_at: datetime | None
    moved_at: datetime | None
    rot_days: int | None


class DealSummary(NamedTuple):
    card_id: UUID
    title: str
    value: float | None
    currency: str | None
    owner_id: UUID | None
    status: str
    lost_reason: str | None
    stage_id: UUID
    stage_name: str | None
    created_at: datetime | None
    created_by: UUID | None
    created_by_name: str | None


class HistoryRow(NamedTuple):
    """A recorded change of a deal other than its creation (``moved``, ``value`` or ``status``)."""

    kind: str
    at: datetime
    author_id: UUID | None
    author_name: str | None
    from_stage: UUID | None
    from_stage_name: str | None
    to_stage: UUID | None
    to_stage_name: str | None
    old_value: float | None
    new_value: float | None
    currency: str | None
    old_status: str | None
    new_status: str | None


class TaskDone(NamedTuple):
    activity_id: UUID
    type: str
    title: str
    done_at: datetime | None
    assignee_id: UUID | None
    assignee_name: str | None


class NoteAdded(NamedTuple):
    id: UUID
    document: str
    title: str
    created_at: datetime
    created_by: UUID | None
    created_by_name: str | None


class Timeline(NamedTuple):
    history: list[HistoryRow]
    tasks: list[TaskDone]
    notes: list[NoteAdded]
