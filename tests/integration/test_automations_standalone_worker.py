"""A standalone ``python -m server worker`` runs automation jobs when ``REDIS_URL`` is set (issue 16):
it opens the board through a sync engine of its own (serve's composition, server.app.start_automations),
and its edit reaches a Yjs client connected to a ``serve`` node over Redis — here a node that runs
no worker at all (``TANDEM_WORKER=off``), so only the standalone worker can have run the rule.
Without Redis the worker leaves automation jobs alone and says so.

Real processes, Postgres and Redis; every wait is on a condition.
"""

from __future__ import annotations

import logging
from uuid import UUID

import pytest

from client.crm import open_board
from tests.support.accounts import team
from tests.support.crm import ok, stages
from tests.support.servers import ServerProcess, WorkerProcess, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

ENV = {"TANDEM_AUTH": "on", "TANDEM_HOUSEKEEPING_CRON": "", "TANDEM_AUTOMATION_SETTLE_SECONDS": "0.3",
       "TANDEM_JOB_RETRY_SECONDS": "0.2"}


@pytest.fixture
async def database_url(own_database_url: str) -> str:
    """A database per test here: these tests wait for the whole job queue to drain, and their worker
    processes must take no other test's jobs (tests/conftest.py, own_database_url)."""
    return own_database_url


async def test_a_standalone_worker_over_redis_edits_the_board_a_serve_nodes_client_has_open(database_url,
                                                                                             redis_server):
    node = ServerProcess(database_url, TANDEM_WORKER="off", REDIS_URL=redis_server.url, **ENV)
    worker = WorkerProcess(database_url, REDIS_URL=redis_server.url, **ENV)
    await node.start()
    try:
        await worker.start()
        assert b"automation.event" in worker.log.read_bytes(), "the worker runs the automation jobs"
        t = await team(node.http_url)
        board = t.board["id"]
        [_, qualified, *_] = [s["stage"] for s in await stages(node, t.owner, t.workspace, board)]
        rule = await ok(node, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
            "name": "Qualified", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified},
            "actions": [{"type": "add_label", "label": "qualified"},
                        {"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner"}]})
        deal = await ok(node, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Standalone",
                                                                                     "owner": t.member.id})
        card = UUID(deal["id"])
        async with open_board(node.ws_url, board, token=t.owner.token, user=UUID(t.owner.id)) as live:
            await eventually(lambda: card in live.read().cards, timeout=30, what="the deal on the client")
            live.move(card, UUID(qualified))  # the event: a live client's edit on the serve node
            await live.session.durable()

            def the_rules_edits() -> bool:
                state = live.read()
                return ("qualified" in state.cards[card].labels
                        and any(a.title == "Call Standalone" and a.card == card for a in state.activities.values()))

            await eventually(the_rules_edits, timeout=60, what="the worker's label and task on the serve node's client")
        runs = await ok(node, t.owner, "GET", rule["runs"])
        assert [(r["status"], r["inputs"]["title"]) for r in runs] == [("succeeded", "Standalone")], runs
        tasks = await eventually(lambda: _tasks(node, t.member), timeout=30, what="the task in My tasks (projected)")
        assert [task["title"] for task in tasks] == ["Call Standalone"]
    finally:
        if worker.process is not None and worker.process.poll() is None:
            assert await worker.terminate() == 0, f"the worker stops cleanly; see {worker.log}"
        await node.terminate()


async def test_a_worker_without_redis_leaves_automation_jobs_to_serve_and_says_so(database_url):
    worker = WorkerProcess(database_url, **ENV)
    await worker.start()
    try:
        log = worker.log.read_bytes()
        assert b"runs no automation jobs" in log and b"REDIS_URL" in log, log
        assert b"automation.event" not in log, "it does not take them"
    finally:
        assert await worker.terminate() == 0


async def test_serve_without_a_worker_or_redis_warns_that_no_rule_will_run(database_url, caplog):
    with caplog.at_level(logging.WARNING, logger="server.app"):
        async with in_process_server(settings_for(database_url, worker="off")):
            pass
    assert "TANDEM_WORKER=off and no REDIS_URL: no automation rule will run" in caplog.text


async def _tasks(node: ServerProcess, who) -> list[dict]:
    listed = await ok(node, who, "GET", "/api/me/tasks")
    return [task for group in listed.values() if isinstance(group, list) for task in group
            if task.get("title", "").startswith("Call Standalone")]
