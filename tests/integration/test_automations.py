"""Automations run (issue 16, items 2-4): a deal entering a stage creates the rule's task once,
assigned to the owner with its title templated; a burst of edits is one settled event; a rule's
own change does not trigger it again; two rules triggering each other stop at the depth limit with
the reason on the run; an import triggers nothing.

Real Postgres; one server for the module whose in-process worker runs the automation jobs
(TANDEM_WORKER=on), settling for 0.3 s; the burst test has a server of its own settling for 5 s, so
that a loaded machine answering a PATCH slowly does not split the burst. Every wait is on a condition,
with a deadline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.services import create_database, drop_database
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", automation_settle_seconds=0.3, automation_max_depth=5)
    async with in_process_server(settings) as running:
        yield running


@pytest.fixture
async def patient_server() -> AsyncIterator[InProcessServer]:
    """Settles for 5 s: twenty PATCHes in a row stay one burst however slow each answer is. Its own
    database, so that the module's server's worker never takes its jobs."""
    url = await create_database()
    try:
        settings = settings_for(url, **AUTH, worker="on", automation_settle_seconds=5.0, automation_max_depth=5)
        async with in_process_server(settings) as running:
            yield running
    finally:
        await drop_database(url)


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(check, timeout=30.0, every=0.1, what=what)


async def queue_drained(server: InProcessServer) -> bool:
    """No automation job waits or runs."""
    async with server.services.pool.acquire() as conn:
        return not await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'automation.event'")


async def world(server: InProcessServer):
    t = await team(server.http_url)
    columns = await stages(server, t.owner, t.workspace, t.board["id"])
    return t, [c["stage"] for c in columns], f"/api/workspaces/{t.workspace}/automations"


async def test_a_deal_entering_a_stage_creates_the_task_once_for_its_owner_titled_from_the_deal(server):
    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Call when qualified", "trigger": {"type": "deal_stage_entered", "board": t.board["id"],
                                                   "stage": qualified},
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                     "due_in_days": 1}]})
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Acme", "owner": t.member.id})
    await ok(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})
    [run] = await until(lambda: _finished_runs(server, t.owner, rule), "the run")
    assert run["status"] == "succeeded", run
    assert run["trigger"]["type"] == "deal_stage_entered" and run["inputs"]["title"] == "Acme"
    [result] = run["results"]
    assert result["ok"] and result["result"]["title"] == "Call Acme" and result["result"]["assignee"] == t.member.id
    await until(lambda: queue_drained(server), "the queue to drain")

    async def tasks() -> list:
        listed = await ok(server, t.member, "GET", "/api/me/tasks")
        return [task for group in listed.values() if isinstance(group, list) for task in group
                if task.get("title") == "Call Acme"]

    assert len(await until(tasks, "the task in My tasks")) == 1
    assert len(await ok(server, t.owner, "GET", rule["runs"])) == 1


async def test_twenty_rapid_edits_of_a_value_make_one_field_changed_run(patient_server):
    server = patient_server
    t, _, path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Value watch", "trigger": {"type": "field_changed", "board": t.board["id"], "field": "value"},
        "actions": [{"type": "add_label", "label": "repriced"}]})
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Typed", "value": 1})
    for keystroke in range(20):
        await ok(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"value": 100 + keystroke})
    [run] = await until(lambda: _finished_runs(server, t.owner, rule), "the run")
    await until(lambda: queue_drained(server), "the queue to drain")
    runs = await ok(server, t.owner, "GET", rule["runs"])
    assert len(runs) == 1, runs
    assert (run["trigger"]["from"], run["trigger"]["to"]) == (1, 119)


async def test_a_rule_runs_only_for_deals_its_conditions_hold_for(server):
    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Big ones", "trigger": {"type": "deal_stage_entered", "board": t.board["id"], "stage": qualified},
        "conditions": [{"field": "value", "op": "greater_than", "value": 1000},
                       {"field": "title", "op": "contains", "value": "corp"}],
        "actions": [{"type": "add_label", "label": "big"}]})
    assert rule["conditions"][0] == {"field": "value", "op": "greater_than", "value": 1000}
    cards = f"/api/boards/{t.board['id']}/cards"
    small = await ok(server, t.owner, "POST", cards, json={"title": "Small Corp", "value": 10})
    big = await ok(server, t.owner, "POST", cards, json={"title": "Big Corp", "value": 5000})
    for deal in (small, big):
        await ok(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})
    await until(lambda: _finished_runs(server, t.owner, rule), "the run")
    await until(lambda: queue_drained(server), "the queue to drain")
    runs = await ok(server, t.owner, "GET", rule["runs"])
    assert [r["inputs"]["title"] for r in runs] == ["Big Corp"], runs
    refused = await call(server, t.owner, "POST", path, json={**{k: rule[k] for k in ("name", "trigger", "actions")},
                                                              "conditions": [{"field": "value", "op": "near"}]})
    assert refused.status_code == 422 and refused.json()["field"] == "conditions[0].op", refused.text


async def test_a_rules_own_change_does_not_trigger_it_again(server):
    t, _, path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Round up", "trigger": {"type": "field_changed", "board": t.board["id"], "field": "value"},
        "actions": [{"type": "set_field", "field": "value", "value": 1000}]})
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Loop", "value": 5})
    await ok(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"value": 7})
    await until(lambda: _finished_runs(server, t.owner, rule), "the run")
    await until(lambda: queue_drained(server), "the queue to drain")
    runs = await ok(server, t.owner, "GET", rule["runs"])
    assert [r["status"] for r in runs] == ["succeeded"], runs


async def test_two_rules_triggering_each_other_stop_at_the_depth_limit_with_the_reason(server):
    t, [lead, qualified, *_], path = await world(server)
    board = t.board["id"]
    ping = await ok(server, t.owner, "POST", path, json={
        "name": "Ping", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified},
        "actions": [{"type": "move_deal", "stage": lead}]})
    pong = await ok(server, t.owner, "POST", path, json={
        "name": "Pong", "trigger": {"type": "deal_stage_entered", "board": board, "stage": lead},
        "actions": [{"type": "move_deal", "stage": qualified}]})
    cards = f"/api/boards/{board}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Ball", "stage": lead})
    await ok(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})

    async def stopped() -> list[dict]:
        runs = [*await ok(server, t.owner, "GET", ping["runs"]), *await ok(server, t.owner, "GET", pong["runs"])]
        return [r for r in runs if r["status"] == "stopped"]

    [halted] = await until(stopped, "a stopped run")
    assert halted["depth"] == 5 and "depth limit" in halted["error"], halted
    await until(lambda: queue_drained(server), "the queue to drain")
    runs = [*await ok(server, t.owner, "GET", ping["runs"]), *await ok(server, t.owner, "GET", pong["runs"])]
    assert sorted(r["depth"] for r in runs) == [0, 1, 2, 3, 4, 5], runs
    assert [r for r in runs if r["status"] == "stopped"] == [halted]


async def test_an_import_triggers_nothing(server):
    t, _, path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Welcome", "trigger": {"type": "deal_created", "board": t.board["id"]},
        "actions": [{"type": "add_label", "label": "new"}]})
    response = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/import/deals",
                          params={"board": t.board["id"]}, content=b"title,value\nImported,5\nAlso,6\n",
                          headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    # a deal made by hand afterwards does trigger: when its run is there, the import's would be too
    await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "By hand"})
    [run] = await until(lambda: _finished_runs(server, t.owner, rule), "the hand-made deal's run")
    await until(lambda: queue_drained(server), "the queue to drain")
    runs = await ok(server, t.owner, "GET", rule["runs"])
    assert [r["inputs"]["title"] for r in runs] == ["By hand"], runs


async def _finished_runs(server: InProcessServer, who, rule: dict) -> list[dict]:
    runs = await ok(server, who, "GET", rule["runs"])
    return [r for r in runs if r["status"] != "running"]


async def test_a_rerun_continues_from_the_first_unfinished_action_and_makes_each_once(server, monkeypatch):
    """What a retried job, or one re-queued after its worker was killed, does: the handler runs
    again with the same payload."""
    from uuid import UUID, uuid4

    from server.services.automation_runner import AutomationRunner
    from server.storage.unit import transactions

    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Two steps", "trigger": {"type": "deal_stage_entered", "board": t.board["id"], "stage": qualified},
        "actions": [{"type": "create_task", "title": "Follow up {{deal.title}}", "assignee": "deal_owner"},
                    {"type": "add_label", "label": "followed"}]})
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                    json={"title": "Initech", "owner": t.member.id, "stage": qualified})
    services = server.services
    runner = AutomationRunner(transactions(services.pool), services.rooms, services.projector, settle=0)
    payload = {"event": str(uuid4()), "workspace": t.workspace, "board": t.board["id"], "card": deal["id"],
               "kind": "moved", "before": lead, "depth": 0, "rule": None, "author": None}
    real_apply = runner._apply

    def crash_on_the_label(room, rule_, run, index, action, card, depth, *rest):
        if action["type"] == "add_label":
            raise ConnectionError("the worker died here")
        return real_apply(room, rule_, run, index, action, card, depth, *rest)

    monkeypatch.setattr(runner, "_apply", crash_on_the_label)
    with pytest.raises(RuntimeError):
        await runner.handle(payload)
    [failed] = await ok(server, t.owner, "GET", rule["runs"])
    assert failed["status"] == "failed" and [r["ok"] for r in failed["results"]] == [True, False], failed
    assert "the worker died here" in failed["error"]

    monkeypatch.setattr(runner, "_apply", real_apply)
    await runner.handle(payload)  # the retry: continues at the label
    async with services.pool.acquire() as conn:  # and as if the task was applied but never recorded
        await conn.execute("UPDATE automation_runs SET results = '[]', status = 'running' WHERE rule_id = $1",
                           UUID(rule["id"]))
    await runner.handle(payload)
    await runner.handle(payload)  # succeeded: nothing more
    [run] = await ok(server, t.owner, "GET", rule["runs"])
    assert run["status"] == "succeeded" and [r["type"] for r in run["results"]] == ["create_task", "add_label"]
    assert run["results"][0]["result"].get("already") is True, "the task was found, not added again"

    async def tasks() -> list:
        listed = await ok(server, t.member, "GET", "/api/me/tasks")
        return [task for group in listed.values() if isinstance(group, list) for task in group
                if task.get("title") == "Follow up Initech"]

    assert len(await until(tasks, "the task")) == 1
    await until(lambda: queue_drained(server), "the queue to drain")
    assert len(await tasks()) == 1
