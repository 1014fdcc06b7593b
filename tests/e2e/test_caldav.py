"""Settings › Calendar sync in Chromium (issue 18 item 5): a member connects a calendar on a real
Radicale (a wrong password first: the refusal is shown in words), the worker's first sync brings the
calendar's event in and puts the member's activity out, the status says so; "Sync now"; the screen
in German and English at 390 px; disconnect. Screenshots: calendar-sync*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.radicale import Radicale, event
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def radicale() -> AsyncIterator[Radicale]:
    server = await Radicale().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker running the calendar syncs, and calendars on loopback allowed."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on",
                            secret_key=Fernet.generate_key().decode(), caldav_allow_private=True,
                            caldav_poll_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def test_a_member_connects_a_calendar_and_sees_both_sides_synced(web_server, open_page, radicale):
    t = await crew(web_server.http_url)
    url, user, password = await radicale.calendar()
    day = datetime.now(timezone.utc).date() + timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
    await radicale.put(url, user, password, "visit.ics",
                       event("visit@other.app", "Site visit at Contoso", start.strftime("%Y%m%dT%H%M%S"),
                             (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S"), tzid=None))
    await api(web_server.http_url, t.member, "POST", f"/api/boards/{t.board['id']}/activities",
              json={"type": "call", "title": "Call Fabrikam about the renewal", "assignee": t.member.id,
                    "due": (start + timedelta(hours=5)).isoformat(), "time_zone": "Europe/Berlin"})

    page = await open_page(t.member, f"/w/{t.workspace}/settings/calendar-sync")
    await page.get_by_text("No calendar connected").wait_for()
    assert await page.get_by_test_id("settings-read-only").count() == 0, "one's own calendar is not read-only"
    await page.get_by_label("Calendar address").fill(url)
    await page.get_by_label("User name").fill(user)
    await page.get_by_label("App password").fill("not-the-password")
    await page.get_by_role("button", name="Connect").click()
    await page.get_by_test_id("calendar-sync-refused").filter(has_text="refused the user name or password").wait_for()

    await page.get_by_label("App password").fill(password)
    await page.get_by_role("button", name="Connect").click()
    status = page.get_by_test_id("calendar-sync-status")
    await status.get_by_test_id("calendar-sync-state").filter(has_text="Synced").wait_for(timeout=30_000)
    facts = status.get_by_test_id("calendar-sync-facts")
    await facts.filter(has_text="1 to the calendar, 1 into Tandem, 0 removed").wait_for()
    await facts.filter(has_text="2 events in both").wait_for()
    assert await page.get_by_test_id("calendar-sync-error").count() == 0
    events = await radicale.events(url, user, password)
    assert len(events) == 2 and any("Call Fabrikam about the renewal" in text for text in events.values())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "calendar-sync.png"), full_page=True)

    # A change on the server, then "Sync now": the activity follows.
    text = events["visit.ics"].replace("Site visit at Contoso", "Site visit at Contoso (with Ann)")
    await radicale.put(url, user, password, "visit.ics", text)
    await page.get_by_role("button", name="Sync now").click()

    async def renamed() -> bool:
        found = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/calendar",
                          params={"start": day.isoformat(), "end": day.isoformat()})
        return any(e["title"] == "Site visit at Contoso (with Ann)" for e in found["entries"])

    await eventually(renamed, timeout=30, what="the server's change to reach Tandem")
    await facts.filter(has_text="0 to the calendar, 1 into Tandem").wait_for(timeout=10_000)

    german = await open_page(t.member, f"/w/{t.workspace}/settings/calendar-sync", locale="de-DE", width=390,
                             height=844)
    await german.get_by_test_id("calendar-sync-state").filter(has_text="Synchron").wait_for()
    await german.get_by_role("button", name="Jetzt synchronisieren").wait_for()
    overflow = await german.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the German page is {overflow}px wider than a 390 px screen"
    await german.screenshot(path=str(SCREENSHOTS / "calendar-sync-de-390.png"), full_page=True)

    phone = await open_page(t.member, f"/w/{t.workspace}/settings/calendar-sync", width=390, height=844)
    await phone.get_by_test_id("calendar-sync-state").filter(has_text="Synced").wait_for()
    overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390 px screen"
    await phone.screenshot(path=str(SCREENSHOTS / "calendar-sync-390.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Disconnect").click()
    await page.get_by_text("No calendar connected").wait_for()
    await page.get_by_label("Calendar address").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "calendar-sync-empty.png"), full_page=True)
