"""In-memory twins of ``ForecastSnapshots`` and ``Teams`` (``server.services.ports.forecast``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from server.domain.forecast import SnapshotDeal, SnapshotWeek, Team
from server.storage.memory.unit import MemoryDatabase


class MemoryForecastSnapshots:
    """Implements ``ForecastSnapshots`` (tables ``forecast_snapshot_weeks``: (workspace, week) -> SnapshotWeek,
    ``forecast_snapshots``: (workspace, week) -> deals)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._weeks: dict[tuple[UUID, date], SnapshotWeek] = db.table("forecast_snapshot_weeks")
        self._deals: dict[tuple[UUID, date], list[SnapshotDeal]] = db.table("forecast_snapshots")

    async def record(self, workspace: UUID, week: date, at: datetime, deals: Sequence[SnapshotDeal]) -> bool:
        if (workspace, week) in self._weeks:
            return False
        self._weeks[workspace, week] = SnapshotWeek(workspace, week, at, len(deals))
        self._deals[workspace, week] = sorted(deals, key=lambda d: (str(d.board_id), str(d.card_id)))
        return True

    async def weeks(self, workspace: UUID) -> list[SnapshotWeek]:
        return sorted((w for (ws, _), w in self._weeks.items() if ws == workspace), key=lambda w: w.week,
                      reverse=True)

    async def deals(self, workspace: UUID, week: date) -> list[SnapshotDeal]:
        return list(self._deals.get((workspace, week), []))


class MemoryTeams:
    """Implements ``Teams`` (table ``teams``: id -> Team)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, Team] = db.table("teams")

    def _taken(self, workspace: UUID, name: str, but: UUID | None = None) -> bool:
        return any(t.workspace_id == workspace and t.name == name and t.id != but for t in self._rows.values())

    async def of_workspace(self, workspace: UUID) -> list[Team]:
        return sorted((t for t in self._rows.values() if t.workspace_id == workspace),
                      key=lambda t: (t.name.lower(), str(t.id)))

    async def get(self, team: UUID) -> Team | None:
        return self._rows.get(team)

    async def add(self, workspace: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        if self._taken(workspace, name):
            return None
        team = Team(uuid4(), workspace, name, tuple(dict.fromkeys(members)), self._db.now())
        self._rows[team.id] = team
        return team

    async def change(self, team: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        found = self._rows.get(team)
        if found is None or self._taken(found.workspace_id, name, but=team):
            return None
        self._rows[team] = found._replace(name=name, members=tuple(dict.fromkeys(members)))
        return self._rows[team]

    async def remove(self, team: UUID) -> bool:
        goals = self._db.table("goals")
        for goal in [g for g in goals.values() if getattr(g, "team_id", None) == team]:
            del goals[goal.id]
        return self._rows.pop(team, None) is not None
