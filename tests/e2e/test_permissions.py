"""Permissions in the browser: an admin picks who deletes and who exports (keyboard, 390 px wide);
a member sees the levels read-only and the buttons they may not use disabled with the reason; an
admin erases a contact's personal data after a confirm step that says what will happen."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.waiting import eventually


async def test_an_admin_sets_who_exports_and_members_see_what_they_may_do(web_server, open_page):
    t = await crew(web_server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    theirs = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts",
                       json={"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"]})

    member = await open_page(t.member, f"/w/{t.workspace}/contacts", width=390, height=844)
    export = member.get_by_role("button", name="Export CSV")
    await expect(export).to_be_disabled()
    assert "Only admins and owners may export" in await member.locator("#export-reason").inner_text()
    await member.goto(f"/w/{t.workspace}/contacts/{theirs['id']}")
    delete = member.get_by_role("button", name="Delete contact")
    await expect(delete).to_be_disabled()
    await expect(member.get_by_text("You may delete only records you own.")).to_be_visible()
    assert await member.get_by_role("button", name="Erase personal data…").count() == 0

    owner = await open_page(t.owner, f"/w/{t.workspace}/members", width=390, height=844)
    section = owner.get_by_test_id("permissions")
    exports = section.get_by_role("group", name="Who may export")
    current = exports.get_by_role("radio", name="Only admins and owners")
    await current.focus()  # keyboard: arrow keys move the choice within the group
    await owner.keyboard.press("ArrowDown")
    await eventually(lambda: _level(web_server.http_url, t.owner, t.workspace, "members"), timeout=5)
    await expect(exports.get_by_role("radio", name="All members")).to_be_checked()
    await section.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await owner.screenshot(path=str(SCREENSHOTS / "permissions.png"))

    await member.goto(f"/w/{t.workspace}/members")
    read_only = member.get_by_test_id("permissions")
    await read_only.get_by_text("Only admins and owners change these.").wait_for()
    await expect(read_only.get_by_role("radio", name="All members").first).to_be_disabled()
    await member.goto(f"/w/{t.workspace}/contacts")
    await member.get_by_role("link", name="Export CSV").wait_for()


async def test_an_admin_erases_a_contact_after_a_confirm_step(web_server, open_page):
    t = await crew(web_server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    person = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts",
                       json={"first_name": "Zelphira", "last_name": "Quonderwick", "emails": ["zq@erase.example"]})
    page = await open_page(t.owner, f"/w/{t.workspace}/contacts/{person['id']}")
    await page.get_by_role("button", name="Erase personal data…").click()
    dialog = page.get_by_role("dialog", name="Erase personal data")
    assert "cannot be undone" in await dialog.inner_text()
    assert "Zelphira Quonderwick" in await dialog.inner_text()
    await dialog.get_by_role("button", name="Erase everything").click()
    await page.wait_for_url(f"**/w/{t.workspace}/contacts")
    async with httpx.AsyncClient(base_url=web_server.http_url, headers=t.owner.headers) as http:
        assert (await http.get(f"/api/contacts/{person['id']}")).status_code == 404
        listed = (await http.get(f"{base}/contacts", params={"q": "Quonderwick"})).json()
    assert listed["items"] == []


async def _level(http_url: str, who, workspace: str, export: str) -> bool:
    levels = await api(http_url, who, "GET", f"/api/workspaces/{workspace}/permissions")
    return levels["export"] == export
