"""The goals port (``server.services.ports.insights.Goals``), one contract over the memory twin and
Postgres: a goal is stored with its values and who set it, a workspace lists only its own goals
oldest first, a change replaces the values and keeps who made it and when, removal is once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.domain.insights import GoalChange, Interval, Metric
from server.storage.insights import PostgresGoals
from server.storage.memory.insights import MemoryGoals
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[SimpleNamespace]:
    async with backend(request.param, database_url, lambda conn: None, lambda db: None) as (_, world):
        goals = PostgresGoals(world.pool) if world.pool is not None else MemoryGoals(world.db)
        yield SimpleNamespace(goals=goals, world=world)


def change(user=None, metric=Metric.DEALS_WON_VALUE, target=5000.0) -> GoalChange:
    return GoalChange(user, metric, Interval.QUARTER, target, date(2026, 1, 1))


async def test_a_goal_is_stored_with_its_values_and_who_set_it(store):
    workspace, admin, rep = await store.world.workspace(), await store.world.user(), await store.world.user()
    goal = await store.goals.add(workspace, change(rep), admin)
    assert (goal.workspace_id, goal.user_id, goal.metric, goal.period, goal.target, goal.starts_on,
            goal.created_by) == (workspace, rep, "deals_won_value", "quarter", 5000.0, date(2026, 1, 1), admin)
    assert await store.goals.get(goal.id) == goal
    assert await store.goals.get(uuid4()) is None


async def test_a_workspace_lists_only_its_own_goals_oldest_first(store):
    mine, theirs, admin = await store.world.workspace(), await store.world.workspace(), await store.world.user()
    first = await store.goals.add(mine, change(), admin)
    await store.goals.add(theirs, change(), admin)
    second = await store.goals.add(mine, change(metric=Metric.DEALS_ADDED, target=10), admin)
    assert [g.id for g in await store.goals.of_workspace(mine)] == [first.id, second.id]


async def test_a_change_replaces_the_values_and_keeps_who_set_it_and_when(store):
    workspace, admin, rep = await store.world.workspace(), await store.world.user(), await store.world.user()
    goal = await store.goals.add(workspace, change(), admin)
    changed = await store.goals.change(goal.id, GoalChange(rep, Metric.ACTIVITIES_DONE, Interval.MONTH, 40.0,
                                                           date(2026, 3, 1)))
    assert changed is not None
    assert (changed.user_id, changed.metric, changed.period, changed.target, changed.starts_on) == (
        rep, "activities_done", "month", 40.0, date(2026, 3, 1))
    assert (changed.created_by, changed.created_at) == (admin, goal.created_at)
    assert await store.goals.change(uuid4(), change()) is None


async def test_a_goal_is_removed_once(store):
    workspace, admin = await store.world.workspace(), await store.world.user()
    goal = await store.goals.add(workspace, change(), admin)
    assert await store.goals.remove(goal.id) is True
    assert await store.goals.remove(goal.id) is False
    assert await store.goals.of_workspace(workspace) == []
