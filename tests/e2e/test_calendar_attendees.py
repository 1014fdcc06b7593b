"""Attendees from the calendar in Chromium (issue 18): the attendees button on a calendar entry
opens the activity's popover, where a colleague and a contact are added with the keyboard and the
mouse; the colleague's calendar then shows the meeting; at 390 px in German the popover fits."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew


async def test_attendees_are_edited_from_the_calendar_popover(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
              json={"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"]})
    today = datetime.now(timezone.utc).date().isoformat()
    made = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Planning with Acme", "assignee": t.owner.id, "due": f"{today}T09:00:00Z",
        "end": f"{today}T10:00:00Z", "location": "Room 2"})
    page = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    entry = page.get_by_test_id("calendar-entry").filter(has_text="Planning with Acme")
    button = entry.get_by_role("button", name="Attendees of “Planning with Acme”")
    await button.focus()
    await page.keyboard.press("Enter")  # keyboard reachable
    dialog = page.get_by_role("dialog", name="Planning with Acme")
    await dialog.get_by_text("Room 2").wait_for()
    group = dialog.get_by_role("group", name="Attendees of “Planning with Acme”")
    await group.get_by_text("Only the assignee").wait_for()
    await group.get_by_label("Add a colleague…").select_option(label="Mia Chen")
    await group.get_by_role("button", name="Remove Mia Chen").wait_for()
    await group.get_by_role("button", name="Choose add a contact").click()
    await group.get_by_role("combobox", name="Search add a contact").fill("Ada")
    await group.get_by_role("option", name="Ada Lovelace").click()
    await group.get_by_role("link", name="Ada Lovelace").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "calendar-attendees.png"))
    found = await api(web_server.http_url, t.owner, "GET", f"/api/boards/{board}/activities/{made['id']}/attendees")
    assert found["users"] == [t.member.id] and len(found["contacts"]) == 1

    mia = await open_page(t.member, f"/w/{t.workspace}/calendar")
    await mia.get_by_test_id("calendar-entry").filter(has_text="Planning with Acme").first.wait_for()

    await dialog.get_by_role("button", name="Close").click()
    await dialog.wait_for(state="hidden")

    narrow = await open_page(t.owner, f"/w/{t.workspace}/calendar", width=390, height=844, locale="de-DE")
    small = narrow.get_by_test_id("calendar-entry").filter(has_text="Planning with Acme")
    await small.get_by_test_id("calendar-entry-details").click()
    popover = narrow.get_by_test_id("calendar-entry-popover")
    await popover.get_by_role("button", name="Mia Chen entfernen").wait_for()
    box = await popover.bounding_box()
    assert box is not None and box["width"] <= 390, box
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await narrow.screenshot(path=str(SCREENSHOTS / "calendar-attendees-390-de.png"))
