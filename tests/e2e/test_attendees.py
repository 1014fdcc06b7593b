"""Attendees in Chromium (issue 18): in the deal panel's activity editor a colleague and a contact
are added to a meeting; the colleague's calendar then shows it; removing the contact works."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.e2e.deal_panel import deal_path


async def test_a_colleague_and_a_contact_attend_a_meeting_and_it_shows_in_the_colleagues_calendar(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
              json={"first_name": "Ada", "last_name": "Lovelace"})
    deal = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Acme renewal"})
    today = datetime.now(timezone.utc).date().isoformat()
    made = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Kick-off with Acme", "assignee": t.owner.id, "due": f"{today}T14:00:00Z",
        "end": f"{today}T15:00:00Z", "card": deal["id"]})
    panel = await open_page(t.owner, deal_path(t, deal["id"]))
    row = panel.get_by_test_id("activity").filter(has_text="Kick-off with Acme")
    await row.get_by_role("button", name="Time, place and reminders of Kick-off with Acme").click()
    group = row.get_by_role("group", name="Attendees of “Kick-off with Acme”")
    await group.get_by_text("Only the assignee").wait_for()
    await group.get_by_label("Add a colleague…").select_option(label="Mia Chen")
    await group.get_by_role("button", name="Remove Mia Chen").wait_for()
    await group.get_by_role("button", name="Choose add a contact").click()
    await group.get_by_role("combobox", name="Search add a contact").fill("Ada")
    await group.get_by_role("option", name="Ada Lovelace").click()
    await group.get_by_role("link", name="Ada Lovelace").wait_for()
    await group.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await panel.screenshot(path=str(SCREENSHOTS / "activity-attendees.png"))

    mia = await open_page(t.member, f"/w/{t.workspace}/calendar")
    await mia.get_by_test_id("calendar-entry").filter(has_text="Kick-off with Acme").first.wait_for()

    await group.get_by_role("button", name="Remove Ada Lovelace").click()
    await group.get_by_role("link", name="Ada Lovelace").wait_for(state="detached")
    found = await api(web_server.http_url, t.owner, "GET", f"/api/boards/{board}/activities/{made['id']}/attendees")
    assert found == {"users": [t.member.id], "contacts": []}
