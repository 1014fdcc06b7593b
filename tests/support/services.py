"""Real services for the integration tests: a fresh Postgres database, Redis, free ports.

A test that needs a service and cannot reach it fails with a message saying how to start it;
nothing is ever skipped for a missing service.
"""

from __future__ import annotations

import os
import socket
import uuid

import asyncpg
import pytest

ADMIN_URL = os.environ.get("TANDEM_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START_POSTGRES = (
    "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
    "(or point TANDEM_TEST_ADMIN_URL at a Postgres where the user may CREATE DATABASE)"
)


async def create_database() -> str:
    """Create an empty database for this test run and return its URL."""
    name = f"tandem_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"Postgres is not reachable at {ADMIN_URL} ({exc}); {START_POSTGRES}", pytrace=False)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
