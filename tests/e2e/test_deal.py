"""The deal panel in several browsers: a note typed into by two people at once ends the same for
both (with each other's named cursors on screen), and a task assigned by one person lands in the
other's "My tasks" and can be ticked off there."""

from __future__ import annotations

import asyncio

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, api, crew
from tests.support.accounts import add_member
from tests.support.waiting import eventually

OLIVIA = "Olivia: call the Globex CFO on Monday about seats."
MIA = "Mia: the revised quote goes out today."


async def note_text(page) -> str:
    """The note's text as this person's editor shows it, without the others' cursor labels."""
    return await page.get_by_test_id("note-editor").evaluate(
        """el => { const copy = el.cloneNode(true)
                   copy.querySelectorAll('.collaboration-carets__caret').forEach(c => c.remove())
                   return copy.innerText }""")


async def test_two_people_typing_in_one_note_end_with_the_same_merged_text(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    sam = await add_member(web_server.http_url, t.owner, t.workspace, "member", "Sam Rivera")
    deal_path = f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids[0]}"
    olivia = await open_page(t.owner, deal_path)
    await olivia.get_by_role("tab", name="Notes").click()
    await olivia.get_by_role("button", name="New note").click()
    await olivia.get_by_test_id("note-editor").wait_for()

    mia = await open_page(t.member, deal_path)
    watcher = await open_page(sam, deal_path)
    for page in (mia, watcher):
        await page.get_by_role("tab", name="Notes").click()
        await page.get_by_test_id("note-editor").wait_for(timeout=10_000)  # the note list refreshes every 3 s

    for page in (olivia, mia):
        await page.get_by_test_id("note-editor").click()
    await asyncio.gather(olivia.keyboard.type(OLIVIA, delay=15), mia.keyboard.type(MIA, delay=15))

    async def converged() -> tuple[str, ...] | None:
        texts = (await note_text(olivia), await note_text(mia), await note_text(watcher))
        return texts if len(set(texts)) == 1 and OLIVIA in texts[0] and MIA in texts[0] else None

    texts = await eventually(converged, every=0.1, what="the three editors to show both lines")
    assert texts[0].replace(OLIVIA, "").replace(MIA, "").strip() == "", f"nothing but the two lines: {texts[0]!r}"

    # each sees the other's named cursor; the third person sees both
    await olivia.locator(".collaboration-carets__label", has_text="Mia Chen").wait_for()
    await mia.locator(".collaboration-carets__label", has_text="Olivia Park").wait_for()
    for name in ("Olivia Park", "Mia Chen"):
        await watcher.locator(".collaboration-carets__label", has_text=name).wait_for()
    await watcher.get_by_role("group", name="Also viewing").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await watcher.screenshot(path=str(SCREENSHOTS / "deal-panel.png"))


async def test_a_task_assigned_by_one_person_appears_in_the_others_my_tasks(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:2])
    olivia = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids[0]}")
    form = olivia.get_by_role("form", name="New activity")
    await form.get_by_label("What needs doing").fill("Send the contract to Globex")
    await form.get_by_label("Assign to").first.select_option(label="Mia Chen")
    await form.get_by_role("button", name="Add").click()
    await olivia.get_by_test_id("activity").filter(has_text="Send the contract to Globex").wait_for()

    mia = await open_page(t.member, f"/w/{t.workspace}/tasks")
    task = mia.get_by_test_id("tasks-today").get_by_test_id("task").filter(has_text="Send the contract to Globex")
    await task.wait_for(timeout=6000)  # the projection follows the board within about a second; the page polls
    await task.get_by_role("link", name="Globex — 40 seats").wait_for()
    await task.get_by_role("checkbox").check()
    await olivia.get_by_role("checkbox", name="Send the contract to Globex").and_(
        olivia.locator(":checked")).wait_for(timeout=3000)


async def test_a_deals_contact_is_picked_in_the_panel_shows_live_to_a_colleague_and_never_reaches_a_guest(
        web_server, open_page):
    """The contact lives on the server (issue 13): picked in one panel, shown in another at once
    through the workspace's change notices, still there after a reload; the guest's board holds no id."""
    from tests.support.accounts import add_guest

    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    ada = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
                    json={"first_name": "Ada", "last_name": "Lovelace"})
    deal_path = f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids[0]}"
    olivia = await open_page(t.owner, deal_path)
    mia = await open_page(t.member, deal_path)
    for page in (olivia, mia):
        await page.get_by_test_id("deal-panel").wait_for()
    await olivia.get_by_role("button", name="Choose contact").click()
    await olivia.get_by_role("combobox", name="Search contact").fill("Ada")
    await olivia.get_by_role("option", name="Ada Lovelace").click()
    await olivia.get_by_test_id("deal-panel").get_by_role("link", name="Ada Lovelace").wait_for()
    await mia.get_by_test_id("deal-panel").get_by_role("link", name="Ada Lovelace").wait_for(timeout=10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await mia.screenshot(path=str(SCREENSHOTS / "deal-contact.png"))
    await mia.reload()
    await mia.get_by_test_id("deal-panel").get_by_role("link", name="Ada Lovelace").wait_for(timeout=10_000)

    guest = await add_guest(web_server.http_url, t.owner, t.board, "edit", "Gabi Guest")
    shown = await open_page(guest, deal_path)
    await shown.get_by_test_id("deal-panel").wait_for()
    held = await shown.evaluate("() => document.body.innerHTML")
    assert ada["id"] not in held and "Ada Lovelace" not in held
