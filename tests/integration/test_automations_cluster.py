"""Issue 16's acceptance checks with real processes: a rule fires exactly once per event when two
``serve`` nodes share one Postgres and one Redis and two workers take the jobs; and 50 keystrokes
typed into a card's value over a real Yjs/WebSocket client make one "field changed" run.

The two workers are run both ways the README describes: two separate ``python -m server worker``
processes (with ``REDIS_URL`` they open the board through a sync engine of their own and their
edits reach the serve nodes' clients over Redis; the nodes run no worker, ``TANDEM_WORKER=off``),
and the nodes' own in-process workers (``TANDEM_WORKER=on``). Settling is set small
(``TANDEM_AUTOMATION_SETTLE_SECONDS``) to keep the tests quick. Every wait is on a condition.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from client.crm import open_board
from tests.support.accounts import team
from tests.support.crm import ok, stages
from tests.support.servers import ServerProcess, WorkerProcess
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

ENV = {"TANDEM_AUTH": "on", "TANDEM_WORKER": "on", "TANDEM_HOUSEKEEPING_CRON": "",
       "TANDEM_AUTOMATION_SETTLE_SECONDS": "1", "TANDEM_JOB_RETRY_SECONDS": "0.2", "TANDEM_JOB_GRACE_SECONDS": "2"}


@asynccontextmanager
async def nodes(database_url: str, count: int, workers: int = 0, **env: str) -> AsyncIterator[list[ServerProcess]]:
    """``count`` serve nodes and ``workers`` standalone workers, all with ``ENV`` and ``env``."""
    started = [ServerProcess(database_url, **{**ENV, **env}) for _ in range(count)]
    standalone = [WorkerProcess(database_url, **{**ENV, **env}) for _ in range(workers)]
    try:
        await asyncio.gather(*(node.start() for node in started), *(worker.start() for worker in standalone))
        yield started
    finally:
        for process in [*standalone, *started]:
            if process.process is not None and process.process.poll() is None:
                await process.terminate(timeout=60)  # a node once took over 30 s under CI load (cause open)


async def automation_jobs(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint LIKE 'automation.%'")
    finally:
        await conn.close()


async def drained(database_url: str) -> bool:
    return await automation_jobs(database_url) == 0


async def _at_least(database_url: str, jobs: int) -> bool:
    return await automation_jobs(database_url) >= jobs


async def my_tasks(node: ServerProcess, who: Any, prefix: str) -> list[dict]:
    listed = await ok(node, who, "GET", "/api/me/tasks")
    return [task for group in listed.values() if isinstance(group, list) for task in group
            if task.get("title", "").startswith(prefix)]


@pytest.fixture
async def database_url(own_database_url: str) -> str:
    """A database per test here: these tests wait for the whole job queue to drain, and their worker
    processes must take no other test's jobs (tests/conftest.py, own_database_url)."""
    return own_database_url


@pytest.mark.parametrize("workers", ["standalone", "in-process"])
async def test_a_rule_fires_exactly_once_per_event_with_two_nodes_and_two_workers(database_url, redis_server, workers):
    standalone = workers == "standalone"
    async with nodes(database_url, 2, workers=2 if standalone else 0, REDIS_URL=redis_server.url,
                     TANDEM_WORKER="off" if standalone else "on") as (a, b):
        t = await team(a.http_url)
        board = t.board["id"]
        [lead, qualified, *_] = [s["stage"] for s in await stages(a, t.owner, t.workspace, board)]
        rule = await ok(a, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
            "name": "Call when qualified",
            "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified},
            "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                         "due_in_days": 1}]})
        cards = f"/api/boards/{board}/cards"
        titles = [f"Cluster {i}" for i in range(8)]
        deals = [await ok((a, b)[i % 2], t.owner, "POST", cards, json={"title": title, "owner": t.member.id})
                 for i, title in enumerate(titles)]
        by_api, by_socket = deals[:4], deals[4:]
        # Concurrent edits on both nodes: API moves through each node, and a live client on each
        # node moving its own cards in the same moment.
        async with open_board(a.ws_url, board, token=t.owner.token, user=UUID(t.owner.id)) as on_a, \
                open_board(b.ws_url, board, token=t.member.token, user=UUID(t.member.id)) as on_b:
            await eventually(lambda: all(UUID(d["id"]) in on_a.read().cards and UUID(d["id"]) in on_b.read().cards
                                         for d in deals), timeout=30, what="the deals on both clients")
            for i, deal in enumerate(by_socket):
                (on_a, on_b)[i % 2].move(UUID(deal["id"]), UUID(qualified))
            await asyncio.gather(*(ok((a, b)[i % 2], t.owner, "POST", f"{cards}/{deal['id']}/move",
                                      json={"stage": qualified}) for i, deal in enumerate(by_api)))
            await asyncio.gather(on_a.session.durable(), on_b.session.durable())

        async def all_ran() -> list[dict]:
            runs = await ok(b, t.owner, "GET", rule["runs"])
            return runs if len([r for r in runs if r["status"] == "succeeded"]) >= len(deals) else []

        await eventually(all_ran, timeout=60, what="a run for every deal")
        await eventually(lambda: drained(database_url), timeout=60, what="the automation jobs to finish")
        runs = await ok(a, t.owner, "GET", rule["runs"])
        assert sorted(r["inputs"]["title"] for r in runs) == sorted(titles), "one run per deal, none twice"
        assert {r["status"] for r in runs} == {"succeeded"}, runs
        async def every_task() -> list[dict]:
            tasks = await my_tasks(a, t.member, "Call Cluster")
            return tasks if len(tasks) >= len(titles) else []

        tasks = await eventually(every_task, timeout=30, what="a task per deal in My tasks")
        assert sorted(task["title"] for task in tasks) == sorted(f"Call {title}" for title in titles)
        # moving them back and forth once more is a second event per deal: a second run each, no more
        await asyncio.gather(*(ok((a, b)[i % 2], t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": lead})
                               for i, deal in enumerate(deals[:4])))
        # each move back is one settling job (per card), which runs nothing: wait for them to go
        await eventually(lambda: _at_least(database_url, 4), timeout=30, what="the moves back queued")
        await eventually(lambda: drained(database_url), timeout=60, what="the moves back to settle")
        await asyncio.gather(*(ok((b, a)[i % 2], t.owner, "POST", f"{cards}/{deal['id']}/move",
                                  json={"stage": qualified}) for i, deal in enumerate(deals[:4])))

        async def second_runs() -> list[dict]:
            runs = await ok(a, t.owner, "GET", rule["runs"])
            return runs if len(runs) >= len(deals) + 4 and await drained(database_url) else []

        runs = await eventually(second_runs, timeout=60, what="the second runs")
        counts = {title: [r["inputs"]["title"] for r in runs].count(title) for title in titles}
        assert counts == {title: 2 if i < 4 else 1 for i, title in enumerate(titles)}, counts


async def test_fifty_keystrokes_into_a_cards_value_over_a_live_socket_make_one_field_changed_run(database_url):
    async with nodes(database_url, 1) as (node,):
        t = await team(node.http_url)
        board = t.board["id"]
        rule = await ok(node, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
            "name": "Repriced", "trigger": {"type": "field_changed", "board": board, "field": "value"},
            "actions": [{"type": "add_label", "label": "repriced"}]})
        deal = await ok(node, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Typed", "value": 7})
        card = UUID(deal["id"])
        typed = "12345678901234567890123456789012345678901234567890"
        async with open_board(node.ws_url, board, token=t.owner.token, user=UUID(t.owner.id)) as live:
            await eventually(lambda: card in live.read().cards, timeout=30, what="the card on the client")
            for keystroke in range(1, len(typed) + 1):  # as a value field does: one edit per key
                live.update(card, value=int(typed[:keystroke]) % 10**15)
                await live.session.durable()  # each keystroke reaches the server before the next
            final = int(typed) % 10**15

            async def labelled() -> bool:
                return "repriced" in live.card(card).labels

            await eventually(labelled, timeout=30, what="the rule's label on the live client")
        await eventually(lambda: drained(database_url), timeout=30, what="the automation jobs to finish")
        runs = await ok(node, t.owner, "GET", rule["runs"])
        assert len(runs) == 1, runs
        [run] = runs
        assert run["status"] == "succeeded" and run["trigger"]["type"] == "field_changed"
        assert (run["trigger"]["field"], run["trigger"]["from"], run["trigger"]["to"]) == ("value", 7, final), run
        assert run["inputs"]["value"] == final
