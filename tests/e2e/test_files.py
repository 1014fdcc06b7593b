"""Files on records in Chromium (docs/files.md): uploaded by the button on a contact, dropped on a
deal's panel, downloaded with their bytes intact, deleted; read-only for a viewer; attached to a
mail in the compose dialog and received by a real aiosmtpd on 127.0.0.1 with the bytes intact; the
organisation page in German at 390 px. Screenshots to docs/screenshots/files-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.e2e.deal_panel import deal_path
from tests.e2e.mail import contact_at_globex
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

SENDER = "crm@northwind.test"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PLAN = "Rollout plan: 40 seats, training in week 2.\n".encode()


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture
async def web_server(database_url: str, sink: SmtpSink, tmp_path_factory) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker sending through ``sink`` and files in a folder of the test's."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", smtp_url=sink.url,
                            mail_from=SENDER, housekeeping_cron="", mailbox_poll_cron="",
                            files_url=f"file://{tmp_path_factory.mktemp('files')}")
    async with in_process_server(settings) as running:
        yield running


def payload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


async def test_files_are_uploaded_listed_downloaded_and_deleted_on_a_contact(web_server, open_page, tmp_path):
    t = await crew(web_server.http_url)
    contact = await contact_at_globex(web_server.http_url, t)
    page = await open_page(t.member, f"/w/{t.workspace}/contacts/{contact}")
    files = page.get_by_test_id("files")
    await files.get_by_test_id("files-empty").filter(has_text="No files yet").wait_for()
    await files.get_by_test_id("files-input").set_input_files([
        payload("Globex offer 2027.pdf", PDF, "application/pdf"), payload("rollout-plan.txt", PLAN, "text/plain")])
    await files.get_by_test_id("file").filter(has_text="rollout-plan.txt").wait_for()
    offer = files.get_by_test_id("file").filter(has_text="Globex offer 2027.pdf")
    await offer.filter(has_text="Mia Chen").wait_for()
    assert "KB" in await offer.inner_text()
    timeline = page.get_by_test_id("record-timeline")
    await timeline.get_by_role("listitem").filter(has_text="File uploaded").filter(
        has_text="Globex offer 2027.pdf").wait_for()
    async with page.expect_download() as downloading:
        await offer.get_by_role("link").click()
    download = await downloading.value
    saved = tmp_path / "offer.pdf"
    await download.save_as(saved)
    assert download.suggested_filename == "Globex offer 2027.pdf" and saved.read_bytes() == PDF
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await files.screenshot(path=str(SCREENSHOTS / "files-contact.png"))
    page.once("dialog", lambda dialog: dialog.accept())
    await files.get_by_test_id("file").filter(has_text="rollout-plan.txt").get_by_test_id("file-delete").click()
    await files.get_by_test_id("file").filter(has_text="rollout-plan.txt").wait_for(state="detached")
    assert await files.get_by_test_id("file").count() == 1

    viewer = await open_page(t.viewer, f"/w/{t.workspace}/contacts/{contact}")
    await viewer.get_by_test_id("file").filter(has_text="Globex offer 2027.pdf").wait_for()
    assert await viewer.get_by_test_id("files-upload").count() == 0
    assert await viewer.get_by_test_id("file-delete").count() == 0


async def test_a_file_dropped_on_a_deal_panel_is_kept_and_attached_to_a_mail_with_its_bytes(web_server, sink,
                                                                                            open_page):
    t = await crew(web_server.http_url)
    contact = await contact_at_globex(web_server.http_url, t, "Grace", "Hopper")
    (deal,) = await add_deals(web_server.http_url, t.owner, t.document, [{"title": "Globex — 40 seats", "stage": 0}])
    await api(web_server.http_url, t.member, "PATCH", f"/api/boards/{t.board['id']}/cards/{deal}",
              json={"contact": contact})
    page = await open_page(t.member, deal_path(t, deal))
    files = page.get_by_test_id("files")
    await files.get_by_test_id("files-empty").wait_for()
    dropped = await page.evaluate_handle("""(text) => {
        const transfer = new DataTransfer()
        transfer.items.add(new File([text], 'Signed order.txt', { type: 'text/plain' }))
        return transfer }""", PLAN.decode())
    await files.dispatch_event("dragover", {"dataTransfer": dropped})
    await files.dispatch_event("drop", {"dataTransfer": dropped})
    await files.get_by_test_id("file").filter(has_text="Signed order.txt").wait_for()
    await files.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "files-deal-panel.png"))
    await page.get_by_role("tab", name="Timeline").click()
    await page.get_by_role("tabpanel").get_by_text("File uploaded: Signed order.txt").wait_for()

    await page.get_by_test_id("deal-write-email").click()
    dialog = page.get_by_test_id("compose")
    await eventually(lambda: dialog.get_by_test_id("compose-to").input_value(), what="the deal's contact in To")
    await dialog.get_by_test_id("compose-subject").fill("Your signed order")
    await dialog.get_by_test_id("compose-body").click()
    await page.keyboard.type("Attached, as promised.")
    attachments = dialog.get_by_test_id("compose-attachments")
    await attachments.get_by_test_id("compose-attachment").filter(has_text="Signed order.txt").get_by_role(
        "checkbox").check()
    await attachments.get_by_test_id("compose-attach-input").set_input_files(
        [payload("Offer.pdf", PDF, "application/pdf")])
    await attachments.get_by_test_id("compose-attach-total").filter(has_text="2 attached").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "files-compose-attachments.png"), full_page=True)
    await dialog.get_by_test_id("compose-send").click()
    await dialog.wait_for(state="detached")
    (mail,) = await eventually(lambda: [m for m in sink.messages if m["Subject"] == "Your signed order"],
                               timeout=10, what="the mail with attachments at the relay")
    attached = {part.get_filename(): part.get_payload(decode=True) for part in mail.iter_attachments()}
    assert attached == {"Signed order.txt": PLAN, "Offer.pdf": PDF}
    await files.get_by_test_id("file").filter(has_text="Offer.pdf").wait_for()  # the new upload is the deal's


async def test_the_organisation_files_in_german_at_390_px(web_server, open_page):
    t = await crew(web_server.http_url)
    organisation = await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/organisations",
                             json={"name": "Globex GmbH"})
    page = await open_page(t.member, f"/w/{t.workspace}/organisations/{organisation['id']}", width=390, height=844,
                           locale="de-DE")
    files = page.get_by_test_id("files")
    await files.get_by_test_id("files-empty").filter(has_text="Noch keine Dateien").wait_for()
    await files.get_by_role("button", name="Dateien hochladen").wait_for()
    await files.get_by_test_id("files-input").set_input_files(
        [payload("Rahmenvertrag mit sehr langem Dateinamen 2027 final.pdf", PDF, "application/pdf")])
    await files.get_by_test_id("file").filter(has_text="Rahmenvertrag").wait_for()
    await files.get_by_role("button", name="Rahmenvertrag mit sehr langem Dateinamen 2027 final.pdf löschen").wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await files.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "files-organisation-de-390.png"))


async def test_deleting_a_contact_or_organisation_says_how_many_files_go_with_it(web_server, open_page):
    t = await crew(web_server.http_url)
    contact = await contact_at_globex(web_server.http_url, t)
    stored = [await api(web_server.http_url, t.member, "POST", f"/api/contacts/{contact}/files",
                        params={"name": name}, content=data) for name, data in (("offer.pdf", PDF), ("plan.txt", PLAN))]
    page = await open_page(t.owner, f"/w/{t.workspace}/contacts/{contact}")
    await page.get_by_test_id("files").get_by_test_id("file").nth(1).wait_for()
    asked: list[str] = []

    async def answer(dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    page.once("dialog", answer)
    await page.get_by_role("button", name="Delete contact").click()
    await page.wait_for_url(f"**/w/{t.workspace}/contacts")
    assert asked == ["Delete Ada Lovelace? Deals and notes keep pointing at it. Its 2 files are deleted too."]
    store = web_server.services.record_files.store

    async def bytes_gone() -> bool:
        return not any([await store.exists(f"workspaces/{t.workspace}/files/{f['id']}") for f in stored])

    await eventually(bytes_gone, timeout=15, what="the files.remove job to delete the contact's files")

    organisation = await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/organisations",
                             json={"name": "Initech AG"})
    await api(web_server.http_url, t.member, "POST", f"/api/organisations/{organisation['id']}/files",
              params={"name": "Vertrag.pdf"}, content=PDF)
    page = await open_page(t.owner, f"/w/{t.workspace}/organisations/{organisation['id']}", width=390, height=844,
                           locale="de-DE")
    await page.get_by_test_id("files").get_by_test_id("file").wait_for()

    async def decline(dialog) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", decline)
    button = page.get_by_role("button", name="Organisation löschen")
    await button.focus()
    await page.keyboard.press("Enter")  # reachable by keyboard
    await eventually(lambda: len(asked) == 2, timeout=8, what="the German question")
    assert asked[1].endswith("Die zugehörige Datei wird mitgelöscht.") and asked[1].startswith("Initech AG löschen?")
    await page.get_by_test_id("files").get_by_test_id("file").wait_for()  # declined: nothing went
