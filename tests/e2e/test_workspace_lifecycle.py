"""Leaving Tandem in Chromium (docs/workspace-lifecycle.md): an owner asks for "Export all data",
follows it to ready and downloads the ZIP by its link; an owner deletes a workspace by typing its name
(keyboard only) and lands outside it; German at 390 px. Screenshots in EN, DE and at 390 px."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture
async def web_server(module_database_url: str, tmp_path) -> AsyncIterator[InProcessServer]:
    """A web server whose worker builds exports (into a temporary folder) and deletes workspaces,
    with a key to sign links."""
    settings = settings_for(module_database_url, room_grace_seconds=0.5, **AUTH, worker="on", housekeeping_cron="",
                            secret_key=Fernet.generate_key().decode(), files_url=f"file://{tmp_path}")
    async with in_process_server(settings) as running:
        yield running


async def test_an_owner_exports_all_data_and_downloads_the_zip(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
              json={"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@northwind.test"]})
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/workspace")
    section = page.get_by_test_id("workspace-export")
    await section.get_by_text("No export yet.").wait_for()
    await section.get_by_role("button", name="Export all data").click()
    await page.get_by_test_id("workspace-export-download").wait_for(timeout=30_000)
    assert "Ready:" in await page.get_by_test_id("workspace-export-status").text_content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace-export.png"), full_page=True)
    async with page.expect_download() as waiting:
        await page.get_by_test_id("workspace-export-download").click()
    download = await waiting.value
    name = download.suggested_filename
    assert name.startswith("tandem-northwind-sales-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(open(await download.path(), "rb").read()))
    assert "Ada" in archive.read("contacts.csv").decode("utf-8-sig")
    assert {"manifest.json", "deals.csv", "organisations.csv"} <= set(archive.namelist())
    await page.get_by_role("button", name="Notifications").first.click()
    await page.get_by_test_id("notification").filter(has_text="is ready to download").wait_for()


async def test_an_owner_deletes_the_workspace_by_typing_its_name(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/workspace")
    confirm = page.get_by_test_id("workspace-delete-confirm")
    button = page.get_by_test_id("workspace-delete-button")
    await confirm.focus()
    await page.keyboard.type("Northwind")
    assert await button.is_disabled()  # not the whole name yet
    await page.keyboard.type(" sales")  # case does not matter
    await button.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace-delete.png"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: t.workspace not in url, timeout=10_000)
    listed = await api(web_server.http_url, t.owner, "GET", "/api/workspaces")
    assert t.workspace not in str(listed)


async def test_leaving_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/workspace", width=390, height=844, locale="de-DE")
    await page.get_by_role("heading", name="Alle Daten exportieren").wait_for()
    await page.get_by_role("heading", name="Diesen Arbeitsbereich löschen").wait_for()
    await page.get_by_text("Noch kein Export.").wait_for()
    await page.get_by_role("button", name="Alle Daten exportieren").click()
    await page.get_by_test_id("workspace-export-download").wait_for(timeout=30_000)
    await page.get_by_test_id("workspace-delete-confirm").fill("northwind sales")
    await page.get_by_test_id("workspace-delete-button").scroll_into_view_if_needed()
    assert await page.get_by_test_id("workspace-delete-button").is_enabled()
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"no sideways scrolling at 390 px, got {width}"
    await page.screenshot(path=str(SCREENSHOTS / "settings-workspace-leaving-de-390.png"))
    member = await open_page(t.member, f"/w/{t.workspace}/settings/workspace", width=390, height=844, locale="de-DE")
    await member.get_by_test_id("workspace-settings").wait_for()
    assert await member.get_by_test_id("workspace-export").count() == 0  # members: neither section
