"""Service requests through the API on a real Postgres (docs/service.md): a request made from a
contact, assigned (the assignee's bell), answered and solved, with its times; the queue's filters
and counts; bad input answered 422 naming the field; a viewer reads but may not change; a guest and
an outsider see nothing; Settings › Service for admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from tests.support.accounts import AUTH, team_and_strangers
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


async def test_a_request_is_assigned_answered_and_solved_with_its_times(server):
    t, guest, outsider = await team_and_strangers(server.http_url)
    ann = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                   json={"first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.test"]})
    made = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/requests",
                    json={"subject": "Cannot sign in", "contact": ann["id"], "channel": "phone",
                          "priority": "high", "body": "Ann called: her password fails."})
    request = made["request"]
    assert (request["status"], request["priority"], request["contact_name"], request["overdue"]) == (
        "new", "high", "Ann Lee", False)
    path = f"/api/requests/{request['id']}"
    assigned = await ok(server, t.member, "PATCH", path, json={"assignee": t.owner.id, "status": "open"})
    assert assigned["request"]["assignee"] == t.owner.id
    bell = await ok(server, t.owner, "GET", "/api/me/notifications")
    assert any(n["message"] == "Request assigned to you: Cannot sign in" for n in bell["notifications"])
    await ok(server, t.owner, "POST", f"{path}/messages", json={"kind": "note", "body": "Reset pending"})
    replied = await ok(server, t.owner, "POST", f"{path}/messages",
                       json={"kind": "reply", "body": "Try the new link.", "status": "waiting"})
    assert replied["request"]["status"] == "waiting" and replied["request"]["first_response_at"]
    assert [m["kind"] for m in replied["messages"]] == ["inbound", "note", "reply"]
    solved = await ok(server, t.owner, "PATCH", path, json={"status": "solved"})
    assert solved["request"]["solved_at"]
    history = await ok(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/requests",
                       params={"contact": ann["id"], "status": "all"})
    assert [r["id"] for r in history["requests"]] == [request["id"]] and history["counts"] == {"solved": 1}
    assert (await call(server, t.viewer, "PATCH", path, json={"status": "open"})).status_code == 403
    for outside in (guest, outsider):
        assert (await call(server, outside, "GET", path)).status_code == 404
        assert (await call(server, outside, "GET", f"/api/workspaces/{t.workspace}/requests")).status_code == 404


async def test_the_queue_filters_and_counts_and_bad_input_names_the_field(server):
    t, _, _ = await team_and_strangers(server.http_url)
    base = f"/api/workspaces/{t.workspace}/requests"
    urgent = (await ok(server, t.member, "POST", base, json={"subject": "Down", "priority": "urgent",
                                                            "assignee": t.member.id}))["request"]
    low = (await ok(server, t.member, "POST", base, json={"subject": "Idea", "priority": "low"}))["request"]
    queue = await ok(server, t.member, "GET", base)
    assert [r["id"] for r in queue["requests"]] == [urgent["id"], low["id"]] and queue["counts"] == {"new": 2}
    assert [r["id"] for r in (await ok(server, t.member, "GET", base, params={"unassigned": "true"}))["requests"]] == [
        low["id"]]
    assert [r["id"] for r in (await ok(server, t.member, "GET", base, params={"assignee": t.member.id}))[
        "requests"]] == [urgent["id"]]
    assert (await ok(server, t.member, "GET", base, params={"overdue": "true"}))["requests"] == []
    for body, field in (({"subject": "x", "priority": "asap"}, "priority"), ({"subject": ""}, "subject"),
                        ({"subject": "x", "contact": low["id"]}, "contact"),
                        ({"subject": "x", "assignee": t.workspace}, "assignee")):
        answer = await call(server, t.member, "POST", base, json=body)
        assert answer.status_code in (400, 422) and field in answer.text, (body, answer.text)
    settings = f"/api/workspaces/{t.workspace}/service-settings"
    assert (await call(server, t.member, "PUT", settings, json={"targets": {"low": 5}})).status_code == 403
    bad = await call(server, t.owner, "PUT", settings, json={"targets": {"low": -1}})
    assert bad.status_code == 422 and "targets.low" in bad.text
    changed = await ok(server, t.owner, "PUT", settings, json={"targets": {"low": 5}})
    assert changed["targets"] == {"urgent": 1, "high": 4, "normal": 24, "low": 5}
    later = (await ok(server, t.member, "POST", base, json={"subject": "Later", "priority": "low"}))["request"]
    made, due = datetime.fromisoformat(later["created_at"]), datetime.fromisoformat(later["due_at"])
    assert (due - made).total_seconds() == 5 * 3600
