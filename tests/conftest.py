"""Fixtures: one fresh Postgres database per test session, servers per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from tests.support import servers as in_process
from tests.support.redis_server import RedisServer
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.services import create_database, drop_database


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture(scope="module")
async def module_database_url() -> AsyncIterator[str]:
    """A fresh database for one module's tests: for a module whose server waits for the whole job
    queue to drain (jobs other modules leave waiting — an e2e rule's three-hour wait — never drain)."""
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def own_database_url() -> AsyncIterator[str]:
    """A fresh database for one test: for tests that wait for the whole job queue to drain, or whose
    worker processes must take no other test's jobs (nor leave theirs to the next test)."""
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the session's database, to look at or change rows directly."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture(params=[True, False], ids=["direct", "plain-asgi"])
def write_path(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Run the test once with broadcasts written straight into uvicorn's transports and once over
    plain ASGI sends (TANDEM_DIRECT_WRITES=off): the fallback stays a tested path. Ask for it
    before ``server`` (``pytestmark = pytest.mark.usefixtures("write_path")``)."""
    in_process.direct_writes = request.param
    try:
        yield request.param
    finally:
        in_process.direct_writes = None


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3)) as running:
        yield running


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    server = await RedisServer().start()
    yield server
    server.stop()
