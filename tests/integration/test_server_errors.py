"""No anonymous 500: an unexpected exception is logged with the request id that the response
carries (``X-Request-Id`` and the body), and a sane incoming id is kept (issue 13, item 5)."""

from __future__ import annotations

import logging

from server.logs import StructuredFormatter, _NodeFilter
from tests.support.accounts import AUTH, sign_up
from tests.support.crm import call
from tests.support.servers import in_process_server, settings_for


async def test_a_500_is_logged_with_the_request_id_the_response_carries(database_url, caplog, monkeypatch):
    caplog.handler.addFilter(_NodeFilter("test"))  # as server.logs configures the process's handler
    caplog.set_level(logging.ERROR)
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        owner = await sign_up(server.http_url)

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug in a use case")

        monkeypatch.setattr(server.services.workspaces, "list", broken)
        response = await call(server, owner, "GET", "/api/workspaces")
    assert response.status_code == 500
    ident = response.headers["x-request-id"]
    body = response.json()
    assert body["request_id"] == ident and ident in body["detail"] and "a bug" not in body["detail"]
    lines = [StructuredFormatter("logfmt").format(r) for r in caplog.records if getattr(r, "request", None) == ident]
    assert len(lines) == 1, lines
    assert f"request={ident}" in lines[0] and "RuntimeError: a bug in a use case" in lines[0]


async def test_a_sane_incoming_request_id_is_kept_and_an_insane_one_replaced(server):
    kept = await call(server, None, "GET", "/health", headers={"X-Request-Id": "lb-1234.abc"})
    assert kept.headers["x-request-id"] == "lb-1234.abc"
    replaced = await call(server, None, "GET", "/health", headers={"X-Request-Id": "x" * 65})
    assert len(replaced.headers["x-request-id"]) == 32 and replaced.headers["x-request-id"] != "x" * 65
