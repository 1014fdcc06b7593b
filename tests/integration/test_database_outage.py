"""Postgres down or frozen: /health says 503 with a reason, API calls fail fast with 503 and a
request id, and everything works again once Postgres is back (issue 13, item 10)."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.accounts import AUTH, sign_up
from tests.support.pg_proxy import PostgresProxy
from tests.support.servers import in_process_server, settings_for
from tests.support.waiting import eventually

TIMEOUTS = {"statement_timeout_seconds": 1.0, "database_connect_timeout_seconds": 1.0}


async def _get(url: str, path: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return await http.get(path, **kwargs)


def _assert_unavailable(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert reason in body["detail"], body
    assert body["request_id"] == response.headers["x-request-id"]


async def test_health_and_api_answer_503_while_postgres_is_down_and_recover(database_url):
    async with PostgresProxy(database_url) as proxy, \
            in_process_server(settings_for(proxy.proxied_url, **AUTH, **TIMEOUTS)) as server:
        owner = await sign_up(server.http_url)
        assert (await _get(server.http_url, "/health")).status_code == 200
        proxy.cut()
        async with asyncio.timeout(15):  # the test's own deadline: without timeouts these would hang
            health = await _get(server.http_url, "/health")
            assert health.status_code == 503 and "the database" in health.json()["detail"]
            _assert_unavailable(await _get(server.http_url, "/api/workspaces", headers=owner.headers),
                                "cannot be reached")
        proxy.restore()

        async def healthy() -> bool:
            return (await _get(server.http_url, "/health")).status_code == 200

        await eventually(healthy, timeout=20)
        assert (await _get(server.http_url, "/api/workspaces", headers=owner.headers)).status_code == 200


async def test_a_frozen_postgres_answers_503_after_the_timeouts_instead_of_hanging(database_url):
    async with PostgresProxy(database_url) as proxy, \
            in_process_server(settings_for(proxy.proxied_url, **AUTH, **TIMEOUTS)) as server:
        owner = await sign_up(server.http_url)
        proxy.freeze()
        async with asyncio.timeout(20):
            health = await _get(server.http_url, "/health")
            assert health.status_code == 503 and "did not answer" in health.json()["detail"], health.text
            _assert_unavailable(await _get(server.http_url, "/api/workspaces", headers=owner.headers),
                                "timed out")
        proxy.restore()

        async def healthy() -> bool:
            return (await _get(server.http_url, "/health")).status_code == 200

        await eventually(healthy, timeout=20)

