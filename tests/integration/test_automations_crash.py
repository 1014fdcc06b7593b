"""An automation job whose serve process is killed (``kill -9``) while it runs is taken again by
another node's worker once its heartbeat is old, and the rule's action happens once.

Real Postgres and real server processes (their in-process workers run the automation jobs). The
job is held running by keeping the deal busy: it waits for the card to settle.
"""

from __future__ import annotations

import asyncpg
import pytest

from tests.support.accounts import team
from tests.support.crm import ok, stages
from tests.support.servers import ServerProcess
from tests.support.waiting import eventually

ENV = {"TANDEM_AUTH": "on", "TANDEM_AUTOMATION_SETTLE_SECONDS": "1", "TANDEM_JOB_HEARTBEAT_SECONDS": "2",
       "TANDEM_HOUSEKEEPING_CRON": ""}


@pytest.fixture
async def database_url(own_database_url: str) -> str:
    """A database of its own: its nodes' workers must take no other test's jobs."""
    return own_database_url


async def test_a_node_killed_mid_job_leaves_the_action_to_another_node_which_does_it_once(database_url):
    first = await ServerProcess(database_url, **ENV).start()
    second = None
    try:
        t = await team(first.http_url)
        [_, qualified, *_] = [s["stage"] for s in await stages(first, t.owner, t.workspace, t.board["id"])]
        rule = await ok(first, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
            "name": "Call", "trigger": {"type": "deal_stage_entered", "board": t.board["id"], "stage": qualified},
            "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner"}]})
        cards = f"/api/boards/{t.board['id']}/cards"
        deal = await ok(first, t.owner, "POST", cards, json={"title": "Umbrella", "owner": t.member.id})
        await ok(first, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})
        conn = await asyncpg.connect(database_url)
        try:
            async def picked() -> bool:
                # keep the card busy so the job, once taken, waits for it to settle
                await ok(first, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"title": "Umbrella"})
                return bool(await conn.fetchval(
                    "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'automation.event' AND status = 'picked' "
                    "AND convert_from(payload, 'UTF8') LIKE '%' || $1 || '%' AND convert_from(payload, 'UTF8') LIKE '%moved%'", deal["id"]))

            await eventually(picked, timeout=30, every=0.2, what="the first node to take the job")
            first.kill()  # SIGKILL, mid-job
            second = await ServerProcess(database_url, **ENV).start()

            async def done() -> list:
                runs = await ok(second, t.owner, "GET", rule["runs"])
                return [r for r in runs if r["status"] == "succeeded"]

            [run] = await eventually(done, timeout=60, every=0.2, what="the run on the second node")
            assert run["results"][0]["result"]["title"] == "Call Umbrella"

            async def tasks() -> list:
                listed = await ok(second, t.member, "GET", "/api/me/tasks")
                return [task for group in listed.values() if isinstance(group, list) for task in group
                        if task.get("title") == "Call Umbrella"]

            assert len(await eventually(tasks, timeout=30, what="the task")) == 1
            await eventually(lambda: conn.fetchval(
                "SELECT count(*) = 0 FROM pgqueuer WHERE entrypoint = 'automation.event' "
                "AND convert_from(payload, 'UTF8') LIKE '%' || $1 || '%'", deal["id"]), timeout=30, what="the jobs to finish")
            assert len(await ok(second, t.owner, "GET", rule["runs"])) == 1
            assert len(await tasks()) == 1
        finally:
            await conn.close()
    finally:
        first.kill()
        if second is not None:
            await second.terminate()
