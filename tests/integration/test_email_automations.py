"""E-mail triggers and the send_template action (issue 17 item 5) end to end: real Postgres, the
in-process worker, aiosmtpd on loopback as the system relay and a member's mailbox's SMTP server,
Dovecot as that mailbox's IMAP server. Opens and clicks go through the real tracking endpoints;
a reply arrives in Dovecot and is synced. Each event runs each rule once; a privacy proxy's open
runs nothing; a rule's own mail does not trigger it again; a missing merge field fails the run."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.dovecot import Dovecot
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(180)

SENDER = "crm@tandem.test"
KEY = Fernet.generate_key().decode()
PUBLIC = "http://tandem.test"


@pytest.fixture(scope="module")
async def relay() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def dovecot() -> AsyncIterator[Dovecot]:
    server = await Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def server(module_database_url: str, relay: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="on", smtp_url=relay.url, mail_from=SENDER,
                            secret_key=KEY, public_url=PUBLIC, job_retry_seconds=0.1, job_retry_max_seconds=0.2,
                            housekeeping_cron="", mailbox_poll_cron="", automation_sweep_cron="",
                            mailboxes_allow_private=True)
    async with in_process_server(settings) as running:
        yield running


async def until(check: Any, what: str) -> Any:
    return await eventually(check, timeout=30.0, every=0.1, what=what)


async def runs(server: InProcessServer, who, rule: dict, count: int = 1) -> list[dict]:
    done = [r for r in await ok(server, who, "GET", rule["runs"]) if r["status"] not in ("running", "waiting")]
    return done if len(done) >= count else []


async def drained(server: InProcessServer) -> bool:
    async with server.services.pool.acquire() as conn:
        return not await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint LIKE 'automation.%' OR entrypoint = 'mail.send'")


def arrived(sink: SmtpSink, subject: str) -> list:
    return [m for m in sink.messages if m["Subject"] == subject]


async def rule(server: InProcessServer, t, trigger: dict, actions: list[dict], **more: Any) -> dict:
    return await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations",
                    json={"name": f"On {trigger['type']}", "trigger": trigger, "actions": actions, **more})


def notify(t, message: str) -> dict:
    return {"type": "notify", "user": t.owner.id, "message": message}


async def hit(server: InProcessServer, url: str, agent: str = "Thunderbird/128") -> httpx.Response:
    path = url.removeprefix(PUBLIC)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        return await client.get(path, headers={"user-agent": agent})


async def tracked_mail(server: InProcessServer, relay: SmtpSink, t, contact: str, subject: str) -> tuple[dict, str]:
    sent = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/emails", json={
        "to": ["ada@globex.test"], "contact_id": contact, "subject": subject, "track": True,
        "body": '<p>See <a href="https://tandem.test/pricing">our prices</a></p>'})
    (mail,) = await until(lambda: arrived(relay, subject), "the tracked mail at the relay")
    return sent, mail.get_body(("html",)).get_content()


async def ada(server: InProcessServer, t, **values: Any) -> str:
    contact = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={
        "first_name": "Ada", "emails": ["ada@globex.test"], **values})
    return contact["id"]


async def test_a_person_opening_a_tracked_mail_runs_the_rule_once_and_a_privacy_proxy_runs_nothing(server, relay):
    t = await team(server.http_url)
    contact = await ada(server, t, last_name="Lovelace")
    opened = await rule(server, t, {"type": "email_opened"}, [notify(t, "{{contact.first_name}} opened it")],
                        conditions=[{"field": "first_name", "op": "equals", "value": "Ada"}])
    other = await rule(server, t, {"type": "email_opened"}, [notify(t, "never")],
                       conditions=[{"field": "first_name", "op": "equals", "value": "Bo"}])
    _, html = await tracked_mail(server, relay, t, contact, "Prices inside")
    pixel = re.search(r'<img src="([^"]+)"', html)[1]
    assert (await hit(server, pixel, "Mozilla/5.0 (via ggpht.com GoogleImageProxy)")).status_code == 200
    await until(lambda: drained(server), "the queue to drain")
    assert await ok(server, t.owner, "GET", opened["runs"]) == []  # Google's proxy fetching: not a person
    for _ in range(2):
        assert (await hit(server, pixel)).status_code == 200
    [run] = await until(lambda: runs(server, t.owner, opened), "the open's run")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", opened["runs"])) == 1  # opened twice: one event, one run
    assert run["status"] == "succeeded", run
    assert run["results"][0]["result"]["message"] == "Ada opened it"
    assert run["inputs"]["contact"]["id"] == contact
    assert await ok(server, t.owner, "GET", other["runs"]) == []  # its condition does not hold


async def test_a_click_runs_the_rules_whose_url_part_it_contains_once_per_link(server, relay):
    t = await team(server.http_url)
    contact = await ada(server, t)
    pricing = await rule(server, t, {"type": "link_clicked", "url_contains": "PRICING"}, [notify(t, "clicked")])
    careers = await rule(server, t, {"type": "link_clicked", "url_contains": "careers"}, [notify(t, "no")])
    _, html = await tracked_mail(server, relay, t, contact, "Our prices")
    link = re.search(r'<a href="([^"]+/t/c/[^"]+)"', html)[1]
    for _ in range(3):
        answer = await hit(server, link)
        assert answer.status_code == 302 and answer.headers["location"] == "https://tandem.test/pricing"
    [run] = await until(lambda: runs(server, t.owner, pricing), "the click's run")
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", pricing["runs"])) == 1
    assert run["trigger"]["url"] == "https://tandem.test/pricing" and run["trigger"]["subject"] == "Our prices"
    assert await ok(server, t.owner, "GET", careers["runs"]) == []


async def test_send_template_mails_the_contact_through_the_relay_and_its_own_mail_does_not_trigger_it(server, relay):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    contact = await ada(server, t, last_name="Lovelace")
    template = await ok(server, t.owner, "POST", f"{base}/email-templates", json={
        "name": "Thanks for looking", "locale": "en", "subject": "Thanks, {{ contact.first_name }}",
        "body": '<p>Dear {{ contact.first_name }} {{ contact.last_name }}, <a href="https://tandem.test/x">more</a></p>'})
    again = await rule(server, t, {"type": "link_clicked"},
                       [{"type": "send_template", "template": template["id"], "track": True}])
    watcher = await rule(server, t, {"type": "link_clicked"}, [notify(t, "clicked")])
    _, html = await tracked_mail(server, relay, t, contact, "Look here")
    assert (await hit(server, re.search(r'<a href="([^"]+/t/c/[^"]+)"', html)[1])).status_code == 302
    [run] = await until(lambda: runs(server, t.owner, again), "the send_template run")
    assert run["status"] == "succeeded", run
    (mail,) = await until(lambda: arrived(relay, "Thanks, Ada"), "the template mail at the relay")
    assert str(mail["From"]) == f"Owner via Tandem <{SENDER}>" and mail["To"] == "ada@globex.test"
    assert "Dear Ada Lovelace" in mail.get_body(("html",)).get_content()
    timeline = await ok(server, t.owner, "GET", f"/api/contacts/{contact}/timeline")
    assert any(e.get("title") == "Thanks, Ada" for e in timeline["items"]), timeline
    # A click in the rule's own mail is an event on the rule's own mail: it does not run the rule again.
    own = re.search(r'<a href="([^"]+/t/c/[^"]+)"', mail.get_body(("html",)).get_content())[1]
    assert (await hit(server, own)).status_code == 302
    await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", again["runs"])) == 1 and len(arrived(relay, "Thanks, Ada")) == 1
    # Another rule does run for it, one link further down the chain (the depth limit counts mail too).
    watched = await until(lambda: runs(server, t.owner, watcher, 2), "the other rule's two runs")
    assert sorted(r["depth"] for r in watched) == [0, 1]


async def test_send_template_with_a_merge_field_without_a_value_fails_the_run_naming_it_and_sends_nothing(server,
                                                                                                       relay):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    contact = await ada(server, t)  # no last name
    template = await ok(server, t.owner, "POST", f"{base}/email-templates", json={
        "name": "Formal", "locale": "en", "subject": "For {{ contact.last_name }}", "body": "<p>Hello</p>"})
    formal = await rule(server, t, {"type": "email_opened"}, [{"type": "send_template", "template": template["id"]}])
    _, html = await tracked_mail(server, relay, t, contact, "Formal hello")
    assert (await hit(server, re.search(r'<img src="([^"]+)"', html)[1])).status_code == 200
    [run] = await until(lambda: runs(server, t.owner, formal), "the refused run")
    await until(lambda: drained(server), "the queue to drain")
    assert run["status"] == "failed" and "contact.last_name" in run["error"], run
    assert [m for m in relay.messages if str(m["Subject"]).startswith("For ")] == []
    assert len(await ok(server, t.owner, "GET", formal["runs"])) == 1  # failed once, not retried into more


def reply(to: str, subject: str, parent: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Ada <ada@globex.test>", to, subject
    mail["Message-ID"], mail["In-Reply-To"], mail["References"] = "<r1@globex.test>", parent, parent
    mail.set_content("Sounds good")
    return bytes(mail)


async def test_a_synced_reply_to_mail_sent_from_tandem_runs_the_replied_rule_once_on_the_deal(server, dovecot,
                                                                                               database_url):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    user, password = dovecot.user()
    contact = await ada(server, t)
    deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                    json={"title": "Globex deal", "contact": contact})
    async with SmtpSink(credentials=(user, password)) as own, server.services.pool.acquire() as conn:
        box = await conn.fetchval(
            "INSERT INTO mailboxes (workspace_id, owner_id, address, imap_host, imap_port, imap_tls, smtp_host,"
            " smtp_port, smtp_tls, username, secret) VALUES ($1, $2, $3, $4, $5, 'none', '127.0.0.1', $6, 'none',"
            " $3, $7) RETURNING id", UUID(t.workspace), UUID(t.member.id), user, dovecot.host, dovecot.port,
            own.port, Fernet(KEY.encode()).encrypt(password.encode()))
        replied = await rule(server, t, {"type": "email_replied", "board": t.board["id"]},
                             [{"type": "add_label", "label": "replied"}])
        sent = await ok(server, t.member, "POST", f"{base}/emails", json={
            "to": ["ada@globex.test"], "contact_id": contact, "subject": "Proposal", "body": "<p>Here</p>"})
        await until(lambda: arrived(own, "Proposal"), "the mail at the mailbox's SMTP server")
        await dovecot.append(user, password, reply(user, "Re: Proposal", sent["message_id"]))
        for _ in range(2):  # a second sync files nothing new and fires nothing more
            assert (await call(server, t.member, "POST", f"/api/mailboxes/{box}/sync")).status_code == 202
            [run] = await until(lambda: runs(server, t.owner, replied), "the reply's run")
            await until(lambda: drained(server), "the queue to drain")
    assert len(await ok(server, t.owner, "GET", replied["runs"])) == 1
    assert run["status"] == "succeeded", run
    assert run["inputs"]["card"] == deal["id"] and run["inputs"]["contact"]["id"] == contact
    assert run["results"] == [{"type": "add_label", "ok": True, "result": {"label": "replied"}}]


async def test_send_template_on_a_deal_trigger_writes_to_the_deals_contact_with_the_deal_in_its_merge_fields(
        server, relay):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    contact = await ada(server, t)
    template = await ok(server, t.owner, "POST", f"{base}/email-templates", json={
        "name": "Welcome aboard", "locale": "en", "subject": "Welcome to {{ deal.title }}",
        "body": "<p>Hi {{ contact.first_name }}</p>"})
    welcome = await rule(server, t, {"type": "deal_created", "board": t.board["id"]},
                         [{"type": "send_template", "template": template["id"]}])
    await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
             json={"title": "Globex onboarding", "contact": contact})
    [run] = await until(lambda: runs(server, t.owner, welcome), "the deal's send_template run")
    assert run["status"] == "succeeded", run
    (mail,) = await until(lambda: arrived(relay, "Welcome to Globex onboarding"), "the welcome mail")
    assert mail["To"] == "ada@globex.test" and "Hi Ada" in mail.get_body(("html",)).get_content()
