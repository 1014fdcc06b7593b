"""Insights (issue 19): the figures the dashboard reads (``InsightsReads``, one query each) and the
goals a workspace sets (``Goals``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from server.domain.insights import Goal, GoalChange, Scope

Row = dict[str, Any]


class InsightsReads(Protocol):
    """Figures over the projection tables and their history; money per currency (None: unnamed). A
    scope's owners (a rep, a team's members) are read in one query, so medians cover all of them."""

    async def stages(self, boards: Sequence[UUID]) -> list[Row]:
        """The boards' stages in board and column order, with the board's name."""

    async def funnel(self, scope: Scope) -> list[Row]:
        """Per stage entered in the period: entered, advanced, lost, median days in stage."""

    async def stuck(self, boards: Sequence[UUID], owners: Sequence[UUID] | None) -> list[Row]:
        """Per stage: open deals (of ``owners``; None: anyone's) longer than its rotting days since they last moved."""

    async def lost_reasons(self, scope: Scope, listed: Sequence[str]) -> list[Row]:
        """Deals lost in the period per reason (listed ones; '' other text; None none) and currency."""

    async def reps(self, scope: Scope) -> list[Row]:
        """Per owner, and per owner and currency, the deals won and lost in the period."""

    async def activity_mix(self, scope: Scope) -> list[Row]:
        """Per owner (and ``overall``), the deals won in the period (kind won) and open now (open) with
        the activities done on them: calls, meetings, emails, tasks."""

    async def first_activity(self, scope: Scope) -> list[Row]:
        """Per owner (and ``overall``), the deals added in the period, those with an activity, and the
        median hours to their first one."""

    async def won_by_period(self, scope: Scope, interval: str, zone: str) -> list[Row]:
        """Deals won in the period, per month or quarter (in ``zone``) and currency."""

    async def open_by_period(self, boards: Sequence[UUID], first: date, after: date, owners: Sequence[UUID] | None,
                             interval: str) -> list[Row]:
        """Open deals (of ``owners``; None: anyone's) expected to close in [first, after) per month or
        quarter and currency."""

    async def count(self, figure: str, scope: Scope) -> int:
        """``deals_added`` or ``activities_done`` in the period."""

    async def deals(self, figure: str, scope: Scope, **detail: Any) -> list[Row]:
        """The deals behind a figure (see ``server.services.insights.FIGURES``), with names."""


class Goals(Protocol):
    """A workspace's goals."""

    async def of_workspace(self, workspace: UUID) -> list[Goal]:
        """Every goal of the workspace, oldest first."""

    async def get(self, goal: UUID) -> Goal | None:
        """One goal, or None."""

    async def add(self, workspace: UUID, change: GoalChange, by: UUID) -> Goal:
        """Store a new goal."""

    async def change(self, goal: UUID, change: GoalChange) -> Goal | None:
        """Replace a goal's values; None if there is no such goal."""

    async def remove(self, goal: UUID) -> bool:
        """Delete a goal; False if there was none."""
