"""The request-id wrapper: an exception that escapes Litestar still answers a 500 with the id."""

from __future__ import annotations

import json
import logging

from server.api.request_ids import with_request_ids


async def _run(app, headers=()) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": list(headers)}
    await with_request_ids(app)(scope, receive, send)
    return sent


def _own(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The wrapper's records (a task an earlier test left behind may log an error meanwhile)."""
    return [r for r in records if r.name == "server.api.request_ids"]


async def test_an_exception_that_escapes_the_app_answers_500_with_the_id_and_is_logged(caplog):
    async def app(scope, receive, send) -> None:
        raise RuntimeError("escaped")

    with caplog.at_level(logging.ERROR):
        start, body = await _run(app, [(b"x-request-id", b"abc-1")])
    assert start["status"] == 500 and (b"x-request-id", b"abc-1") in start["headers"]
    assert json.loads(body["body"])["request_id"] == "abc-1"
    mine = _own(caplog.records)
    assert len(mine) == 1 and mine[0].exc_info[1].args == ("escaped",)


async def test_a_5xx_the_app_answers_itself_is_logged_once(caplog):
    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 502, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with caplog.at_level(logging.ERROR):
        start, _ = await _run(app)
    assert start["status"] == 502 and [r.getMessage() for r in _own(caplog.records)] == ["GET /x answered 502"]
