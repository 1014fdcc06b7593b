"""Webhooks end to end (issue 16 item 5): real Postgres, the in-process worker running the
``webhook.deliver`` jobs, and a real HTTP receiver on 127.0.0.1 started by the test (so the
server runs with TANDEM_WEBHOOKS_ALLOW_PRIVATE=1, except where the guard itself is tested)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import Fernet

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.receiver import Receiver
from tests.support.servers import InProcessServer, WorkerProcess, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

KEY = Fernet.generate_key().decode()
MAX_FAILURES = 4


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", secret_key=KEY, webhooks_allow_private=True,
                            webhook_retry_seconds=0.2, webhook_retry_max_seconds=0.5,
                            webhook_max_failures=MAX_FAILURES, housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in headers["x-tandem-signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts["v1"], expected)


async def test_a_stage_change_delivers_a_signed_payload_and_the_secret_is_not_stored_in_clear(server, database_url):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/webhooks"
    async with Receiver() as receiver:
        made = await ok(server, t.owner, "POST", path, json={"url": receiver.url, "events": ["deal.stage_changed"]})
        secret = made["secret"]
        assert secret and made["enabled"] is True and made["events"] == ["deal.stage_changed"]
        listed = await ok(server, t.owner, "GET", path)
        assert [h["id"] for h in listed] == [made["id"]] and "secret" not in listed[0]
        assert (await call(server, t.member, "GET", path)).status_code == 403
        conn = await asyncpg.connect(database_url)
        try:
            stored = bytes(await conn.fetchval("SELECT secret FROM webhooks WHERE id = $1", UUID(made["id"])))
        finally:
            await conn.close()
        assert secret.encode() not in stored and Fernet(KEY.encode()).decrypt(stored) == secret.encode()

        [_, second, *_] = await stages(server, t.owner, t.workspace, t.board["id"])
        deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Signed"})
        await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards/{deal['id']}/move",
                 json={"stage": second["stage"]})
        await eventually(lambda: receiver.requests, timeout=30, what="the delivery")
        headers, body = receiver.requests[0]
        assert verify(secret, headers, body)
        assert not verify("whsec_wrong", headers, body)
        payload = json.loads(body)
        assert headers["x-tandem-event"] == payload["event"] == "deal.stage_changed"
        assert payload["workspace_id"] == t.workspace and payload["id"] and payload["occurred_at"]
        assert payload["data"]["id"] == deal["id"] and payload["data"]["to_stage_id"] == second["stage"]
        assert payload["data"]["title"] == "Signed" and payload["data"]["author_id"] == t.owner.id
        log = await eventually(lambda: ok(server, t.owner, "GET", f"{path}/{made['id']}/deliveries"), timeout=10)
        assert [(a["attempt"], a["status"], a["delivered"]) for a in log] == [(1, 204, True)]
        assert log[0]["delivery"] == headers["x-tandem-delivery"]


async def test_a_receiver_failing_three_times_gets_the_delivery_on_the_fourth_attempt(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/webhooks"
    async with Receiver(fail_first=3) as receiver:
        made = await ok(server, t.owner, "POST", path, json={"url": receiver.url, "events": ["contact.created"]})
        contact = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
                           json={"first_name": "Ada", "last_name": "Lovelace"})

        async def attempts() -> list[dict]:
            log = await ok(server, t.owner, "GET", f"{path}/{made['id']}/deliveries")
            return log if any(a["delivered"] for a in log) else []

        log = await eventually(attempts, timeout=30, what="the fourth attempt delivered")
        assert [(a["attempt"], a["status"], a["delivered"]) for a in reversed(log)] == [
            (1, 500, False), (2, 500, False), (3, 500, False), (4, 204, True)]
        assert log[-1]["response"] == "receiver says no" and log[-1]["error"]
        assert len({a["delivery"] for a in log}) == 1, "one delivery, tried four times"
        bodies = {body for _, body in receiver.requests}
        assert len(bodies) == 1 and json.loads(bodies.pop())["data"]["id"] == contact["id"]
        hook = (await ok(server, t.owner, "GET", path))[0]
        assert (hook["enabled"], hook["failures"]) == (True, 0)


async def test_failures_in_a_row_disable_the_subscription_with_an_audit_event(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/webhooks"
    async with Receiver(fail_first=1_000) as receiver:
        made = await ok(server, t.owner, "POST", path, json={"url": receiver.url, "events": ["organisation.created"]})
        await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/organisations", json={"name": "Acme"})

        async def disabled() -> dict | None:
            hook = (await ok(server, t.owner, "GET", path))[0]
            return hook if not hook["enabled"] else None

        hook = await eventually(disabled, timeout=30, what="the subscription disabled")
        assert hook["failures"] == MAX_FAILURES and "failed deliveries in a row" in hook["disabled_reason"]
        log = await ok(server, t.owner, "GET", f"{path}/{made['id']}/deliveries")
        assert len(log) == MAX_FAILURES and not any(a["delivered"] for a in log)
        audit = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/audit")
        assert "webhook.disabled" in [e["event"] for e in audit]
        enabled = await ok(server, t.owner, "PATCH", f"{path}/{made['id']}", json={"enabled": True})
        assert (enabled["enabled"], enabled["failures"], enabled["disabled_reason"]) == (True, 0, None)
        assert (await call(server, t.owner, "DELETE", f"{path}/{made['id']}")).status_code == 204
        assert await ok(server, t.owner, "GET", path) == []


async def test_a_private_receiver_is_refused_unless_allowed(database_url):
    async with in_process_server(settings_for(database_url, **AUTH, secret_key=KEY)) as strict:
        t = await team(strict.http_url)
        path = f"/api/workspaces/{t.workspace}/webhooks"
        for url in ("http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.1.2.3/", "http://169.254.169.254/",
                    "http://[::ffff:127.0.0.1]/", "http://localhost:8000/"):
            refused = await call(strict, t.owner, "POST", path, json={"url": url, "events": ["deal.won"]})
            assert refused.status_code == 422, (url, refused.text)
            assert "TANDEM_WEBHOOKS_ALLOW_PRIVATE" in refused.text
        for body in ({"url": "ftp://example.com/", "events": ["deal.won"]},
                     {"url": "https://example.com/", "events": ["deal.exploded"]}):
            assert (await call(strict, t.owner, "POST", path, json=body)).status_code == 400
        assert await ok(strict, t.owner, "GET", path) == []


async def test_deal_contact_and_note_events_carry_their_data_and_changes(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/webhooks"
    board = t.board["id"]
    events = ["deal.created", "deal.updated", "deal.won", "contact.updated", "contact.deleted", "note.created"]
    async with Receiver() as receiver:
        await ok(server, t.owner, "POST", path, json={"url": receiver.url, "events": events})
        contact = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
                           json={"first_name": "Ada", "last_name": "Byron"})  # contact.created: not subscribed
        deal = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Engines"})
        # Changes within one projection run (~0.1 s) come as one event: the deal is created first.
        await eventually(lambda: any(b"deal.created" in body for _, body in receiver.requests), timeout=30)
        await ok(server, t.owner, "PATCH", f"/api/boards/{board}/cards/{deal['id']}", json={"title": "Analytical engines"})
        await ok(server, t.owner, "POST", f"/api/boards/{board}/cards/{deal['id']}/status", json={"status": "won"})
        await ok(server, t.owner, "PATCH", f"/api/contacts/{contact['id']}", json={"last_name": "Lovelace"})
        note = await ok(server, t.owner, "POST", "/api/notes", json={
            "subject_kind": "contact", "subject_id": contact["id"], "board": board, "title": "Met at the salon"})
        assert (await call(server, t.owner, "DELETE", f"/api/contacts/{contact['id']}")).status_code == 204

        def received() -> dict[str, list[dict]]:
            got: dict[str, list[dict]] = {}
            for _, body in receiver.requests:
                payload = json.loads(body)
                got.setdefault(payload["event"], []).append(payload["data"])
            return got if {"deal.updated", "deal.won", "contact.deleted", "note.created"} <= set(got) else {}

        got = await eventually(received, timeout=30, what="the events")
        assert "contact.created" not in got
        assert got["deal.created"][0]["id"] == deal["id"]
        titles = [d["changes"]["title"] for d in got["deal.updated"] if "title" in d["changes"]]
        assert {"old": "Engines", "new": "Analytical engines"} in titles
        assert got["deal.won"][0]["status"] == "won" and got["deal.won"][0]["old_status"] == "open"
        assert got["contact.updated"][0]["changes"] == {"last_name": {"old": "Byron", "new": "Lovelace"}}
        assert got["contact.deleted"][0]["id"] == contact["id"]
        assert got["note.created"][0]["id"] == note["id"] and got["note.created"][0]["title"] == "Met at the salon"


async def test_a_worker_process_configured_by_the_environment_delivers_with_the_shared_key(database_url):
    """The Procfile's layout: a web process that runs no jobs and a ``python -m server worker``,
    both given TANDEM_SECRET_KEY; the worker reads the webhook settings from its environment."""
    settings = settings_for(database_url, **AUTH, worker="off", secret_key=KEY, webhooks_allow_private=True)
    async with in_process_server(settings) as web, Receiver(fail_first=1) as receiver:
        worker = await WorkerProcess(database_url, TANDEM_SECRET_KEY=KEY, TANDEM_WEBHOOKS_ALLOW_PRIVATE="1",
                                     TANDEM_WEBHOOK_RETRY_SECONDS="0.2", TANDEM_HOUSEKEEPING_CRON="").start()
        try:
            t = await team(web.http_url)
            path = f"/api/workspaces/{t.workspace}/webhooks"
            made = await ok(web, t.owner, "POST", path, json={"url": receiver.url, "events": ["organisation.created"]})
            await ok(web, t.owner, "POST", f"/api/workspaces/{t.workspace}/organisations", json={"name": "Initech"})
            await eventually(lambda: len(receiver.requests) >= 2, timeout=30, what="the retried delivery")
            headers, body = receiver.requests[-1]
            assert verify(made["secret"], headers, body) and json.loads(body)["data"]["name"] == "Initech"
        finally:
            assert await worker.terminate() == 0


async def test_a_merge_sends_the_survivor_updated_and_the_others_deleted_with_where_they_went(server):
    t = await team(server.http_url)
    async with Receiver() as receiver:
        await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/webhooks",
                 json={"url": receiver.url, "events": ["contact.updated", "contact.deleted"]})
        contacts = f"/api/workspaces/{t.workspace}/contacts"
        kept = await ok(server, t.owner, "POST", contacts, json={"first_name": "Ada", "last_name": "Lovelace"})
        twin = await ok(server, t.owner, "POST", contacts, json={"first_name": "Ada", "last_name": "Lovelace",
                                                                 "emails": ["ada@example.com"]})
        await ok(server, t.owner, "POST", f"/api/contacts/{kept['id']}/merge", json={"merge": [twin["id"]]})

        def received() -> dict[str, dict]:
            got = {json.loads(b)["event"]: json.loads(b)["data"] for _, b in receiver.requests}
            return got if len(got) == 2 else {}

        got = await eventually(received, timeout=30, what="both events")
        assert got["contact.deleted"]["id"] == twin["id"] and got["contact.deleted"]["merged_into"] == kept["id"]
        assert got["contact.updated"]["id"] == kept["id"]
        assert got["contact.updated"]["changes"]["emails"] == {"old": [], "new": ["ada@example.com"]}


async def test_activities_send_created_and_updated(server):
    t = await team(server.http_url)
    board = t.board["id"]
    async with Receiver() as receiver:
        await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/webhooks",
                 json={"url": receiver.url, "events": ["activity.created", "activity.updated"]})
        activity = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                            json={"type": "call", "title": "Call Ada"})
        await eventually(lambda: receiver.requests, timeout=30, what="activity.created")
        await ok(server, t.owner, "PATCH", f"/api/boards/{board}/activities/{activity['id']}", json={"done": True})
        await eventually(lambda: len(receiver.requests) >= 2, timeout=30, what="activity.updated")
        created, updated = (json.loads(b) for _, b in receiver.requests[:2])
        assert (created["event"], created["data"]["id"], created["data"]["title"]) == (
            "activity.created", activity["id"], "Call Ada")
        assert created["data"]["board_id"] == board
        assert updated["event"] == "activity.updated" and updated["data"]["changes"]["done"] == {"old": False, "new": True}
