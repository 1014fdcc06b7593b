"""Settings › Lead forms › Leads by e-mail in Chromium (docs/leads.md, "By e-mail"): an admin picks
the owner of leads from mail by keyboard and it sticks; a member sees who it is; German and 390 px.
Screenshots ``leads-address-owner.png``, ``leads-address-owner-de-390.png``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    """The usual web server, with a leads address to show (a domain and a key; no listener here)."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, bcc_domain="in.tandem.example",
                            secret_key=Fernet.generate_key().decode())
    async with in_process_server(settings) as running:
        yield running


async def test_an_admin_chooses_who_owns_leads_from_mail_and_a_member_sees_it(web_server, open_page):
    t = await crew(web_server.http_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-forms")
    owner = page.get_by_label("Owner of leads from mail")
    await owner.wait_for()
    assert await owner.input_value() == t.owner.id  # whoever made the address
    await owner.focus()
    await owner.select_option(label="Mia Chen")
    await page.get_by_text("Owner of leads from mail saved").first.wait_for()
    shown = f"/api/workspaces/{t.workspace}/leads/address"
    assert await eventually(lambda: _owner_is(web_server, t, shown, t.member.id), timeout=5, every=0.1,
                            what="the owner saved")
    await page.screenshot(path=str(SCREENSHOTS / "leads-address-owner.png"), full_page=True)

    narrow = await open_page(t.member, f"/w/{t.workspace}/settings/lead-forms", width=390, height=844,
                             locale="de-DE")
    said = narrow.get_by_test_id("leads-address-owner-shown")
    await said.wait_for()
    assert "Verantwortlich für Leads aus Mails: Mia Chen" in await said.inner_text()
    assert await narrow.evaluate("document.documentElement.scrollWidth") <= 390
    await narrow.screenshot(path=str(SCREENSHOTS / "leads-address-owner-de-390.png"), full_page=True)

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/lead-forms", width=390, height=844,
                             locale="de-DE")
    await german.get_by_label("Verantwortlich für Leads aus Mails").wait_for()
    await german.get_by_test_id("leads-address").screenshot(
        path=str(SCREENSHOTS / "leads-address-owner-admin-de-390.png"))


async def _owner_is(web_server, t, path: str, user: str) -> bool:
    return (await api(web_server.http_url, t.owner, "GET", path))["owner"] == user
