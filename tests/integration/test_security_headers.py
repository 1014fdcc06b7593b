"""Security headers on every HTTP response, and ``/metrics`` only for its bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.accounts import AUTH, sign_up
from tests.support.servers import InProcessServer, in_process_server, settings_for

METRICS_TOKEN = "metrics-secret-1234"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, metrics_token=METRICS_TOKEN, **AUTH)) as running:
        yield running


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "strict-transport-security" not in headers, "no HSTS over plain HTTP (TANDEM_COOKIE_SECURE off)"
    assert len(headers.get_list("x-content-type-options")) == 1, "set once, even where a handler sets it too"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"),  # the web app (or the page saying it is not built)
    ("GET", "/w/some/route"),  # the app's fallback to index.html
    ("GET", "/health"),
    ("GET", "/api/me"),  # 401
    ("GET", "/api/no-such-thing"),  # 404 from the router, outside every handler
    ("POST", "/api/auth/login"),  # 400: no body
    ("GET", "/schema/openapi.json"),
])
async def test_every_kind_of_response_carries_the_security_headers(server, method, path):
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        assert_secured(await http.request(method, path))


async def test_the_app_policy_allows_only_its_own_scripts_and_sockets_to_its_own_host(server):
    account = await sign_up(server.http_url, "Headers")
    async with httpx.AsyncClient(base_url=server.http_url, headers=account.headers) as http:
        response = await http.get("/api/me")
    assert response.status_code == 200
    assert_secured(response)
    directives = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert directives["script-src"] == "'self'"
    host = f"127.0.0.1:{server.port}"
    assert directives["connect-src"] == f"'self' ws://{host} wss://{host}"


async def test_hsts_is_sent_when_cookies_are_secure(database_url):
    settings = settings_for(database_url, cookie_secure=True)
    async with in_process_server(settings) as srv, httpx.AsyncClient(base_url=srv.http_url) as http:
        response = await http.get("/health")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_metrics_answer_only_the_configured_bearer_token(server):
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert anonymous.status_code == wrong.status_code == 401
    assert "TANDEM_METRICS_TOKEN" in anonymous.json()["detail"]
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert right.status_code == 200 and "tandem_connections{" in right.text


async def test_metrics_are_not_there_without_a_configured_token(database_url):
    async with in_process_server(settings_for(database_url)) as srv, httpx.AsyncClient(base_url=srv.http_url) as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/metrics", headers={"Authorization": "Bearer anything"})).status_code == 404
