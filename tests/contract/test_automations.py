"""The automation ports (``server.services.ports.automations``), one contract over the memory twins
and Postgres: a rule reads back as stored; only enabled rules watching a board are found for it;
a run exists once per (rule, event) — starting it again returns the first — and keeps its results."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

import asyncpg
import pytest

from server.domain.automations import RunStatus, check_rule
from server.storage.automations import PostgresAutomationRules, PostgresAutomationRuns
from server.storage.memory.automations import MemoryAutomationRules, MemoryAutomationRuns
from server.storage.memory.unit import MemoryDatabase
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(automation_rules=PostgresAutomationRules(conn), automation_runs=PostgresAutomationRuns(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(automation_rules=MemoryAutomationRules(db), automation_runs=MemoryAutomationRuns(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


def a_rule(board, stage, name="Call on entry"):
    return check_rule(name, {"type": "deal_stage_entered", "board": str(board), "stage": str(stage)},
                      [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                        "due_in_days": 1}])


async def test_a_rule_reads_back_as_stored_and_changes_whole(store):
    begin, world = store
    workspace, user, board, stage = await world.workspace(), await world.user(), uuid4(), uuid4()
    async with begin() as tx:
        made = await tx.automation_rules.add(workspace, a_rule(board, stage), user)
    async with begin() as tx:
        assert await tx.automation_rules.get(made.id) == made
        assert await tx.automation_rules.of_workspace(workspace) == [made]
        changed = await tx.automation_rules.change(made.id, a_rule(board, stage, "Renamed")._replace(enabled=False))
    assert (changed.name, changed.enabled, changed.trigger, changed.created_by) == (
        "Renamed", False, made.trigger, user)
    async with begin() as tx:
        assert await tx.automation_rules.get(made.id) == changed
        assert await tx.automation_rules.change(uuid4(), a_rule(board, stage)) is None


async def test_a_rules_conditions_read_back_and_change_with_it(store):
    begin, world = store
    workspace, board, stage = await world.workspace(), uuid4(), uuid4()
    rule = a_rule(board, stage)._replace(conditions=[{"field": "value", "op": "greater_than", "value": 1000}])
    async with begin() as tx:
        made = await tx.automation_rules.add(workspace, rule, None)
    assert made.conditions == [{"field": "value", "op": "greater_than", "value": 1000}]
    async with begin() as tx:
        assert (await tx.automation_rules.get(made.id)).conditions == made.conditions
        changed = await tx.automation_rules.change(made.id, rule._replace(conditions=[]))
    assert changed.conditions == []


async def test_only_enabled_rules_watching_the_board_are_found_for_it(store):
    begin, world = store
    workspace, board, other = await world.workspace(), uuid4(), uuid4()
    async with begin() as tx:
        on = await tx.automation_rules.add(workspace, a_rule(board, uuid4()), None)
        await tx.automation_rules.add(workspace, a_rule(board, uuid4())._replace(enabled=False), None)
        await tx.automation_rules.add(workspace, a_rule(other, uuid4()), None)
    async with begin() as tx:
        assert [r.id for r in await tx.automation_rules.enabled_on_board(board)] == [on.id]


async def test_a_run_exists_once_per_rule_and_event_and_keeps_its_results(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        rule = await tx.automation_rules.add(workspace, a_rule(uuid4(), uuid4()), None)
        run = await tx.automation_runs.start(rule.id, "event-1", {"type": "deal_stage_entered"}, {"card": "c"}, 0)
    assert (run.status, run.results, run.finished_at) == (RunStatus.RUNNING, [], None)
    async with begin() as tx:
        await tx.automation_runs.record(run.id, [{"type": "create_task", "ok": True}], RunStatus.RUNNING)
        again = await tx.automation_runs.start(rule.id, "event-1", {"other": 1}, {}, 3)
    assert (again.id, again.results, again.inputs, again.depth) == (run.id, [{"type": "create_task", "ok": True}],
                                                                    {"card": "c"}, 0)
    async with begin() as tx:
        await tx.automation_runs.record(run.id, [{"type": "create_task", "ok": True}], RunStatus.SUCCEEDED)
        stopped = await tx.automation_runs.start(rule.id, "event-2", {}, {}, 5, RunStatus.STOPPED, "depth 5 reached")
        runs = await tx.automation_runs.of_rule(rule.id)
    assert {r.id for r in runs} == {run.id, stopped.id}
    assert [r for r in runs if r.id == run.id][0].finished_at is not None
    assert (stopped.status, stopped.error) == (RunStatus.STOPPED, "depth 5 reached")
    async with begin() as tx:
        await tx.automation_rules.remove(rule.id)
        assert await tx.automation_runs.of_rule(rule.id) == []


async def test_a_waiting_run_is_not_finished_and_resumes_to_its_end(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        rule = await tx.automation_rules.add(workspace, a_rule(uuid4(), uuid4()), None)
        run = await tx.automation_runs.start(rule.id, "event-w", {}, {}, 0)
    waited = [{"type": "wait", "ok": True, "result": {"until": "2030-01-01T00:00:00+00:00"}}]
    async with begin() as tx:
        await tx.automation_runs.record(run.id, waited, RunStatus.WAITING)
    async with begin() as tx:
        found = await tx.automation_runs.start(rule.id, "event-w", {}, {}, 0)
    assert (found.status, found.results, found.finished_at) == (RunStatus.WAITING, waited, None)
    async with begin() as tx:
        await tx.automation_runs.record(run.id, [*waited, {"type": "add_label", "ok": True}], RunStatus.SUCCEEDED)
        [done] = await tx.automation_runs.of_rule(rule.id)
    assert done.status is RunStatus.SUCCEEDED and done.finished_at is not None


# --- what the sweep and the new actions read (issue 16: deal_idle, activity_due/overdue, round robin) ---

DAY = timedelta(days=1)


class Projected:
    """Projected rows (deals, card history, activities) where each backend's sweep reads them."""

    def __init__(self, world, workspace):
        self.world, self.workspace = world, workspace

    async def board(self):
        board = uuid4()
        if self.world.pool is not None:
            await self.world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) "
                                          "VALUES ($1, $2, 'b', 'pipeline')", board, self.workspace)
        return board

    async def deal(self, board, created_at, status="open"):
        card = uuid4()
        if self.world.pool is not None:
            await self.world.pool.execute(
                "INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank, created_at) "
                "VALUES ($1, $2, $3, 'Deal', $4, $5, 'a0', $6)", board, card, self.workspace, status, uuid4(),
                created_at)
        else:
            self.world.db.table("deals")[(board, card)] = {"status": status, "created_at": created_at}
        return card

    async def changed(self, board, card, at):
        if self.world.pool is not None:
            await self.world.pool.execute("INSERT INTO card_events (board_id, card_id, kind, at) "
                                          "VALUES ($1, $2, 'value', $3)", board, card, at)
        else:
            self.world.db.table("card_events", list).append((board, card, at))

    async def activity(self, board, *, card=None, due_at=None, due_date=None, time_zone=None, done_at=None,
                       kind="call"):
        ident = uuid4()
        if self.world.pool is not None:
            await self.world.pool.execute(
                "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, due_date, due_at, done, "
                "done_at, card_id, time_zone) VALUES ($1, $2, $3, $4, 'Call', $5, $6, $7, $8, $9, $10)",
                board, ident, self.workspace, kind, due_date, due_at, done_at is not None, done_at, card, time_zone)
        else:
            self.world.db.table("activities")[(board, ident)] = {
                "card": card, "type": kind, "title": "Call", "assignee": None, "due_date": due_date,
                "due_at": due_at, "time_zone": time_zone, "done": done_at is not None, "done_at": done_at}
        return ident


async def test_an_open_deal_is_idle_when_neither_a_change_nor_a_done_activity_is_recent(store):
    begin, world = store
    now = datetime.now(timezone.utc)
    rows = Projected(world, await world.workspace())
    board = await rows.board()
    quiet = await rows.deal(board, now - 10 * DAY)
    moved = await rows.deal(board, now - 10 * DAY)
    await rows.changed(board, moved, now - DAY)
    called = await rows.deal(board, now - 10 * DAY)
    await rows.activity(board, card=called, done_at=now - DAY)
    await rows.deal(board, now - 10 * DAY, status="won")
    recorded = await rows.deal(board, now)  # its history is what counts when it has one
    await rows.changed(board, recorded, now - 9 * DAY)
    await rows.deal(await rows.board(), now - 10 * DAY)  # another board
    async with begin() as tx:
        idle = await tx.automation_runs.idle_deals(board, now - 3 * DAY)
    assert [(d.card, d.since) for d in idle] == [(quiet, now - 10 * DAY), (recorded, now - 9 * DAY)]


async def test_due_activities_are_the_undone_ones_due_in_the_window_all_day_ones_by_their_zone(store):
    begin, world = store
    now = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    rows = Projected(world, await world.workspace())
    board = await rows.board()
    timed = await rows.activity(board, due_at=now - timedelta(minutes=5))
    await rows.activity(board, due_at=now - timedelta(minutes=5), done_at=now)  # done: never due
    await rows.activity(board, due_at=now + timedelta(minutes=5))  # not yet
    await rows.activity(board, due_at=now - 3 * DAY)  # before the window
    today = await rows.activity(board, due_date=date(2026, 12, 6), time_zone="Europe/Berlin")
    async with begin() as tx:
        due = await tx.automation_runs.due_activities(board, now - DAY, now, overdue=False)
        overdue = await tx.automation_runs.due_activities(board, now - DAY, now, overdue=True)
        tomorrow = await tx.automation_runs.due_activities(board, now - DAY, now + DAY, overdue=True)
    assert [a.id for a in due] == [today, timed]  # Berlin's 6 December began at 23:00 UTC the day before
    assert due[0].due == datetime(2026, 12, 5, 23, 0, tzinfo=timezone.utc)
    assert [a.id for a in overdue] == [timed]  # the all-day one is overdue once its day ends
    assert today in [a.id for a in tomorrow]


async def test_round_robin_turns_count_up_across_runs_and_a_run_keeps_its_turn(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        rule = await tx.automation_rules.add(workspace, a_rule(uuid4(), uuid4()), None)
        runs = [await tx.automation_runs.start(rule.id, f"event-{i}", {}, {}, 0) for i in range(3)]
    async with begin() as tx:
        turns = [await tx.automation_runs.turn(rule.id, 0, run.id) for run in runs]
        again = await tx.automation_runs.turn(rule.id, 0, runs[0].id)
        other_action = await tx.automation_runs.turn(rule.id, 2, runs[0].id)
    assert (turns, again, other_action) == ([0, 1, 2], 0, 0)


async def test_known_events_and_rules_by_trigger_type_and_a_rules_sealed_secret(store):
    begin, world = store
    workspace = await world.workspace()
    idle = check_rule("Idle", {"type": "deal_idle", "board": str(uuid4()), "days": 3},
                      [{"type": "add_label", "label": "stale"}])
    async with begin() as tx:
        swept = await tx.automation_rules.add(workspace, idle, None)
        await tx.automation_rules.add(workspace, idle._replace(enabled=False), None)
        await tx.automation_rules.add(workspace, a_rule(uuid4(), uuid4()), None)
        await tx.automation_runs.start(swept.id, "idle:a", {}, {}, 0)
    async with begin() as tx:
        found = await tx.automation_rules.enabled_of_types(["deal_idle", "schedule"])
        assert [r.id for r in found if r.workspace_id == workspace] == [swept.id]  # (other suites' rules too)
        assert await tx.automation_runs.known(swept.id, ["idle:a", "idle:b"]) == {"idle:a"}
        assert await tx.automation_rules.secret(swept.id) is None
        await tx.automation_rules.set_secret(swept.id, b"sealed-1")
        await tx.automation_rules.set_secret(swept.id, b"sealed-2")
    async with begin() as tx:
        assert await tx.automation_rules.secret(swept.id) == b"sealed-2"


async def test_runs_drawing_round_robin_turns_at_once_each_get_their_own(store):
    """Two workers running two runs of one rule at the same moment: the counter hands out each turn once."""
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        rule = await tx.automation_rules.add(workspace, a_rule(uuid4(), uuid4()), None)
        runs = [await tx.automation_runs.start(rule.id, f"event-{i}", {}, {}, 0) for i in range(8)]

    async def draw(run) -> int:
        async with begin() as tx:
            return await tx.automation_runs.turn(rule.id, 0, run.id)

    turns = await asyncio.gather(*(draw(run) for run in runs))
    assert sorted(turns) == list(range(8))


async def test_a_teams_members_are_those_still_in_the_workspace_in_the_teams_order(store):
    begin, world = store
    workspace, elsewhere = await world.workspace(), await world.workspace()
    ada, bo, cy = await world.user("Ada"), await world.user("Bo"), await world.user("Cy")
    team, empty, foreign = uuid4(), uuid4(), uuid4()
    if world.pool is not None:
        await world.pool.executemany("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                                     [(workspace, ada), (workspace, cy)])
        await world.pool.executemany("INSERT INTO teams (id, workspace_id, name) VALUES ($1, $2, $3)",
                                     [(team, workspace, "Sales"), (empty, workspace, "Empty"),
                                      (foreign, elsewhere, "Sales")])
        await world.pool.executemany("INSERT INTO team_members (team_id, user_id, position) VALUES ($1, $2, $3)",
                                     [(team, cy, 0), (team, bo, 1), (team, ada, 2)])
    else:
        from server.domain.forecast import Team

        world.db.table("memberships").update({(workspace, ada): "member", (workspace, cy): "member"})
        now = datetime.now(timezone.utc)
        world.db.table("teams").update({team: Team(team, workspace, "Sales", (cy, bo, ada), now),
                                        empty: Team(empty, workspace, "Empty", (), now),
                                        foreign: Team(foreign, elsewhere, "Sales", (), now)})
    async with begin() as tx:
        assert await tx.automation_rules.team_members(workspace, team) == [cy, ada]  # Bo is not in the workspace
        assert await tx.automation_rules.team_members(workspace, empty) == []
        assert await tx.automation_rules.team_members(workspace, foreign) is None
        assert await tx.automation_rules.team_members(workspace, uuid4()) is None
