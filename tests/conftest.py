"""Fixtures: one fresh Postgres database per test session, servers per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.redis_server import RedisServer
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.services import create_database, drop_database


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3)) as running:
        yield running


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    server = await RedisServer().start()
    yield server
    server.stop()
