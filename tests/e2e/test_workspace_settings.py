"""Settings › Workspace in Chromium: the first section of Settings; an owner renames the workspace
and picks its time zone by typing into the zone search (keyboard only), the switcher shows the new
name at once; a member sees both read-only in German on a phone (390 px). Screenshots in EN and DE."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew


async def test_an_owner_renames_the_workspace_and_sets_its_zone_and_the_switcher_follows(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings")
    await page.wait_for_url(f"**/w/{t.workspace}/settings/workspace")  # the first section
    form = page.get_by_test_id("workspace-settings")
    name = form.get_by_label("Name")
    await name.wait_for()
    assert await name.input_value() == "Northwind Sales"
    assert await form.get_by_test_id("workspace-zone").input_value() == ""  # the server's default
    await name.focus()
    await name.fill("Northwind Europe")
    await page.keyboard.press("Tab")  # to the zone search
    await page.keyboard.type("berl")
    await form.get_by_text("1 zone matches").wait_for()
    await page.keyboard.press("Tab")  # to the zone list, chosen by keyboard
    await page.keyboard.press("ArrowDown")
    assert await form.get_by_test_id("workspace-zone").input_value() == "Europe/Berlin"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Save
    await page.get_by_test_id("announcer").filter(has_text="Workspace settings saved").wait_for()
    switcher = page.locator("#workspace-switcher option:checked")
    await page.wait_for_function("() => document.querySelector('#workspace-switcher option:checked')?.textContent"
                                 " === 'Northwind Europe'")
    assert await switcher.text_content() == "Northwind Europe"
    saved = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/settings")
    assert (saved["name"], saved["time_zone"]) == ("Northwind Europe", "Europe/Berlin")
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace.png"))
    await page.get_by_role("link", name="Boards", exact=True).first.click()
    await page.get_by_role("heading", name="Northwind Europe", level=1).wait_for()


async def test_a_member_sees_name_and_zone_read_only_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/settings",
              json={"time_zone": "America/New_York"})
    page = await open_page(t.member, f"/w/{t.workspace}/settings/workspace", width=390, height=844, locale="de-DE")
    await page.get_by_test_id("settings-read-only").wait_for()
    form = page.get_by_test_id("workspace-settings")
    name = form.get_by_label("Name")
    await name.wait_for()
    assert not await name.is_editable()
    zone = form.get_by_test_id("workspace-zone")
    assert (await zone.input_value(), await zone.is_enabled()) == ("America/New_York", False)
    assert await form.get_by_test_id("workspace-save").count() == 0
    await page.get_by_role("heading", name="Arbeitsbereich").wait_for()
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"no sideways scrolling at 390 px, got {width}"
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace-de-390.png"), full_page=True)


async def test_an_admin_sets_the_zone_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/workspace", width=390, height=844, locale="de-DE")
    search = page.get_by_label("Zeitzonen durchsuchen")
    await search.fill("new york")
    await page.get_by_text("1 Zone passt").wait_for()
    await page.get_by_test_id("workspace-zone").select_option("America/New_York")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_test_id("announcer").filter(has_text="Einstellungen des Arbeitsbereichs gespeichert").wait_for()
    await search.fill("atlantis")
    await page.get_by_text("Keine Zeitzone passt zu „atlantis“.").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace-admin-de-390.png"), full_page=True)
    saved = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/settings")
    assert saved["time_zone"] == "America/New_York"
