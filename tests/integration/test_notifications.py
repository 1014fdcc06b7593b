"""In-app notifications (issue 16 item 2): a rule's notify action tells the deal's owner once, with
its message templated; a rerun of the action (a retried job) adds none; a user lists, counts and
marks read only their own — another user's notification answers 404 like one that does not exist.
A wait action stops the run ('waiting') and queues its continuation with the wait's delay; the
continuation runs the next action, once.

Real Postgres; one server whose in-process worker runs the automation jobs, settling for 0.3 s.
Every wait is on a condition, with a deadline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

MINE = "/api/me/notifications"


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", automation_settle_seconds=0.3)
    async with in_process_server(settings) as running:
        yield running


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(check, timeout=30.0, every=0.1, what=what)


async def world(server: InProcessServer):
    t = await team(server.http_url)
    # the member owns the deals here, and an owner follows their deal: these tests count the rule's
    # messages alone, so the member's followed-deal notifications are off (docs/notifications.md)
    await ok(server, t.member, "PUT", "/api/me/notification-settings", json={"channels": {"deal_changed": "off"}})
    columns = await stages(server, t.owner, t.workspace, t.board["id"])
    return t, [c["stage"] for c in columns], f"/api/workspaces/{t.workspace}/automations"


async def test_a_notify_rule_tells_the_deals_owner_once_and_only_they_read_it(server):
    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Tell the owner", "trigger": {"type": "deal_stage_entered", "board": t.board["id"],
                                              "stage": qualified},
        "actions": [{"type": "notify", "user": "deal_owner", "message": "{{deal.title}} is qualified"}]})
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Acme", "owner": t.member.id})
    await ok(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})

    async def told() -> list:
        return (await ok(server, t.member, "GET", MINE))["notifications"]

    [note] = await until(told, "the member's notification")
    assert (note["message"], note["card_id"], note["board_id"], note["workspace_id"], note["read_at"]) == (
        "Acme is qualified", deal["id"], t.board["id"], t.workspace, None)
    assert (await ok(server, t.member, "GET", MINE))["unread"] == 1
    [run] = await ok(server, t.owner, "GET", rule["runs"])
    assert run["results"][0]["result"]["notification"] == note["id"]

    theirs = await ok(server, t.owner, "GET", MINE)
    assert note["id"] not in [n["id"] for n in theirs["notifications"]]
    for stranger_path in (f"{MINE}/{note['id']}/read", f"{MINE}/{uuid4()}/read"):
        refused = await call(server, t.owner, "POST", stranger_path)
        assert refused.status_code == 404, refused.text
    assert (await ok(server, t.member, "GET", MINE))["unread"] == 1, "another user's attempt marked nothing"

    await ok(server, t.member, "POST", f"{MINE}/{note['id']}/read")
    listed = await ok(server, t.member, "GET", MINE)
    assert listed["unread"] == 0 and listed["notifications"][0]["read_at"] is not None
    assert (await ok(server, t.member, "POST", f"{MINE}/read"))["marked"] == 0
    assert (await call(server, None, "GET", MINE)).status_code == 401

    await ok(server, t.owner, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.member.id}")
    assert (await ok(server, t.member, "GET", MINE))["notifications"] == [], "a removed member keeps none of its"


async def test_a_rerun_of_the_notify_action_adds_no_second_notification(server):
    from server.services.automation_runner import AutomationRunner
    from server.storage.unit import transactions

    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Tell the member", "trigger": {"type": "deal_stage_entered", "board": t.board["id"],
                                               "stage": qualified},
        "actions": [{"type": "notify", "user": t.member.id, "message": "Look at {{deal.title}}"}]})
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                    json={"title": "Initech", "stage": qualified})
    services = server.services
    runner = AutomationRunner(transactions(services.pool), services.rooms, services.projector, settle=0)
    payload = {"event": str(uuid4()), "workspace": t.workspace, "board": t.board["id"], "card": deal["id"],
               "kind": "moved", "before": lead, "depth": 0, "rule": None, "author": None}
    await runner.handle(payload)
    async with services.pool.acquire() as conn:  # as if applied but never recorded: the worker died
        await conn.execute("UPDATE automation_runs SET results = '[]', status = 'running' WHERE rule_id = $1",
                           UUID(rule["id"]))
    await runner.handle(payload)
    runs = await ok(server, t.owner, "GET", rule["runs"])
    mine = [r for r in runs if r["trigger"]["event"] == payload["event"]]
    assert len(mine) == 1 and mine[0]["status"] == "succeeded", runs
    assert mine[0]["results"][0]["result"].get("already") is True
    listed = await ok(server, t.member, "GET", MINE)
    assert [n["message"] for n in listed["notifications"]].count("Look at Initech") == 1


async def test_notify_names_the_field_it_refuses(server):
    t, [lead, qualified, *_], path = await world(server)
    trigger = {"type": "deal_stage_entered", "board": t.board["id"], "stage": qualified}
    for action, field in (({"type": "notify", "user": "deal_owner"}, "actions[0].message"),
                          ({"type": "notify", "user": "someone", "message": "x"}, "actions[0].user"),
                          ({"type": "notify", "user": str(uuid4()), "message": "x"}, "actions[0].user")):
        refused = await call(server, t.owner, "POST", path, json={"name": "n", "trigger": trigger,
                                                                   "actions": [action]})
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.text


async def test_a_wait_stops_the_run_and_its_continuation_runs_the_next_action(server):
    """The continuation is queued with the wait's delay (two hours); the test runs it directly."""
    from server.services.automation_runner import RESUME, AutomationRunner
    from server.storage.unit import transactions

    t, [lead, qualified, *_], path = await world(server)
    rule = await ok(server, t.owner, "POST", path, json={
        "name": "Remind later", "trigger": {"type": "deal_stage_entered", "board": t.board["id"],
                                            "stage": qualified},
        "actions": [{"type": "wait", "hours": 2},
                    {"type": "notify", "user": "deal_owner", "message": "Two hours on {{deal.title}}"}]})
    assert rule["actions"][0] == {"type": "wait", "hours": 2}
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Globex", "owner": t.member.id})
    await ok(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})

    async def waiting() -> list:
        return [r for r in await ok(server, t.owner, "GET", rule["runs"]) if r["status"] == "waiting"]

    [run] = await until(waiting, "the run to wait")
    assert run["finished_at"] is None and [r["type"] for r in run["results"]] == ["wait"]
    services = server.services
    async with services.pool.acquire() as conn:
        from server.storage.jobs import PostgresJobs
        queued = [j for j in await PostgresJobs(conn).waiting(RESUME) if j.payload["rule"] == rule["id"]]
    [job] = queued
    assert job.payload["resume"] == 1 and job.payload["card"] == deal["id"]
    assert (job.run_after - datetime.now(timezone.utc)).total_seconds() > 3600, "queued for the wait's delay"
    assert (await ok(server, t.member, "GET", MINE))["notifications"] == [], "nothing before the wait ends"

    runner = AutomationRunner(transactions(services.pool), services.rooms, services.projector, settle=0)
    await runner.handle(dict(job.payload["event"]))  # the event's job again (a retry): it still waits
    assert (await ok(server, t.owner, "GET", rule["runs"]))[0]["status"] == "waiting"
    await runner.resume(job.payload)
    await runner.resume(job.payload)  # run twice (a retried continuation): nothing more
    [done] = await ok(server, t.owner, "GET", rule["runs"])
    assert done["status"] == "succeeded" and [r["type"] for r in done["results"]] == ["wait", "notify"], done
    [note] = (await ok(server, t.member, "GET", MINE))["notifications"]
    assert note["message"] == "Two hours on Globex"


async def test_a_wait_names_the_field_it_refuses(server):
    t, [lead, qualified, *_], path = await world(server)
    trigger = {"type": "deal_stage_entered", "board": t.board["id"], "stage": qualified}
    for action, field in (({"type": "wait"}, "actions[0].days"),
                          ({"type": "wait", "days": 1, "hours": 2}, "actions[0].days"),
                          ({"type": "wait", "hours": 0}, "actions[0].hours"),
                          ({"type": "wait", "days": "2"}, "actions[0].days")):
        refused = await call(server, t.owner, "POST", path, json={"name": "n", "trigger": trigger,
                                                                   "actions": [action, {"type": "add_label",
                                                                                        "label": "x"}]})
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.text
