"""Forecast history and teams (issue 19 items 2 and 3): weekly snapshots (``ForecastSnapshots``),
the live deals they are compared with (``ForecastReads``, Postgres only like ``InsightsReads``)
and a workspace's teams (``Teams``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple, Protocol
from uuid import UUID

from server.domain.forecast import Moved, SnapshotDeal, SnapshotWeek, Team
from server.services.ports.insights import Row


class WorkspaceZone(NamedTuple):
    """A workspace as the snapshot job sees it: its weeks begin on Monday in ``time_zone`` (None:
    the server's default); ``taken``: the weeks asked about that it has a snapshot of."""

    workspace: UUID
    time_zone: str | None
    taken: list[date]


class ForecastSnapshots(Protocol):
    """One snapshot of a workspace's open deals per week."""

    async def record(self, workspace: UUID, week: date, at: datetime, deals: Sequence[SnapshotDeal]) -> bool:
        """Store the week's snapshot; False (and nothing written) if the week has one already."""

    async def weeks(self, workspace: UUID) -> list[SnapshotWeek]:
        """The weeks with a snapshot, newest first."""

    async def deals(self, workspace: UUID, week: date) -> list[SnapshotDeal]:
        """The week's snapshot (empty if none), by board and card."""


class ForecastReads(Protocol):
    """The deals as they are now."""

    async def workspace_zones(self, weeks: Sequence[date]) -> list[WorkspaceZone]:
        """Every workspace with its time zone and which of ``weeks`` it has a snapshot of."""

    async def open_deals(self, workspace: UUID) -> list[SnapshotDeal]:
        """Every open deal of the workspace's pipeline boards, as a snapshot would hold it."""

    async def compare(self, workspace: UUID, week: date, boards: Sequence[UUID], first: date, after: date,
                      owners: Sequence[UUID] | None) -> tuple[list[Moved], list[Row]]:
        """The week's snapshot against the deals now, over [first, after): every deal that changed
        (``server.domain.forecast.classify``, in SQL), and per side (``before``, ``now``) and currency
        the deals and money expected to close in the period. ``owners``: only theirs (None: all)."""

    async def pushes(self, board: UUID, card: UUID) -> tuple[int, datetime | None]:
        """How often the deal's expected close moved later, and when it last did."""


class Teams(Protocol):
    """A workspace's teams and their members."""

    async def of_workspace(self, workspace: UUID) -> list[Team]:
        """Every team of the workspace, by name."""

    async def get(self, team: UUID) -> Team | None:
        """One team, or None."""

    async def add(self, workspace: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        """A new team; None if the workspace has one of that name."""

    async def change(self, team: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        """Rename a team and set its members; None if there is no such team or the name is taken."""

    async def remove(self, team: UUID) -> bool:
        """Delete a team (and its goals); False if there was none."""
