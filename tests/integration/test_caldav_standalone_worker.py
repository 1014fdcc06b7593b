"""CalDAV sync in a deployment whose serve nodes run no worker (``TANDEM_WORKER=off``): a standalone
``python -m server worker`` with ``REDIS_URL`` runs the ``caldav.sync`` jobs (it holds a sync engine
of its own, as for the automations), so "Sync now" on a serve node syncs a real Radicale calendar.

Real processes, Postgres, Redis and Radicale; every wait is on a condition."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet

from tests.support.accounts import team
from tests.support.crm import ok
from tests.support.radicale import Radicale, event
from tests.support.servers import ServerProcess, WorkerProcess
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
async def database_url(own_database_url: str) -> str:
    """A database of its own: the worker process must take no other test's jobs."""
    return own_database_url


@pytest.fixture
async def radicale() -> AsyncIterator[Radicale]:
    server = await Radicale().start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_standalone_worker_runs_the_calendar_syncs_of_serve_nodes_without_one(database_url, redis_server,
                                                                                       radicale):
    env = {"TANDEM_AUTH": "on", "TANDEM_HOUSEKEEPING_CRON": "", "TANDEM_CALDAV_POLL_CRON": "",
           "TANDEM_CALDAV_ALLOW_PRIVATE": "1", "TANDEM_SECRET_KEY": Fernet.generate_key().decode(),
           "REDIS_URL": redis_server.url}
    node = ServerProcess(database_url, TANDEM_WORKER="off", **env)
    worker = WorkerProcess(database_url, **env)
    await node.start()
    try:
        await worker.start()
        assert b"caldav.sync" in worker.log.read_bytes(), "the worker runs the calendar sync jobs"
        t = await team(node.http_url)
        url, user, password = await radicale.calendar()
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
        await radicale.put(url, user, password, "visit.ics",
                           event("visit@other.app", "Site visit", start.strftime("%Y%m%dT%H%M%S"),
                                 (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S"), tzid=None))
        await ok(node, t.owner, "PUT", "/api/me/calendar-sync",
                 json={"url": url, "username": user, "password": password, "board": t.board["id"]})

        async def synced() -> dict | None:
            status = await ok(node, t.owner, "GET", "/api/me/calendar-sync")
            return status if status["last_success"] else None

        status = await eventually(synced, timeout=60, what="the worker's first sync")
        assert (status["pulled"], status["last_error"]) == (1, None), status
        day = start.date().isoformat()

        async def on_the_calendar() -> bool:
            found = await ok(node, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                             params={"start": day, "end": day})
            return any(e["title"] == "Site visit" for e in found["entries"])

        await eventually(on_the_calendar, timeout=30, what="the event as an activity, seen from the serve node")
    finally:
        if worker.process is not None and worker.process.poll() is None:
            assert await worker.terminate() == 0, f"the worker stops cleanly; see {worker.log}"
        await node.terminate()
