"""E-mail automations and the BCC address in Chromium (issue 17 items 3, 5): an admin builds a rule
"a link in a tracked e-mail is clicked (the link contains 'pricing') → send an e-mail template"
in Settings › Automations, and a member finds the workspace's BCC address in Settings › Mailbox;
both in German at 390 px. Screenshots: automation-email-builder.png, automation-email-de-390.png,
mailbox-bcc.png, mailbox-bcc-de-390.png."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.services import free_port


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, secret_key=Fernet.generate_key().decode(),
                            bcc_domain="bcc.northwind.test", bcc_smtp_port=free_port(), bcc_smtp_host="127.0.0.1")
    async with in_process_server(settings) as running:
        yield running


async def test_an_admin_builds_a_click_rule_that_sends_a_template(web_server, open_page):
    t = await crew(web_server.http_url)
    templates = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/email-templates")
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations")
    await page.get_by_text("No automations yet").wait_for()
    await page.get_by_test_id("automation-name").fill("Prices clicked: send the follow-up")
    await page.get_by_test_id("automation-trigger").select_option("link_clicked")
    await page.get_by_test_id("automation-url-contains").fill("pricing")
    await page.get_by_test_id("automation-add-action").select_option("send_template")
    action = page.get_by_test_id("automation-action").filter(has_text="Send an e-mail template")
    await action.get_by_test_id("automation-template").wait_for()
    follow_up = next(x for x in templates if "ollow" in x["name"])
    await action.get_by_test_id("automation-template").select_option(follow_up["id"])
    await action.get_by_test_id("automation-template-track").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "automation-email-builder.png"), full_page=True)
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").get_by_test_id("automation-state").filter(has_text="Enabled").wait_for()
    [rule] = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/automations")
    assert rule["trigger"] == {"type": "link_clicked", "url_contains": "pricing"}
    assert rule["actions"] == [{"type": "send_template", "template": follow_up["id"], "track": True}]

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", locale="de-DE", width=390, height=844)
    await german.get_by_test_id("automation-trigger").select_option("email_replied")
    await german.get_by_text("Kein Board (nur der Kontakt)").first.wait_for(state="attached")
    await german.get_by_test_id("automation-add-action").select_option("send_template")
    await german.get_by_text("E-Mail-Vorlage senden").first.wait_for()
    overflow = await german.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390 px screen"
    await german.screenshot(path=str(SCREENSHOTS / "automation-email-de-390.png"), full_page=True)


async def test_a_member_finds_copies_and_an_admin_replaces_the_bcc_address(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/settings/mailbox")
    value = page.get_by_test_id("bcc-value")
    await value.wait_for()
    address = await value.input_value()
    assert address.startswith("bcc+") and address.endswith("@bcc.northwind.test")
    assert await page.get_by_test_id("bcc-not-listening").count() == 0
    await page.get_by_test_id("bcc-address").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "mailbox-bcc.png"), full_page=True)

    owner = await open_page(t.owner, f"/w/{t.workspace}/settings/mailbox", locale="de-DE", width=390, height=844)
    await owner.get_by_role("heading", name="BCC-Adresse").wait_for()
    owner.once("dialog", lambda dialog: dialog.accept())
    await owner.get_by_test_id("bcc-regenerate").click()
    await owner.get_by_text("Eine neue BCC-Adresse wurde erzeugt").first.wait_for()
    assert await owner.get_by_test_id("bcc-value").input_value() != address
    overflow = await owner.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390 px screen"
    await owner.get_by_test_id("bcc-address").scroll_into_view_if_needed()
    await owner.screenshot(path=str(SCREENSHOTS / "mailbox-bcc-de-390.png"), full_page=True)
