"""The later automation triggers and actions (issue 16 items 2-4): field_changed on the title and
on custom fields (one merged run per burst), contact_created / organisation_created (fired with the
record, conditions on its fields), the sweep's triggers — deal_idle (once per idle stretch),
activity_due / activity_overdue (once per activity), schedule (once per tick) — create_task's
round robin and call_webhook (signed, the receiver's status kept, retried by the queue).

Real Postgres; one server for the module whose in-process worker runs the automation jobs (edits
settle for a second: a burst typed over a loaded machine stays one burst), with a
real HTTP receiver on 127.0.0.1 (so TANDEM_WEBHOOKS_ALLOW_PRIVATE=1). The cron sweep is off here:
each test runs ``AutomationRunner.sweep`` itself (twice, where it shows a second sweep adds
nothing) and the server's worker runs the ``automation.fire`` jobs it queues.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from cryptography.fernet import Fernet

from server.services.automation_runner import AutomationRunner
from server.storage.unit import transactions
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.receiver import Receiver
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually
from tests.integration.test_webhooks import verify

pytestmark = pytest.mark.timeout(120)
KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", automation_settle_seconds=1.0, secret_key=KEY,
                            webhooks_allow_private=True, automation_sweep_cron="", housekeeping_cron="",
                            job_retry_seconds=0.2, job_retry_max_seconds=0.5)
    async with in_process_server(settings) as running:
        yield running


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(check, timeout=30.0, every=0.1, what=what)


async def drained(server: InProcessServer) -> bool:
    async with server.services.pool.acquire() as conn:
        return not await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint LIKE 'automation.%'")


async def finished(server: InProcessServer, who, rule: dict, count: int = 1) -> list[dict]:
    runs = [r for r in await ok(server, who, "GET", rule["runs"]) if r["status"] not in ("running", "waiting")]
    return runs if len(runs) >= count else []


async def sweep(server: InProcessServer, limit: int = 500) -> None:
    services = server.services
    await AutomationRunner(transactions(services.pool), services.rooms, services.projector,
                           sweep_limit=limit).sweep({})


async def sql(server: InProcessServer, query: str, *args: Any) -> Any:
    async with server.services.pool.acquire() as conn:
        return await conn.execute(query, *args)


async def made_earlier(server: InProcessServer, rule: dict, days: float = 1) -> None:
    """The rule as if made ``days`` ago: the sweep fires only what happens after a rule exists."""
    await sql(server, "UPDATE automation_rules SET created_at = now() - make_interval(secs => $2) WHERE id = $1",
              UUID(rule["id"]), days * 86400)


async def test_a_title_typed_in_a_burst_makes_one_field_changed_run_with_the_merged_before_and_after(server):
    t = await team(server.http_url)
    rule = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
        "name": "Renamed", "trigger": {"type": "field_changed", "board": t.board["id"], "field": "title"},
        "actions": [{"type": "add_label", "label": "renamed"}]})
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "A"})
    for typed in ("Ac", "Acm", "Acme", "Acme Corp"):
        await ok(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"title": typed})
    [run] = await until(lambda: finished(server, t.owner, rule), "the run")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", rule["runs"])) == 1
    assert run["status"] == "succeeded", run
    assert (run["trigger"]["field"], run["trigger"]["from"], run["trigger"]["to"]) == ("title", "A", "Acme Corp")


async def test_a_deal_custom_field_change_fires_the_rule_watching_that_field_by_id(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    tier = await ok(server, t.owner, "POST", f"{base}/custom-fields", json={
        "entity": "deal", "key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]})
    other = await ok(server, t.owner, "POST", f"{base}/custom-fields", json={
        "entity": "deal", "key": "source", "label": "Source", "type": "text"})
    contact_field = await ok(server, t.owner, "POST", f"{base}/custom-fields", json={
        "entity": "contact", "key": "vip", "label": "VIP", "type": "bool"})
    trigger = {"type": "field_changed", "board": t.board["id"], "field": f"custom:{tier['id']}", "to": "gold"}
    rule = await ok(server, t.owner, "POST", f"{base}/automations", json={
        "name": "Gold", "trigger": trigger, "actions": [{"type": "add_label", "label": "gold"}]})
    refused = await call(server, t.owner, "POST", f"{base}/automations", json={
        "name": "Not a deal field", "trigger": {**trigger, "field": f"custom:{contact_field['id']}"},
        "actions": [{"type": "add_label", "label": "x"}]})
    assert refused.status_code == 422 and refused.json()["field"] == "trigger.field", refused.text
    cards = f"/api/boards/{t.board['id']}/cards"
    deal = await ok(server, t.owner, "POST", cards, json={"title": "Tiered", "fields": {"tier": "silver"}})
    await ok(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"fields": {"source": "web"}})
    await ok(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"fields": {"tier": "gold"}})
    [run] = await until(lambda: finished(server, t.owner, rule), "the run")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", rule["runs"])) == 1
    assert (run["status"], run["trigger"]["from"], run["trigger"]["to"]) == ("succeeded", "silver", "gold"), run
    assert run["trigger"]["field"] == f"custom:{tier['id']}" and other["id"] not in json.dumps(run)


async def test_a_contact_made_by_hand_fires_contact_created_when_its_conditions_hold_an_import_does_not(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    rule = await ok(server, t.owner, "POST", f"{base}/automations", json={
        "name": "Greet CEOs", "trigger": {"type": "contact_created"},
        "conditions": [{"field": "job_title", "op": "contains", "value": "ceo"}],
        "actions": [{"type": "notify", "user": t.member.id, "message": "New: {{contact.first_name}}"}]})
    org_rule = await ok(server, t.owner, "POST", f"{base}/automations", json={
        "name": "New company", "trigger": {"type": "organisation_created"},
        "actions": [{"type": "notify", "user": t.member.id, "message": "Company {{organisation.name}}"}]})
    refused = await call(server, t.owner, "POST", f"{base}/automations", json={
        "name": "No deal", "trigger": {"type": "contact_created"},
        "actions": [{"type": "add_label", "label": "x"}]})
    assert refused.status_code == 422 and refused.json()["field"] == "actions[0].type", refused.text
    await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Bea", "job_title": "Intern"})
    ceo = await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Ada", "job_title": "CEO"})
    response = await call(server, t.owner, "POST", f"{base}/import/contacts",
                          content=b"first_name,job_title\nImported,CEO\n", headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Initech"})
    [run] = await until(lambda: finished(server, t.owner, rule), "the contact's run")
    [org_run] = await until(lambda: finished(server, t.owner, org_rule), "the organisation's run")
    await until(lambda: drained(server), "the queue to drain")
    assert [r["inputs"]["contact"]["first_name"] for r in await ok(server, t.owner, "GET", rule["runs"])] == ["Ada"]
    assert run["status"] == "succeeded" and run["inputs"]["contact"]["id"] == ceo["id"], run
    assert run["results"][0]["result"]["message"] == "New: Ada"
    assert org_run["results"][0]["result"]["message"] == "Company Initech", org_run
    told = await ok(server, t.member, "GET", "/api/me/notifications")
    messages = [n["message"] for n in told["notifications"]]
    assert "New: Ada" in messages and "Company Initech" in messages


async def test_an_idle_deal_fires_once_per_idle_stretch(server):
    t = await team(server.http_url)
    board = t.board["id"]
    rule = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
        "name": "Stale", "trigger": {"type": "deal_idle", "board": board, "days": 3},
        "actions": [{"type": "add_label", "label": "stale"}]})
    cards = f"/api/boards/{board}/cards"
    quiet = await ok(server, t.owner, "POST", cards, json={"title": "Quiet", "value": 1})
    busy = await ok(server, t.owner, "POST", cards, json={"title": "Busy", "value": 1})
    await until(lambda: drained(server), "the new deals projected")

    async def age(card: dict, days: float) -> None:
        """The history of ``card`` as if it happened ``days`` ago (history is never rewritten, unlike
        the projected deal, which its document's next projection sets back)."""
        await sql(server, "UPDATE card_events SET at = now() - make_interval(secs => $2) WHERE card_id = $1",
                  UUID(card["id"]), days * 86400)

    for deal in (quiet, busy):
        await until(lambda: _events_of(server, deal), "the deal's history")
    await age(quiet, 5)
    await age(busy, 1)
    await asyncio.gather(sweep(server), sweep(server))  # two workers sweeping at once: one run
    [run] = await until(lambda: finished(server, t.owner, rule), "the idle run")
    await sweep(server)  # the same stretch: nothing more
    await until(lambda: drained(server), "the queue to drain")
    assert [r["inputs"]["title"] for r in await ok(server, t.owner, "GET", rule["runs"])] == ["Quiet"]
    assert run["status"] == "succeeded" and run["trigger"]["days"] == 3, run

    # a change starts a new stretch: once that is 3 days old too, the rule fires again
    await ok(server, t.owner, "PATCH", f"{cards}/{quiet['id']}", json={"value": 2})
    await until(lambda: _events_of(server, quiet, 2), "the change recorded")
    await sweep(server)
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", rule["runs"])) == 1, "not idle yet"
    await age(quiet, 4)
    await sweep(server)
    runs = await until(lambda: finished(server, t.owner, rule, 2), "the second stretch's run")
    assert [r["inputs"]["title"] for r in runs] == ["Quiet", "Quiet"]


async def test_a_sweep_fires_at_most_its_limit_per_rule_and_the_next_sweep_the_rest(server):
    t = await team(server.http_url)
    board = t.board["id"]
    rule = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
        "name": "Stale", "trigger": {"type": "deal_idle", "board": board, "days": 1},
        "actions": [{"type": "add_label", "label": "stale"}]})
    deals = [await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": f"Old {i}"})
             for i in range(3)]
    for deal in deals:
        await until(lambda: _events_of(server, deal), "the deal's history")
        await sql(server, "UPDATE card_events SET at = now() - interval '2 days' WHERE card_id = $1", UUID(deal["id"]))
    await sweep(server, limit=2)
    await until(lambda: finished(server, t.owner, rule, 2), "two runs")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", rule["runs"])) == 2, "the limit held"
    await sweep(server, limit=2)  # the two that ran are known: the third comes now
    runs = await until(lambda: finished(server, t.owner, rule, 3), "the third run")
    assert sorted(r["inputs"]["title"] for r in runs) == ["Old 0", "Old 1", "Old 2"]


async def _events_of(server: InProcessServer, card: dict, count: int = 1) -> bool:
    async with server.services.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM card_events WHERE card_id = $1", UUID(card["id"])) >= count


async def test_activities_due_soon_and_overdue_fire_once_each_telling_the_assignee(server):
    t = await team(server.http_url)
    board = t.board["id"]
    base = f"/api/workspaces/{t.workspace}/automations"
    soon = await ok(server, t.owner, "POST", base, json={
        "name": "Call soon", "trigger": {"type": "activity_due", "board": board, "activity_type": "call",
                                         "before_minutes": 30},
        "actions": [{"type": "notify", "user": "activity_assignee", "message": "Soon: {{activity.title}}"}]})
    late = await ok(server, t.owner, "POST", base, json={
        "name": "Overdue", "trigger": {"type": "activity_overdue", "board": board},
        "actions": [{"type": "add_label", "label": "overdue"},
                    {"type": "notify", "user": "activity_assignee", "message": "Late: {{activity.title}}"}]})
    for rule in (soon, late):
        await made_earlier(server, rule)
    now = datetime.now(timezone.utc)
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Prospect"})
    activities = f"/api/boards/{board}/activities"
    due = lambda minutes: (now + timedelta(minutes=minutes)).isoformat()  # noqa: E731
    await ok(server, t.owner, "POST", activities, json={"type": "call", "title": "Ring Ada", "due": due(20),
                                                        "assignee": t.member.id})
    await ok(server, t.owner, "POST", activities, json={"type": "meeting", "title": "Demo", "due": due(20)})
    await ok(server, t.owner, "POST", activities, json={"type": "call", "title": "Later", "due": due(120)})
    await ok(server, t.owner, "POST", activities, json={"type": "todo", "title": "Send offer", "due": due(-60),
                                                        "card": deal["id"], "assignee": t.member.id})
    done = await ok(server, t.owner, "POST", activities, json={"type": "todo", "title": "Done", "due": due(-60)})
    await ok(server, t.owner, "PATCH", f"{activities}/{done['id']}", json={"done": True})

    async def projected() -> bool:
        async with server.services.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FILTER (WHERE done) = 1 AND count(*) = 5 FROM activities "
                                       "WHERE board_id = $1", UUID(board))

    await until(projected, "the activities projected")
    await sweep(server)
    await sweep(server)
    [soon_run] = await until(lambda: finished(server, t.owner, soon), "the due run")
    [late_run] = await until(lambda: finished(server, t.owner, late), "the overdue run")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", soon["runs"])) == 1
    assert len(await ok(server, t.owner, "GET", late["runs"])) == 1
    assert soon_run["inputs"]["activity"]["title"] == "Ring Ada", soon_run
    assert soon_run["results"][0]["result"]["user"] == t.member.id
    assert late_run["status"] == "succeeded" and late_run["inputs"]["title"] == "Prospect", late_run
    assert [r["type"] for r in late_run["results"]] == ["add_label", "notify"]

    async def labels() -> list[str]:
        async with server.services.pool.acquire() as conn:
            found = await conn.fetchval("SELECT labels FROM deals WHERE card_id = $1", UUID(deal["id"]))
        return found if found and "overdue" in found else []

    assert await until(labels, "the label on the activity's deal") == ["overdue"]


async def test_a_schedule_calls_a_webhook_once_per_tick_signed_and_retried_until_it_answers(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/automations"
    refused = await call(server, t.owner, "POST", base, json={
        "name": "Bad", "trigger": {"type": "schedule", "cron": "0 25 * * *"},
        "actions": [{"type": "notify", "user": t.member.id, "message": "x"}]})
    assert refused.status_code == 422 and refused.json()["field"] == "trigger.cron", refused.text
    async with Receiver(fail_first=2) as receiver:
        rule = await ok(server, t.owner, "POST", base, json={
            "name": "Every minute", "trigger": {"type": "schedule", "cron": "* * * * *"},
            "actions": [{"type": "call_webhook", "url": receiver.url, "payload": {"report": "weekly"}}]})
        secret = rule["signing_secret"]
        assert secret and (await ok(server, t.owner, "GET", f"{base}/{rule['id']}"))["signing_secret"] is None
        await made_earlier(server, rule)
        await sweep(server)
        await sweep(server)
        async def delivered() -> list[dict]:
            return [r for r in await ok(server, t.owner, "GET", rule["runs"]) if r["status"] == "succeeded"]

        [run] = await until(delivered, "the queue's retries to deliver")
        await until(lambda: drained(server), "the queue to drain")
        assert run["results"][0]["result"]["status"] == 204
        assert len(receiver.requests) == 3, "two failures, then delivered"
        headers, body = receiver.requests[-1]
        assert verify(secret, headers, body) and not verify("whsec_wrong", headers, body)
        sent = json.loads(body)
        assert sent["event"] == headers["x-tandem-event"] == "automation.schedule"
        assert sent["data"]["payload"] == {"report": "weekly"} and sent["data"]["rule"]["id"] == rule["id"]
        assert len({h["x-tandem-delivery"] for h, _ in receiver.requests}) == 1, "one delivery id for its retries"
        assert len(await ok(server, t.owner, "GET", rule["runs"])) == 1

        renewed = await ok(server, t.owner, "POST", f"{base}/{rule['id']}/signing-secret")
        assert renewed["signing_secret"] not in (None, secret)
        assert (await call(server, t.member, "POST", f"{base}/{rule['id']}/signing-secret")).status_code == 403


async def test_round_robin_tasks_rotate_over_the_named_members(server):
    t = await team(server.http_url)
    board = t.board["id"]
    base = f"/api/workspaces/{t.workspace}/automations"
    rotation = [t.owner.id, t.member.id]
    rule = await ok(server, t.owner, "POST", base, json={
        "name": "Share the calls", "trigger": {"type": "deal_created", "board": board},
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": {"round_robin": rotation}}]})
    refused = await call(server, t.owner, "POST", base, json={
        "name": "Stranger", "trigger": {"type": "deal_created", "board": board},
        "actions": [{"type": "create_task", "title": "x",
                     "assignee": {"round_robin": [t.owner.id, "00000000-0000-4000-8000-000000000000"]}}]})
    assert refused.status_code == 422 and refused.json()["field"] == "actions[0].assignee.round_robin[1]"
    for title in ("One", "Two", "Three"):
        await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": title})
    runs = await until(lambda: finished(server, t.owner, rule, 3), "three runs")
    await until(lambda: drained(server), "the queue to drain")
    chosen = sorted((r["results"][0]["result"]["title"], r["results"][0]["result"]["assignee"]) for r in runs)
    assignees = [assignee for _, assignee in chosen]
    assert sorted(assignees) == sorted([*rotation, rotation[0]]) or sorted(assignees) == sorted(
        [*rotation, rotation[1]]), chosen  # fair: each once, one of them twice
    assert set(assignees) == set(rotation)


async def test_a_contact_rule_that_waits_continues_with_the_contact_it_started_with(server):
    """The continuation (queued with the wait's delay, an hour) is run directly, twice."""
    from server.services.automation_runner import RESUME
    from server.storage.jobs import PostgresJobs

    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    rule = await ok(server, t.owner, "POST", f"{base}/automations", json={
        "name": "Follow up", "trigger": {"type": "contact_created"},
        "actions": [{"type": "wait", "hours": 1},
                    {"type": "notify", "user": t.member.id, "message": "An hour since {{contact.first_name}}"}]})
    await ok(server, t.member, "POST", f"{base}/contacts", json={"first_name": "Grace"})

    async def waiting() -> list:
        return [r for r in await ok(server, t.owner, "GET", rule["runs"]) if r["status"] == "waiting"]

    await until(waiting, "the run to wait")
    async with server.services.pool.acquire() as conn:
        [job] = [j for j in await PostgresJobs(conn).waiting(RESUME) if j.payload["rule"] == rule["id"]]
    services = server.services
    runner = AutomationRunner(transactions(services.pool), services.rooms, services.projector)
    await runner.resume(job.payload)
    await runner.resume(job.payload)
    [done] = await ok(server, t.owner, "GET", rule["runs"])
    assert done["status"] == "succeeded" and [r["type"] for r in done["results"]] == ["wait", "notify"], done
    told = await ok(server, t.member, "GET", "/api/me/notifications")
    assert [n["message"] for n in told["notifications"]] == ["An hour since Grace"]


async def test_call_webhook_to_a_private_address_is_refused_when_private_receivers_are_not_allowed(server):
    """The SSRF guard runs at each call: a runner whose policy refuses private addresses (the
    default) fails the action with the reason, and nothing reaches the receiver."""
    from server.outbound import HttpReceivers
    from server.sealing import FernetSealer
    from server.services.automation_runner import Webhooks
    from server.services.webhooks import Policy

    t = await team(server.http_url)
    async with Receiver() as receiver:
        rule = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
            "name": "Inside", "trigger": {"type": "schedule", "cron": "0 9 * * 1"},
            "actions": [{"type": "call_webhook", "url": receiver.url}]})
        services = server.services
        strict = AutomationRunner(transactions(services.pool), services.rooms, services.projector,
                                  webhooks=Webhooks(FernetSealer(KEY), HttpReceivers(), Policy(allow_private=False)))
        with pytest.raises(Exception, match="TANDEM_WEBHOOKS_ALLOW_PRIVATE"):
            await strict.fire({"rule": rule["id"], "event": "schedule:test", "trigger": "schedule", "facts": {},
                               "workspace": t.workspace, "board": None, "depth": 0})
        [run] = await ok(server, t.owner, "GET", rule["runs"])
        assert run["status"] == "failed" and "TANDEM_WEBHOOKS_ALLOW_PRIVATE" in run["error"], run
        assert receiver.requests == []
