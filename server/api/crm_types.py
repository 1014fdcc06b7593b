"""Request and response types of the CRM API (msgspec Structs).

Field names are snake_case on the wire, like the rest of the API. The board documents they
write keep their own (camelCase) keys (``schema/documents/board.json``): ``given`` names a
body's fields as the document does, and the answers name a domain value's attributes.
In PATCH bodies an absent field is left alone and ``null`` removes it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server.domain.crm import ActivityType, DealStatus, ItemStatus, SubjectKind

Money = Annotated[float, Meta(ge=0)]
Position = Annotated[int, Meta(ge=0)]
Text = Annotated[str, Meta(max_length=20000)]
Labels = Annotated[list[Annotated[str, Meta(max_length=100)]], Meta(max_length=50)]
Zone = Annotated[str, Meta(max_length=64)]  # an IANA time zone, checked by server.domain.calendar
Place = Annotated[str, Meta(max_length=2000)]
Rule = Annotated[str, Meta(max_length=300)]  # an RRULE value, checked by server.domain.calendar
Reminders = Annotated[list[Annotated[int, Meta(ge=0, le=40320)]], Meta(max_length=5)]  # minutes before


# A deal's own win probability (0-100; absent: its stage's) and forecast category (issue 19).
Probability = Annotated[float, Meta(ge=0, le=100)]
Category = Annotated[str, Meta(pattern="^(pipeline|best_case|commit|omitted)$",
                               description="pipeline, best_case, commit or omitted")]


class _Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class NewCard(_Body):
    """A deal (pipeline boards) or a work item (project boards). ``stage`` defaults to the first
    open stage, ``position`` (0-based within the stage) to the end."""

    title: str
    stage: UUID | None = None
    position: Position | None = None
    # deals
    value: Money | None = None
    currency: str | None = None
    owner: UUID | None = None
    contact: UUID | None = None
    organisation: UUID | None = None
    expected_close: date | None = None
    probability: Probability | None = None
    forecast_category: Category | None = None
    labels: Labels | None = None
    fields: dict[str, Any] | None = None
    # work items
    description: Text | None = None
    assignee: UUID | None = None
    due: date | None = None
    status: ItemStatus | None = None


class CardChanges(_Body):
    title: str | UnsetType = UNSET
    value: Money | None | UnsetType = UNSET
    currency: str | None | UnsetType = UNSET
    owner: UUID | None | UnsetType = UNSET
    contact: UUID | None | UnsetType = UNSET
    organisation: UUID | None | UnsetType = UNSET
    expected_close: date | None | UnsetType = UNSET
    probability: Probability | None | UnsetType = UNSET
    forecast_category: Category | None | UnsetType = UNSET
    labels: Labels | None | UnsetType = UNSET
    fields: dict[str, Any] | None | UnsetType = UNSET
    description: Text | None | UnsetType = UNSET
    assignee: UUID | None | UnsetType = UNSET
    due: date | None | UnsetType = UNSET
    status: str | UnsetType = UNSET  # work items: todo / doing / done (deals: POST .../status)


class Move(_Body):
    """Where a card goes: a stage of its board and a 0-based position in it (default: last)."""

    stage: UUID
    position: Position | None = None


class StatusChange(_Body):
    """Win, lose (with a reason) or reopen a deal. ``open_activities`` (won or lost; default ``keep``)
    says what becomes of the deal's open activities in the same change: ``keep``, ``done`` (marked
    done with a note saying why) or ``delete``. ``close_open_tasks`` (lost only, the older switch)
    is ``open_activities: done``."""

    status: DealStatus
    lost_reason: Annotated[str, Meta(max_length=1000)] | None = None
    close_open_tasks: bool = False
    open_activities: Literal["keep", "done", "delete"] = "keep"


class NewActivity(_Body):
    """A call, meeting, e-mail, to-do or deadline; ``due`` is a date or an ISO-8601 date-time."""

    type: ActivityType
    title: str
    assignee: UUID | None = None
    due: str | None = None
    card: UUID | None = None
    contact: UUID | None = None
    organisation: UUID | None = None  # an activity on an organisation (issue 18; a link in SQL, like contact)
    note: Text | None = None
    done: bool | None = None
    # in time (issue 18, docs/calendar.md): ``due`` as a date-time is the start
    end: datetime | None = None
    all_day: bool | None = None
    time_zone: Zone | None = None
    location: Place | None = None
    outcome: Place | None = None
    reminders: Reminders | None = None
    recurrence: Rule | None = None


class ActivityChanges(_Body):
    type: ActivityType | UnsetType = UNSET
    title: str | UnsetType = UNSET
    assignee: UUID | None | UnsetType = UNSET
    due: str | None | UnsetType = UNSET
    card: UUID | None | UnsetType = UNSET
    contact: UUID | None | UnsetType = UNSET
    organisation: UUID | None | UnsetType = UNSET
    note: Text | None | UnsetType = UNSET
    done: bool | UnsetType = UNSET
    end: datetime | None | UnsetType = UNSET
    all_day: bool | None | UnsetType = UNSET
    time_zone: Zone | None | UnsetType = UNSET
    location: Place | None | UnsetType = UNSET
    outcome: Place | None | UnsetType = UNSET
    reminders: Reminders | None | UnsetType = UNSET
    recurrence: Rule | None | UnsetType = UNSET


class NewNote(_Body):
    """A note about a deal (a card of ``board``), contact or organisation; it shares ``board``'s access."""

    subject_kind: SubjectKind
    subject_id: UUID
    board: UUID
    title: str = ""
    text: Text | None = None


class NoteText(_Body):
    text: Text


def given(body: msgspec.Struct, *, keep_none: bool) -> dict[str, Any]:
    """The fields a body sets, by their document (shape) name (``expected_close`` ->
    ``expectedClose``); ``keep_none`` keeps explicit nulls."""
    out = {}
    for field in msgspec.structs.fields(body):
        value = getattr(body, field.name)
        if value is UNSET or (value is None and not keep_none):
            continue
        out[_shape_name(field.name)] = value
    return out


def _shape_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


__all__ = ["ActivityChanges", "CardChanges", "Move", "NewActivity", "NewCard", "NewNote", "NoteText",
           "StatusChange", "DealStatus", "given"]
