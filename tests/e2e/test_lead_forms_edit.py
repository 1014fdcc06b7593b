"""Settings › Lead forms and the lead panel in Chromium (docs/leads.md): an admin edits a form
(name, fields, language) and its snippet is written in German then; the leads address is shown to
copy; a member puts labels on a lead in its panel and takes one off, by keyboard. Screenshots in
English, German and at 390 px."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    """The usual web server, with a leads address to show (a domain and a key; no listener here)."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, bcc_domain="in.tandem.example",
                            secret_key=Fernet.generate_key().decode())
    async with in_process_server(settings) as running:
        yield running


async def test_an_admin_edits_a_form_into_german_and_sees_the_leads_address(web_server, open_page):
    t = await crew(web_server.http_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/lead-forms",
              json={"name": "Website contact", "fields": ["person_name", "email", "note"]})
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-forms")
    address = await page.get_by_test_id("leads-address-value").input_value()
    assert address.startswith("leads+") and address.endswith("@in.tandem.example")
    await page.screenshot(path=str(SCREENSHOTS / "lead-forms-address.png"), full_page=True)
    card = page.get_by_test_id("lead-form").filter(has_text="Website contact")
    assert "<button type=\"submit\">Send</button>" in await card.get_by_test_id("lead-form-snippet").input_value()
    await card.get_by_test_id("lead-form-edit").click()
    editor = page.get_by_test_id("lead-form-editor")
    await editor.get_by_label("Form name").fill("Kontaktformular")
    await editor.get_by_role("checkbox", name="Organisation").check()
    await editor.get_by_label("Language of the snippet").select_option("de")
    await page.screenshot(path=str(SCREENSHOTS / "lead-form-edit.png"), full_page=True)
    await editor.get_by_role("button", name="Save form").click()
    card = page.get_by_test_id("lead-form").filter(has_text="Kontaktformular")
    await card.get_by_text("Deutsch").wait_for()
    snippet = await card.get_by_test_id("lead-form-snippet").input_value()
    assert "<label>Firma " in snippet and '<button type="submit">Senden</button>' in snippet
    [form] = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/lead-forms")
    assert (form["name"], form["language"], form["fields"]) == (
        "Kontaktformular", "de", ["person_name", "email", "organisation_name", "note"])

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-forms", locale="de-DE")
    await german.get_by_test_id("lead-form").filter(has_text="Kontaktformular").get_by_test_id("lead-form-edit").click()
    await german.get_by_test_id("lead-form-editor").get_by_label("Sprache des Snippets").wait_for()
    await german.get_by_text("Leads per E-Mail").wait_for()
    await german.screenshot(path=str(SCREENSHOTS / "lead-form-edit-de.png"), full_page=True)
    await german.keyboard.press("Escape")
    await german.get_by_test_id("lead-form-editor").wait_for(state="detached")

    viewer = await open_page(t.viewer, f"/w/{t.workspace}/settings/lead-forms")
    await viewer.get_by_test_id("lead-form").filter(has_text="Kontaktformular").wait_for()
    assert await viewer.get_by_test_id("lead-form-edit").count() == 0
    assert await viewer.get_by_test_id("leads-address").count() == 0


async def test_a_member_labels_a_lead_in_its_panel_by_keyboard(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/lists",
              json={"labels": [{"name": "hot", "colour": "red"}, {"name": "event", "colour": "blue"}]})
    lead = await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/leads",
                     json={"person_name": "Ann Lee", "email": "ann@acme.example", "organisation_name": "Acme"})
    page = await open_page(t.member, f"/w/{t.workspace}/leads?lead={lead['id']}")
    labels = page.get_by_test_id("lead-labels")
    picker = labels.locator("#lead-label-picker")
    # the workspace's labels arrive after the panel: a member may only pick listed ones
    await labels.locator("#lead-label-picker-options option").first.wait_for(state="attached")
    for name in ("hot", "event"):
        await picker.fill(name)
        await picker.press("Enter")
        await labels.locator(".tag--label", has_text=name).wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "lead-labels.png"), full_page=True)
    await labels.get_by_role("button", name="Remove the label event").focus()
    await page.keyboard.press("Enter")
    await labels.locator(".tag--label", has_text="event").wait_for(state="detached")
    stored = await api(web_server.http_url, t.member, "GET", f"/api/leads/{lead['id']}")
    assert stored["labels"] == ["hot"]

    narrow = await open_page(t.member, f"/w/{t.workspace}/leads?lead={lead['id']}", width=390, height=844,
                             locale="de-DE")
    await narrow.get_by_test_id("lead-labels").get_by_text("Labels").wait_for()
    await narrow.get_by_test_id("lead-labels").locator(".tag--label", has_text="hot").wait_for()
    await narrow.screenshot(path=str(SCREENSHOTS / "lead-labels-390-de.png"), full_page=True)
