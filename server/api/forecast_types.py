"""Request and response types of the forecast history and teams API (issue 19 items 2 and 3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from server.api.insight_types import Header, Money

ChangeKind = Literal["slipped", "pulled_in", "added", "lost", "won", "removed", "value_changed"]


class ChangeTotal(msgspec.Struct, kw_only=True):
    """How many deals changed so, and the money they moved (a value change: the difference)."""

    deals: int
    value: Money


class PeriodTotal(msgspec.Struct, kw_only=True):
    deals: int
    value: Money


class ChangedDeal(msgspec.Struct, kw_only=True):
    """One deal that changed since the snapshot, as it was then and is now."""

    kind: ChangeKind
    board: UUID
    board_name: str | None
    card: UUID
    title: str
    owner: UUID | None
    owner_name: str | None
    stage: UUID
    stage_name: str | None
    status: Literal["open", "won", "lost"] | None  # None: the deal is gone
    currency: str
    change: float  # the money this change moves in ``currency``
    value_before: float | None
    value_now: float | None
    close_before: date | None
    close_now: date | None
    category: str
    probability: float | None
    pushes: int | None  # how often its expected close moved later


class ForecastChanges(Header, kw_only=True):
    """What changed among the deals expected to close between ``from`` and ``to`` since the weekly
    snapshot of ``week`` (None: no snapshot yet; ``weeks`` lists every one, newest first)."""

    weeks: list[date]
    week: date | None
    taken_at: datetime | None
    before: PeriodTotal
    now: PeriodTotal
    totals: dict[str, ChangeTotal]
    deals: list[ChangedDeal]


class ClosePushes(msgspec.Struct, kw_only=True):
    board: UUID
    card: UUID
    pushes: int
    last_pushed_at: datetime | None


class TeamMember(msgspec.Struct, kw_only=True):
    id: UUID
    name: str


class Team(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    members: list[TeamMember]
    created_at: datetime


class TeamInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A team's name (unique in the workspace) and its members (user ids of the workspace's members)."""

    name: Annotated[str, msgspec.Meta(max_length=200)]
    members: Annotated[list[UUID], msgspec.Meta(max_length=500)] = []
