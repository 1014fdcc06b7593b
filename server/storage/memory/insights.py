"""The in-memory twin of ``server.storage.insights.PostgresGoals``."""

from __future__ import annotations

from uuid import UUID, uuid4

from server.domain.insights import Goal, GoalChange
from server.storage.memory.unit import MemoryDatabase


class MemoryGoals:
    """Implements ``Goals`` (table ``goals``: id -> Goal)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, Goal] = db.table("goals")

    async def of_workspace(self, workspace: UUID) -> list[Goal]:
        return sorted((g for g in self._rows.values() if g.workspace_id == workspace),
                      key=lambda g: (g.created_at, str(g.id)))

    async def get(self, goal: UUID) -> Goal | None:
        return self._rows.get(goal)

    async def add(self, workspace: UUID, change: GoalChange, by: UUID) -> Goal:
        goal = Goal(uuid4(), workspace, change.user_id, str(change.metric), str(change.period), change.target,
                    change.starts_on, by, self._db.now(), change.team_id)
        self._rows[goal.id] = goal
        return goal

    async def change(self, goal: UUID, change: GoalChange) -> Goal | None:
        found = self._rows.get(goal)
        if found is None:
            return None
        self._rows[goal] = found._replace(user_id=change.user_id, metric=str(change.metric),
                                          period=str(change.period), target=change.target,
                                          starts_on=change.starts_on, team_id=change.team_id)
        return self._rows[goal]

    async def remove(self, goal: UUID) -> bool:
        return self._rows.pop(goal, None) is not None
