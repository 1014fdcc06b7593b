"""The automation ports (``server.services.ports.automations``), one contract over the memory twins
and Postgres: a rule reads back as stored; only enabled rules watching a board are found for it;
a run exists once per (rule, event) — starting it again returns the first — and keeps its results."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
