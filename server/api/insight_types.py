"""Request and response types of the insights API (issue 19), snake_case like the rest of the API.

Money is an object of amounts per currency (``{"EUR": 1200.0, "USD": 50.0}``); with
``?currency=converted`` the workspace currency holds everything that had a rate and only
currencies without one stay apart. Every board, stage and person comes with its name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Money = dict[str, float]
MetricName = Literal["deals_won_count", "deals_won_value", "deals_added", "activities_done"]
IntervalName = Literal["month", "quarter"]


class Named(msgspec.Struct):
    id: UUID
    name: str


class Header(msgspec.Struct, kw_only=True):
    """The scope every answer was computed over: pipelines, dates (both included) in time zone ``tz``,
    owner, and how money is shown."""

    boards: list[Named]
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    tz: str
    owner: UUID | None
    owner_name: str | None
    team: UUID | None = None  # a team filtered by: its members' deals, read at once
    team_name: str | None = None
    currency_mode: Literal["apart", "converted"]
    currency: str  # the workspace's


class FunnelStage(msgspec.Struct, kw_only=True):
    """One stage: deals that entered it in the period; of those (open stages only) how many advanced to
    a further stage or were won, how many were lost from it, the share that did not advance
    (``drop_off``); the median days deals spent in it before moving on; open deals stuck in it now
    past its rotting days. Won and Lost stages only count who reached them."""

    board: UUID
    board_name: str
    stage: UUID
    stage_name: str
    kind: Literal["open", "won", "lost"]
    probability: float | None
    entered: int
    advanced: int | None
    lost: int | None
    conversion: float | None
    drop_off: float | None
    median_days: float | None
    stuck: int
    rot_days: int


class Funnel(Header, kw_only=True):
    stages: list[FunnelStage]


class LostReason(msgspec.Struct, kw_only=True):
    """``kind`` listed (one of the workspace's lost reasons), other (free text; ``reason`` None) or none given."""

    reason: str | None
    kind: Literal["listed", "other", "none"]
    deals: int
    value: Money


class LostReasons(Header, kw_only=True):
    listed: list[str]
    reasons: list[LostReason]
    deals: int


class RepFigures(msgspec.Struct, kw_only=True):
    """Deals won and lost in a period; cycle = days from added to won; touches = activities done on won deals."""

    won: int
    lost: int
    win_rate: float | None
    won_value: Money
    average_won: Money
    median_cycle_days: float | None
    touches_per_won: float | None
    emails_per_won: float | None


class Rep(RepFigures, kw_only=True):
    owner: UUID | None
    owner_name: str | None
    previous: RepFigures


class Reps(Header, kw_only=True):
    previous_from: date
    previous_to: date
    reps: list[Rep]


class ForecastPeriod(msgspec.Struct, kw_only=True):
    """Open deals expected to close in the period (value, weighted by the deal's or its stage's
    probability, best case = all but those categorised omitted, commit = those categorised commit), and
    the deals won in it."""

    period: date
    label: str
    open_deals: int
    value: Money
    weighted: Money
    best_case: Money
    commit: Money
    commit_deals: int
    won_deals: int
    closed_won: Money


class Forecast(Header, kw_only=True):
    interval: IntervalName
    periods: list[ForecastPeriod]
    probability_field: str  # the deal custom field (number 0-100) that overrides the stage's probability
    category_field: str  # the deal custom field (select: commit, best_case, pipeline, omitted)


class InsightDeal(msgspec.Struct, kw_only=True):
    board: UUID
    board_name: str
    card: UUID
    title: str
    stage: UUID
    stage_name: str | None
    owner: UUID | None
    owner_name: str | None
    status: Literal["open", "won", "lost"]
    value: float | None
    currency: str | None
    expected_close: date | None
    created_at: datetime | None
    closed_at: datetime | None
    lost_reason: str | None


class InsightDeals(Header, kw_only=True):
    """The deals behind a figure, the 1,000 largest by value (``total`` counts them all)."""

    figure: str
    stage: UUID | None
    reason: str | None
    total: int
    deals: list[InsightDeal]


class Attainment(msgspec.Struct, kw_only=True):
    """The goal's current period: what is reached, the share of the target, the straight-line projection
    to the period's end, and how likely the target is (reached, likely, possible, unlikely) and why."""

    period_start: date
    period_end: date
    actual: float
    attainment: float
    projected: float
    days_elapsed: int
    days_in_period: int
    open_weighted: float
    open_best_case: float
    likelihood: Literal["reached", "likely", "possible", "unlikely"]
    explanation: str


class GoalDeals(msgspec.Struct, kw_only=True):
    """The deals behind a goal's ``actual``: the query of ``insights/deals`` that lists them — ``figure``
    from ``from`` to ``to`` (the goals' ``tz``) over every pipeline, for ``owner`` (a member's goal),
    ``team`` (a team's) or everyone (both null)."""

    figure: Literal["won", "added"]
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    owner: UUID | None = None
    team: UUID | None = None


class Goal(msgspec.Struct, kw_only=True):
    id: UUID
    workspace_id: UUID
    user_id: UUID | None
    user_name: str | None = None
    metric: MetricName
    period: IntervalName
    target: float
    starts_on: date
    created_by: UUID | None
    created_at: datetime
    team_id: UUID | None = None  # a team's goal: the sum of its members' (migration 0035)
    team_name: str | None = None
    attainment: Attainment | None = None
    deals: GoalDeals | None = None  # its drill-down; none for activities done (no deals behind them)


class Goals(msgspec.Struct, kw_only=True):
    currency: str
    tz: str
    on: date
    goals: list[Goal]


class GoalInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A goal for one member (``user_id``) or the whole workspace (null), every month or quarter from
    ``starts_on`` (default: the current period); a value target is in the workspace currency."""

    user_id: UUID | None = None
    team_id: UUID | None = None  # or a team's: attainment is the sum of its members'
    metric: MetricName
    period: IntervalName = "month"
    target: Annotated[float, msgspec.Meta(gt=0, lt=1e15)]
    starts_on: date | None = None
