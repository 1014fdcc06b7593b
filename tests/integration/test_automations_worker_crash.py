"""``kill -9`` of a standalone ``python -m server worker`` in the middle of an action (issue 16): the
rule's first action (a task) is done and recorded, the second (a webhook call) is under way — the
receiver holds the request open — when the worker dies. Another worker, started after it, takes the
job again once its heartbeat is old, continues at the webhook call and finishes the run: one run,
one task in the board document, and the webhook delivered under one delivery id (the cut attempt
and the finished one).

Known gap (not asserted here): the task the killed worker committed is in the document, but the
SQL projection (My tasks) only sees it at the board's next committed change — the worker died
before its projector ran, and no other node projects a commit it did not make.

Real processes (a ``serve`` node running no worker, ``TANDEM_WORKER=off``, and the workers, sharing
Postgres and Redis) and a real HTTP receiver on 127.0.0.1. Every wait is on a condition.
"""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest
from cryptography.fernet import Fernet

from client.crm import open_board
from tests.support.accounts import team
from tests.support.crm import ok, stages
from tests.support.servers import ServerProcess, WorkerProcess
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

ENV = {"TANDEM_AUTH": "on", "TANDEM_HOUSEKEEPING_CRON": "", "TANDEM_AUTOMATION_SETTLE_SECONDS": "0.3",
       "TANDEM_JOB_HEARTBEAT_SECONDS": "2", "TANDEM_JOB_RETRY_SECONDS": "0.2", "TANDEM_JOB_GRACE_SECONDS": "1",
       "TANDEM_WEBHOOKS_ALLOW_PRIVATE": "1", "TANDEM_WEBHOOK_TIMEOUT_SECONDS": "60",
       "TANDEM_SECRET_KEY": Fernet.generate_key().decode()}


class HoldingReceiver:
    """An HTTP receiver that holds the first request open (never answers it) and answers 204 to the
    rest; records each request's headers and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._server: asyncio.Server | None = None
        self._held: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/hook"

    async def __aenter__(self) -> HoldingReceiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for writer in self._held:
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")[1:]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((headers, body))
        if len(self.requests) == 1:
            self._held.append(writer)  # no answer: the worker waits in the middle of the action
            return
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


@pytest.fixture
async def database_url(own_database_url: str) -> str:
    """A database per test here: these tests wait for the whole job queue to drain, and their worker
    processes must take no other test's jobs (tests/conftest.py, own_database_url)."""
    return own_database_url


async def test_a_worker_killed_mid_action_leaves_it_to_the_next_worker_which_completes_it_once(database_url,
                                                                                               redis_server):
    env = {**ENV, "REDIS_URL": redis_server.url}
    node = await ServerProcess(database_url, TANDEM_WORKER="off", **env).start()
    first = second = None
    try:
        first = await WorkerProcess(database_url, **env).start()
        t = await team(node.http_url)
        board = t.board["id"]
        [_, qualified, *_] = [s["stage"] for s in await stages(node, t.owner, t.workspace, board)]
        async with HoldingReceiver() as receiver:
            rule = await ok(node, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
                "name": "Hand over", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified},
                "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner"},
                            {"type": "call_webhook", "url": receiver.url, "payload": {"step": "handover"}}]})
            assert rule["signing_secret"], "a rule that calls a webhook answers its signing secret once"
            cards = f"/api/boards/{board}/cards"
            deal = await ok(node, t.owner, "POST", cards, json={"title": "Killed", "owner": t.member.id})
            await ok(node, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})

            async def mid_action() -> list[dict]:
                runs = await ok(node, t.owner, "GET", rule["runs"])
                return runs if receiver.requests and runs and len(runs[0]["results"]) == 1 else []

            [run] = await eventually(mid_action, timeout=60, what="the worker inside the webhook call")
            assert run["status"] == "running" and run["results"][0]["type"] == "create_task", run
            first.kill()  # SIGKILL while the receiver holds the request
            second = await WorkerProcess(database_url, **env).start()

            async def finished() -> list[dict]:
                runs = await ok(node, t.owner, "GET", rule["runs"])
                return runs if runs and runs[0]["status"] == "succeeded" else []

            [run] = await eventually(finished, timeout=60, what="the run finished by the second worker")
            assert [(r["type"], r["ok"]) for r in run["results"]] == [("create_task", True), ("call_webhook", True)]
            assert run["results"][1]["result"]["status"] == 204, run
            assert len(receiver.requests) == 2, "the cut attempt and the one that finished"
            assert len({headers["x-tandem-delivery"] for headers, _ in receiver.requests}) == 1
            sent = json.loads(receiver.requests[1][1])
            assert sent["data"]["payload"] == {"step": "handover"} and sent["data"]["inputs"]["title"] == "Killed"

        async with open_board(node.ws_url, board, token=t.owner.token) as live:
            made = [a for a in live.read().activities.values() if a.title == "Call Killed"]
            assert len(made) == 1 and str(made[0].assignee) == t.member.id, made
        conn = await asyncpg.connect(database_url)
        try:
            await eventually(lambda: conn.fetchval(
                "SELECT count(*) = 0 FROM pgqueuer WHERE entrypoint LIKE 'automation.%'"), timeout=30,
                what="no automation job left")
        finally:
            await conn.close()
        assert len(await ok(node, t.owner, "GET", rule["runs"])) == 1
    finally:
        for worker in (first, second):
            if worker is not None and worker.process is not None and worker.process.poll() is None:
                await worker.terminate()
        await node.terminate()
