"""``GET /health``: 200 while the server can serve — started, and Postgres answering.

503 with the reason otherwise: while starting, or when Postgres does not answer ``SELECT 1``
within ``CHECK_SECONDS`` (refused, down, or frozen), so a load balancer stops sending traffic
that could only fail. The 200 carries the job queue as ``jobs``: jobs queued and due, running
and failed, the oldest due job's wait in seconds and the workers connected (``workers: 0`` with
``due`` growing means no worker runs: start ``python -m server worker``).
"""

from __future__ import annotations

import logging

import asyncpg
from litestar import Request, Response, get

from server.api.container import Services, is_ready, services_of
from server.api.request_ids import LOGGED

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0


@get("/health")
async def health(request: Request) -> Response[dict[str, object]]:
    request.scope[LOGGED] = True  # type: ignore[literal-required]  # starting is no error; an outage is logged here
    if not is_ready(request.app):  # starting or stopping: the services may not be there
        return _unavailable("starting: the database is not ready yet")
    services = services_of(request.app)
    problem = await _database_problem(services.pool)
    if problem is not None:
        log.warning("health: the database %s", problem)
        return _unavailable(f"the database {problem}")
    return Response({"status": "ok", "rooms": len(services.rooms), "jobs": await _jobs(services)})


async def _jobs(services: Services) -> dict[str, object] | None:
    """The job queue: depth, the oldest due job's wait, failures, workers; None if unreadable
    (the server still serves: jobs wait in Postgres until a worker takes them)."""
    try:
        report = await services.queue.report()
    except Exception:
        log.warning("health: the job queue could not be read", exc_info=True)
        return None
    return {"queued": report.queued, "due": report.due, "running": report.running, "failed": report.failed,
            "oldest_seconds": report.oldest_seconds, "workers": report.workers}


async def _database_problem(pool: asyncpg.Pool) -> str | None:
    """None if Postgres answers a trivial query in time, else what is wrong."""
    try:
        async with pool.acquire(timeout=CHECK_SECONDS) as conn:
            await conn.fetchval("SELECT 1", timeout=CHECK_SECONDS)
    except TimeoutError:
        return f"did not answer within {CHECK_SECONDS:g} s"
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"cannot be reached ({type(exc).__name__}: {exc})"
    return None


def _unavailable(reason: str) -> Response[dict[str, object]]:
    return Response({"status_code": 503, "detail": reason}, status_code=503, headers={"Retry-After": "5"})
