"""E-mail sequences in Chromium (issue 17 item 6): a member makes a two-step sequence in Settings ›
Sequences from the workspace's templates, adds a contact to it from the contact's page, the worker
sends step 1 through the member's own mailbox (its SMTP server: a real aiosmtpd on 127.0.0.1), the
contact page and the sequence's list show "Active · 1 of 2 sent"; the mail's unsubscribe link,
opened and confirmed, stops it ("Stopped · they unsubscribed"). In German at 390 px too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.mailboxes import Endpoint, NewMailbox, Tls, Visibility
from server.sealing import FernetSealer
from server.storage.mailboxes import PostgresMailboxes
from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.e2e.deal_panel import deal_path
from tests.e2e.mail import contact_at_globex
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

KEY = Fernet.generate_key().decode()
PUBLIC = "https://crm.northwind.test"  # unsubscribe links point here; the test opens them on the server itself
MIA = ("mia@northwind.test", "app-password")


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink(credentials=MIA) as running:  # the member's own SMTP server, signed in to
        yield running


@pytest.fixture
async def web_server(own_database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker (it sends the steps); no mailbox polling (the mailbox's IMAP side is a stub)."""
    settings = settings_for(own_database_url, room_grace_seconds=0.5, **AUTH, worker="on", housekeeping_cron="",
                            mailbox_poll_cron="", secret_key=KEY, public_url=PUBLIC)
    async with in_process_server(settings) as running:
        yield running


async def connect_mailbox(database_url: str, workspace: str, user: str, sink: SmtpSink) -> None:
    """Mia's mailbox, stored as Settings › Mailbox stores one (its sign-in checked there: tests/e2e/test_mailboxes.py)."""
    conn = await asyncpg.connect(database_url)
    try:
        await PostgresMailboxes(conn).connect(NewMailbox(
            UUID(workspace), UUID(user), MIA[0], Endpoint("127.0.0.1", 1, Tls.NONE),
            Endpoint("127.0.0.1", sink.port, Tls.NONE), MIA[0], FernetSealer(KEY).seal(MIA[1].encode()),
            Visibility.SUBJECT))
    finally:
        await conn.close()


async def test_a_sequence_is_made_a_contact_enrolled_sent_step_one_and_unsubscribed(web_server, sink, open_page,
                                                                                     own_database_url):
    t = await crew(web_server.http_url)
    await connect_mailbox(own_database_url, t.workspace, t.member.id, sink)
    contact = await contact_at_globex(web_server.http_url, t)
    page = await open_page(t.member, f"/w/{t.workspace}/settings/sequences")
    screen = page.get_by_test_id("sequences")
    await screen.get_by_text("No sequences yet").wait_for()
    cap = page.get_by_test_id("sequences-cap")
    await cap.get_by_text(f"Sequence mails per hour through {MIA[0]}").wait_for()
    await cap.get_by_test_id("sequences-cap-input").fill("20")
    await cap.get_by_role("button", name="Save").click()
    await page.get_by_text("Sequence mails per hour: 20.").first.wait_for()
    await page.get_by_test_id("new-sequence").click()
    editor = page.get_by_test_id("sequence-editor")
    await editor.get_by_test_id("sequence-name").fill("Onboarding")
    await editor.get_by_test_id("step-template").first.select_option(label="Welcome (EN)")
    await page.get_by_test_id("add-step").click()
    await editor.get_by_test_id("step-template").nth(1).select_option(label="Onboarding (EN)")
    await editor.get_by_label("From (hour)").fill("0")
    await editor.get_by_label("Until (hour)").fill("24")
    await editor.get_by_label("Time zone").fill("UTC")
    for day in ("Sat", "Sun"):
        await editor.get_by_label(day).check()
    await page.get_by_test_id("save-sequence").click()
    await page.get_by_test_id("sequence-row").filter(has_text="Onboarding").wait_for()
    await page.get_by_test_id("sequence-enrolments").get_by_text("No contact is in this sequence yet").wait_for()

    await page.goto(f"/w/{t.workspace}/contacts/{contact}")
    section = page.get_by_test_id("contact-sequences")
    await section.get_by_text("Not in any sequence.").wait_for()
    await page.get_by_test_id("enrol-contact").click()
    dialog = page.get_by_test_id("enrol-dialog")
    await dialog.get_by_test_id("enrol-sequence").select_option(label="Onboarding")
    await dialog.screenshot(path=str(SCREENSHOTS / "sequence-enrol.png"))
    await dialog.get_by_test_id("enrol-submit").click()
    await page.get_by_text("1 contact(s) added to Onboarding.").first.wait_for()

    (mail,) = await eventually(lambda: [m for m in sink.messages if m["To"] == "ada@globex.test"], timeout=20,
                               what="step 1 at Mia's SMTP server")
    assert mail["Subject"] == "Welcome, Ada!" and mail["From"] == f"Mia Chen <{MIA[0]}>"
    await page.reload()
    state = section.get_by_test_id("enrolment-state")
    await state.filter(has_text="1 of 2 sent").wait_for()
    assert await state.get_attribute("data-state") == "active"
    await section.screenshot(path=str(SCREENSHOTS / "sequence-contact.png"))

    await page.goto(f"/w/{t.workspace}/settings/sequences")
    row = page.get_by_test_id("enrolment-row").filter(has_text="ada@globex.test")
    await row.get_by_text("1 of 2 sent").wait_for()
    await page.set_viewport_size({"width": 1440, "height": 1400})  # the whole editor and its list in view
    await page.screenshot(path=str(SCREENSHOTS / "sequences.png"))

    german = await open_page(t.member, f"/w/{t.workspace}/settings/sequences", width=390, height=2000, locale="de-DE")
    await german.get_by_test_id("enrolment-row").get_by_text("Aktiv").wait_for()
    assert await german.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    await german.screenshot(path=str(SCREENSHOTS / "sequences-de-390.png"))

    link = mail["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith(f"{PUBLIC}/u/") and link in mail.get_body(("html",)).get_content()
    forged = await page.request.post(link.replace(PUBLIC, "")[:-4] + "AAAA")
    assert forged.status == 404
    await page.goto(link.replace(PUBLIC, ""))
    await page.get_by_role("button", name="Unsubscribe / Abmelden").click()
    await page.get_by_text("will get no more of these e-mails").wait_for()
    await german.goto(f"/w/{t.workspace}/contacts/{contact}")
    stopped = german.get_by_test_id("contact-sequences").get_by_test_id("enrolment-state")
    await stopped.filter(has_text="abgemeldet").wait_for()
    assert await stopped.get_attribute("data-state") == "stopped"
    assert await german.evaluate("document.documentElement.scrollWidth") <= 390
    await german.set_viewport_size({"width": 390, "height": 844})
    await german.get_by_test_id("contact-sequences").scroll_into_view_if_needed()
    # The timeline's sent mail (a nowrap snippet, not this section) lets the page scroll sideways at
    # 390 px, and scrolling into view moved it: back to the left edge, as a person sees the page.
    await german.evaluate("() => { for (const el of document.querySelectorAll('*')) if (el.scrollLeft) el.scrollLeft = 0 }")
    await german.screenshot(path=str(SCREENSHOTS / "sequence-contact-de-390.png"))


async def test_a_deals_contact_is_enrolled_with_the_deal_and_several_contacts_from_the_list(
        web_server, sink, open_page, own_database_url):
    t = await crew(web_server.http_url)
    await connect_mailbox(own_database_url, t.workspace, t.member.id, sink)
    base = f"/api/workspaces/{t.workspace}"
    templates = {x["name"]: x["id"] for x in await api(web_server.http_url, t.member, "GET", f"{base}/email-templates")}
    await api(web_server.http_url, t.member, "POST", f"{base}/sequences", json={
        "name": "Follow-ups", "steps": [{"template_id": templates["Follow-up"]}, {"template_id": templates["Follow-up"],
                                                                                "delay_days": 3}]})
    grace = await contact_at_globex(web_server.http_url, t, "Grace", "Hopper")
    (deal,) = await add_deals(web_server.http_url, t.owner, t.document, [{"title": "Globex — 40 seats", "stage": 0}])
    await api(web_server.http_url, t.member, "PATCH", f"/api/boards/{t.board['id']}/cards/{deal}",
              json={"contact": grace})
    page = await open_page(t.member, deal_path(t, deal))
    await page.get_by_test_id("deal-enrol").click()
    dialog = page.get_by_test_id("enrol-dialog")
    await dialog.get_by_test_id("enrol-submit").click()
    await dialog.wait_for(state="detached")
    (mail,) = await eventually(lambda: [m for m in sink.messages if m["To"] == "grace@globex.test"], timeout=20,
                               what="the follow-up naming the deal")
    assert mail["Subject"] == "Following up: Globex — 40 seats"  # the deal's merge fields

    for first in ("Alan", "Edsger"):
        await api(web_server.http_url, t.member, "POST", f"{base}/contacts",
                  json={"first_name": first, "last_name": "X", "emails": [f"{first.lower()}@example.test"]})
    await api(web_server.http_url, t.member, "POST", f"{base}/contacts", json={"first_name": "Nomail", "last_name": "Y"})
    await page.goto(f"/w/{t.workspace}/contacts")
    await page.get_by_test_id("contacts-table").locator("tbody tr").nth(3).wait_for()
    for name in ("Alan X", "Edsger X", "Nomail Y"):
        await page.get_by_role("checkbox", name=f"Select {name}").check()
    await page.get_by_test_id("bulk-bar").get_by_test_id("bulk-enrol").click()
    dialog = page.get_by_test_id("enrol-dialog")
    await dialog.get_by_text("Add 3 contacts to a sequence").wait_for()
    await dialog.get_by_test_id("enrol-submit").click()
    await page.get_by_text("2 contact(s) added to Follow-ups. 1 not added: no e-mail address.").first.wait_for()
    enrolled = await api(web_server.http_url, t.member, "GET", f"{base}/enrolments")
    assert sorted(e["address"] for e in enrolled) == ["alan@example.test", "edsger@example.test", "grace@globex.test"]
    # without a deal the follow-up's {{ deal.title }} has no value: paused, naming it — never sent blank
    paused = await eventually(
        lambda: _paused(web_server.http_url, t, base), timeout=20, what="the list's enrolments paused")
    assert {(e["reason"], e["detail"]) for e in paused} == {("missing_fields", "deal.title")}


async def _paused(http_url: str, t, base: str) -> list:
    found = [e for e in await api(http_url, t.member, "GET", f"{base}/enrolments") if e["state"] == "paused"]
    return found if len(found) == 2 else []
