"""The calendar in Chromium (issue 18): a timed activity made in the deal panel shows in the week
view; moved with the keyboard (Alt+↓: 15 minutes later) it moves for a second browser too; the
time editor is reachable; at 390 px the week falls back to a day list; the feed in Settings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew, server_running_automations
from tests.support.waiting import eventually

web_server = server_running_automations()  # its worker runs the reminder jobs


async def test_a_timed_activity_shows_in_the_week_and_moves_for_everyone(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    deal = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/cards",
                     json={"title": "Acme renewal", "owner": t.owner.id})
    await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "call", "title": "Call Globex", "assignee": t.owner.id, "due": datetime.now(timezone.utc).date().isoformat()})
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "todo", "title": "Send the offer", "assignee": t.owner.id, "due": yesterday, "card": deal["id"]})
    panel = await open_page(t.owner, f"/w/{t.workspace}/boards/{board}/deals/{deal['id']}")
    await panel.get_by_test_id("card-overdue").wait_for()  # the board card says a task of it is overdue
    await panel.get_by_test_id("activity").filter(has_text="Overdue").filter(has_text="Send the offer").wait_for()
    await panel.locator("#activity-title").fill("Demo with Acme")
    await panel.get_by_label("Start time (empty: all day)").fill("09:00")
    await panel.get_by_role("form", name="New activity").get_by_role("button", name="Add", exact=True).click()
    row = panel.get_by_test_id("activity").filter(has_text="Demo with Acme")
    await row.filter(has_text="09:00–09:30").wait_for()
    await row.get_by_role("button", name="Time, place and reminders of Demo with Acme").click()
    await row.get_by_label("Where").fill("https://meet.example/acme")
    await row.get_by_label("Where").press("Enter")
    await row.get_by_role("link", name="https://meet.example/acme").wait_for()  # a video link opens
    await row.get_by_label("Repeats").select_option(label="Every week")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await row.get_by_label("Where").scroll_into_view_if_needed()
    await panel.screenshot(path=str(SCREENSHOTS / "activity-times.png"))

    page = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    entry = page.get_by_test_id("calendar-entry").filter(has_text="Demo with Acme")
    await entry.filter(has_text="09:00–09:30").wait_for()
    await entry.get_by_label("Repeats").wait_for()  # a weekly activity: this week's occurrence
    await page.get_by_test_id("calendar-entry").filter(has_text="Call Globex").filter(has_text="All day").wait_for()
    await page.get_by_test_id("now-line").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "calendar-week.png"))

    other = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    await other.get_by_test_id("calendar-entry").filter(has_text="09:00–09:30").wait_for()
    await entry.get_by_role("link").focus()
    await page.keyboard.press("Alt+ArrowDown")
    # it repeats weekly: moving asks, and the whole series moves (one occurrence: tests/e2e/test_series_exceptions.py)
    await page.get_by_role("dialog", name="Move “Demo with Acme”").get_by_role("button", name="The whole series").click()
    await entry.filter(has_text="09:15–09:45").wait_for()
    await other.get_by_test_id("calendar-entry").filter(has_text="Demo with Acme").filter(
        has_text="09:15–09:45").wait_for(timeout=15_000)
    await panel.get_by_test_id("activity").filter(has_text="09:15–09:45").wait_for()  # the live board too
    # dragged onto 11:00 of the same day (44 px an hour; held at its middle, 11 px down)
    today = await page.locator(".calendar__tg-col.is-today").first.get_attribute("aria-label")
    column = page.locator(f'.calendar__tg-col[aria-label="{today}"]')
    await entry.drag_to(column, source_position={"x": 10, "y": 11}, target_position={"x": 10, "y": 11 * 44 + 11})
    await page.get_by_role("dialog", name="Move “Demo with Acme”").get_by_role("button", name="The whole series").click()
    await entry.filter(has_text="11:00–11:30").wait_for()
    await other.get_by_test_id("calendar-entry").filter(has_text="Demo with Acme").filter(
        has_text="11:00–11:30").wait_for(timeout=15_000)

    async def moved() -> bool:
        found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                          params={"start": "2020-01-01", "end": "2020-01-02"})
        return found is not None

    await eventually(moved, timeout=10, what="the calendar API")

    narrow = await open_page(t.owner, f"/w/{t.workspace}/calendar", width=390, height=844, locale="de-DE")
    await narrow.get_by_test_id("calendar-entry").filter(has_text="Demo with Acme").filter(has_text="11:00").wait_for()
    days = await narrow.locator(".calendar__day").count()
    assert days == 1, "the week falls back to one day at 390 px"
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await narrow.screenshot(path=str(SCREENSHOTS / "calendar-390.png"))

    an_hour_ago = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(hours=1)
    await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "call", "title": "Missed call", "assignee": t.owner.id,
        "due": an_hour_ago.isoformat().replace("+00:00", "Z")})
    tasks = await open_page(t.owner, f"/w/{t.workspace}/tasks")  # a timed task is overdue from its start
    await tasks.get_by_test_id("tasks-overdue").get_by_test_id("task").filter(has_text="Missed call").filter(
        has_text=an_hour_ago.strftime("%H:%M")).wait_for()

    settings = await open_page(t.owner, f"/w/{t.workspace}/settings/calendar")
    await settings.get_by_role("button", name="Make a feed address").click()
    url = await settings.locator("#feed-url").input_value()
    assert url.endswith(".ics")
    feed = await settings.request.get(url)
    assert feed.ok and "Demo with Acme" in await feed.text()


async def test_a_reminder_rings_the_assignees_bell(web_server, open_page):
    t = await crew(web_server.http_url)
    soon = datetime.now(timezone.utc) + timedelta(seconds=2)
    deal = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/cards",
                     json={"title": "Initech pilot", "owner": t.member.id})
    await api(web_server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/activities", json={
        "type": "meeting", "title": "Pilot kick-off", "assignee": t.member.id, "card": deal["id"],
        "due": soon.isoformat().replace("+00:00", "Z"), "time_zone": "Europe/Berlin", "reminders": [0]})
    page = await open_page(t.member, f"/w/{t.workspace}/calendar")
    await page.get_by_test_id("calendar-entry").filter(has_text="Pilot kick-off").wait_for()

    async def told() -> list:  # the reminder (being given the meeting told Mia too: docs/notifications.md)
        found = (await api(web_server.http_url, t.member, "GET", "/api/me/notifications"))["notifications"]
        return [n for n in found if n["kind"] == "reminder"]

    await eventually(told, timeout=30, what="the reminder")
    await page.reload()
    await page.get_by_test_id("notifications-bell").click()
    item = page.get_by_test_id("notification").filter(has_text="Reminder:")
    await item.get_by_role("link", name="Pilot kick-off").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "calendar-reminder.png"))
