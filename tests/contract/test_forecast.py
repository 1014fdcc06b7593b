"""The forecast history and teams ports (``server.services.ports.forecast``), one contract over the
memory twins and Postgres: a week's snapshot is written once (a second run of the week writes
nothing), weeks list newest first, a snapshot reads back as written; a team keeps its members in
order, names are unique per workspace, a change replaces name and members, removal is once and
takes the team's goals along."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.domain.forecast import SnapshotDeal
from server.domain.insights import GoalChange, Interval, Metric
from server.storage.forecast import PostgresForecastSnapshots, PostgresTeams
from server.storage.insights import PostgresGoals
from server.storage.memory.forecast import MemoryForecastSnapshots, MemoryTeams
from server.storage.memory.insights import MemoryGoals
from tests.support.units import backend

MONDAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 0, 5, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[SimpleNamespace]:
    async with backend(request.param, database_url, lambda conn: None, lambda db: None) as (_, world):
        if world.pool is not None:
            snapshots, teams, goals = PostgresForecastSnapshots(world.pool), PostgresTeams(world.pool), \
                PostgresGoals(world.pool)
        else:
            snapshots, teams, goals = MemoryForecastSnapshots(world.db), MemoryTeams(world.db), MemoryGoals(world.db)

        async def board(workspace: UUID) -> UUID:
            made = uuid4()
            if world.pool is not None:
                await world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', "
                                         "'pipeline')", made, workspace)
            return made

        yield SimpleNamespace(snapshots=snapshots, teams=teams, goals=goals, world=world, board=board)


def deal(board: UUID, title: str, value: float = 100.0, close: date | None = date(2026, 3, 20)) -> SnapshotDeal:
    return SnapshotDeal(board, uuid4(), title, None, value, "EUR", close, uuid4(), 25.0, "commit")


async def test_a_weeks_snapshot_is_written_once(store):
    workspace = await store.world.workspace()
    board = await store.board(workspace)
    first = [deal(board, "Acme"), deal(board, "Globex", 50.0, None)]
    assert await store.snapshots.record(workspace, MONDAY, AT, first) is True
    assert await store.snapshots.record(workspace, MONDAY, AT, [deal(board, "Late")]) is False
    got = await store.snapshots.deals(workspace, MONDAY)
    assert sorted(got) == sorted(first)
    assert [(w.week, w.deals) for w in await store.snapshots.weeks(workspace)] == [(MONDAY, 2)]


async def test_weeks_list_newest_first_and_only_the_workspaces_own(store):
    mine, theirs = await store.world.workspace(), await store.world.workspace()
    board = await store.board(mine)
    for week in (date(2026, 2, 16), date(2026, 3, 2), date(2026, 2, 23)):
        await store.snapshots.record(mine, week, AT, [deal(board, "Acme")])
    await store.snapshots.record(theirs, date(2026, 3, 9), AT, [])
    assert [w.week for w in await store.snapshots.weeks(mine)] == [date(2026, 3, 2), date(2026, 2, 23),
                                                                   date(2026, 2, 16)]
    assert [(w.week, w.deals) for w in await store.snapshots.weeks(theirs)] == [(date(2026, 3, 9), 0)]
    assert await store.snapshots.deals(mine, date(2026, 1, 5)) == []


async def test_a_team_keeps_its_members_in_order_and_its_name_is_unique(store):
    workspace = await store.world.workspace()
    ann, bob = await store.world.user("Ann"), await store.world.user("Bob")
    team = await store.teams.add(workspace, "North", [bob, ann, bob])
    assert team is not None and (team.name, team.members) == ("North", (bob, ann))
    assert await store.teams.get(team.id) == team
    assert await store.teams.add(workspace, "North", []) is None
    other = await store.world.workspace()
    assert await store.teams.add(other, "North", []) is not None, "another workspace may use the name"
    south = await store.teams.add(workspace, "south", [ann])
    assert [t.name for t in await store.teams.of_workspace(workspace)] == ["North", "south"]
    assert south is not None and await store.teams.change(south.id, "North", []) is None, "the name is taken"


async def test_a_change_replaces_name_and_members_and_removal_is_once_with_the_goals(store):
    workspace, ann, bob = await store.world.workspace(), await store.world.user("Ann"), await store.world.user("Bob")
    team = await store.teams.add(workspace, "North", [ann])
    assert team is not None
    changed = await store.teams.change(team.id, "Nord", [bob])
    assert changed is not None and (changed.name, changed.members, changed.created_at) == ("Nord", (bob,),
                                                                                         team.created_at)
    assert await store.teams.change(uuid4(), "X", []) is None
    goal = await store.goals.add(workspace, GoalChange(None, Metric.DEALS_WON_COUNT, Interval.MONTH, 3.0,
                                                       date(2026, 1, 1), team.id), ann)
    assert goal.team_id == team.id
    assert await store.teams.remove(team.id) is True
    assert await store.teams.remove(team.id) is False
    assert await store.teams.get(team.id) is None
    assert await store.goals.get(goal.id) is None, "a team's goals go with it"
