"""A series that ends, an occurrence restored and one's own working week in Chromium (issue 18):
the deal panel's time editor sets "ends after N times" and "ends on a day" (the board document
holds COUNT / UNTIL); in the calendar a cancelled occurrence shows struck through and its popover
restores it, and so does the moved one's; Settings › Calendar sets the working week the team
to-do list's workload strip measures against — in English, and in German at 390 px."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.waiting import eventually


async def recurrence_of(http_url, t, activity: str) -> str | None:
    today = datetime.now(timezone.utc).date()
    found = await api(http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": today.isoformat(), "end": (today + timedelta(days=6)).isoformat()})
    return next((e["recurrence"] for e in found["entries"] if e["id"] == activity), None)


async def test_the_time_editor_ends_a_series_after_n_times_or_on_a_day(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    today = datetime.now(timezone.utc).date()
    start = datetime(today.year, today.month, today.day, 9, tzinfo=timezone.utc)
    deal = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/cards",
                     json={"title": "Acme renewal", "owner": t.owner.id})
    made = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Weekly check-in", "assignee": t.owner.id, "card": deal["id"],
        "due": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(), "time_zone": "UTC",
        "recurrence": "FREQ=WEEKLY"})
    panel = await open_page(t.owner, f"/w/{t.workspace}/boards/{board}/deals/{deal['id']}")
    row = panel.get_by_test_id("activity").filter(has_text="Weekly check-in")
    await row.get_by_role("button", name="Time, place and reminders of Weekly check-in").click()
    await row.get_by_test_id("series-end").get_by_role("combobox").select_option(label="After a number of times")
    await row.get_by_role("spinbutton", name="Times").fill("6")
    await row.get_by_role("spinbutton", name="Times").press("Tab")
    await eventually(lambda: _is(web_server.http_url, t, made["id"], "FREQ=WEEKLY;COUNT=6"), timeout=10, every=0.2,
                     what="COUNT=6 in the board document")
    await row.get_by_test_id("series-end").get_by_role("combobox").select_option(label="On a day")
    last = today + timedelta(days=28)
    await eventually(lambda: _is(web_server.http_url, t, made["id"], f"FREQ=WEEKLY;UNTIL={last:%Y%m%d}"), timeout=10, every=0.2,
                     what="UNTIL four weeks on")
    assert await row.get_by_label("Last day").get_attribute("min") == (today + timedelta(days=1)).isoformat()
    await row.get_by_label("Repeats").select_option(label="Every day")  # a new rhythm keeps the end
    await eventually(lambda: _is(web_server.http_url, t, made["id"], f"FREQ=DAILY;UNTIL={last:%Y%m%d}"), timeout=10, every=0.2,
                     what="the end kept")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await row.get_by_test_id("series-end").scroll_into_view_if_needed()
    await panel.screenshot(path=str(SCREENSHOTS / "series-end.png"))

    narrow = await open_page(t.owner, f"/w/{t.workspace}/boards/{board}/deals/{deal['id']}", width=390, height=844,
                             locale="de-DE")
    row = narrow.get_by_test_id("activity").filter(has_text="Weekly check-in")
    await row.get_by_role("button", name="Zeit, Ort und Erinnerungen von Weekly check-in").click()
    await row.get_by_test_id("series-end").get_by_role("combobox").select_option(label="Nach einer Anzahl Termine")
    await eventually(lambda: _is(web_server.http_url, t, made["id"], "FREQ=DAILY;COUNT=10"), timeout=10, every=0.2,
                     what="COUNT=10 from the German editor")
    await row.get_by_test_id("series-end").scroll_into_view_if_needed()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await narrow.screenshot(path=str(SCREENSHOTS / "series-end-390-de.png"))


async def _is(http_url, t, activity: str, wanted: str) -> bool:
    return await recurrence_of(http_url, t, activity) == wanted


async def test_a_cancelled_and_a_moved_occurrence_are_restored_from_their_popover(web_server, open_page):
    t = await crew(web_server.http_url)
    today = datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday())
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    start = datetime(monday.year, monday.month, monday.day, 9, tzinfo=timezone.utc)
    board = t.board["id"]
    series = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "meeting", "title": "Stand-up", "assignee": t.owner.id, "due": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(), "time_zone": "UTC", "recurrence": "FREQ=DAILY;COUNT=5"})
    base = f"/api/boards/{board}/activities/{series['id']}/occurrences"
    await api(web_server.http_url, t.owner, "DELETE", f"{base}/{tuesday}")
    await api(web_server.http_url, t.owner, "POST", f"{base}/{wednesday}/move",
              json={"due": (start + timedelta(days=2, hours=4)).isoformat()})
    page = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    column = lambda day: page.locator(f'.calendar__tg-col[aria-label="{day.isoformat()}"]')  # noqa: E731
    ghost = column(tuesday).get_by_test_id("calendar-cancelled")
    await ghost.wait_for()
    await ghost.get_by_role("button", name="Stand-up on").click()
    popover = page.get_by_test_id("calendar-entry-popover")
    await popover.get_by_text("This occurrence is cancelled").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "calendar-restore.png"))
    await popover.get_by_role("button", name="Restore to the series").click()
    await column(tuesday).get_by_test_id("calendar-entry").filter(has_text="09:00–09:30").wait_for()
    await ghost.wait_for(state="detached")

    narrow = await open_page(t.owner, f"/w/{t.workspace}/calendar", width=390, height=844, locale="de-DE")
    moved = narrow.get_by_test_id("calendar-entry").filter(has_text="13:00–13:30")
    if today != wednesday:
        await narrow.get_by_test_id("calendar-nav").wait_for()
        for _ in range(abs((wednesday - today).days)):
            await narrow.get_by_role("button", name="Weiter" if wednesday > today else "Zurück", exact=True).click()
    await moved.wait_for()
    await moved.get_by_test_id("calendar-entry-details").click()
    popover = narrow.get_by_test_id("calendar-entry-popover")
    await popover.get_by_text("verschoben").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await narrow.screenshot(path=str(SCREENSHOTS / "calendar-restore-390-de.png"))
    await popover.get_by_role("button", name="In die Serie zurückholen").click()
    await narrow.get_by_test_id("calendar-entry").filter(has_text="09:00–09:30").wait_for()
    await moved.wait_for(state="detached")
    found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat()})
    assert [e["day"] for e in found["entries"]] == [(monday + timedelta(days=n)).isoformat() for n in range(5)], \
        "all five of COUNT=5 back in the series"


async def test_each_persons_working_week_fills_their_workload_bar(web_server, open_page):
    t = await crew(web_server.http_url)
    settings = await open_page(t.owner, f"/w/{t.workspace}/settings/calendar")
    hours = settings.get_by_label("Hours per week")
    await settings.get_by_test_id("work-week").wait_for()
    assert await eventually(hours.input_value, timeout=8, every=0.1, what="the working week loaded") == "40"
    await hours.fill("20")
    await settings.get_by_role("button", name="Save", exact=True).click()
    await settings.get_by_text("Your working week is 20 hours.").first.wait_for()
    await settings.get_by_test_id("work-week").screenshot(path=str(SCREENSHOTS / "settings-work-week.png"))
    tasks = await open_page(t.owner, f"/w/{t.workspace}/team-tasks")
    strip = tasks.get_by_test_id("workload")
    await strip.get_by_role("button", name=f"{t.owner.name}: 0 this week, 0 overdue, 0 hours booked of a 20-hour week").wait_for()
    await strip.get_by_text("0 of 20 h booked").wait_for()
    await strip.get_by_text("0 of 40 h booked").first.wait_for()  # a colleague who never set theirs
    german = await open_page(t.owner, f"/w/{t.workspace}/team-tasks", width=390, height=844, locale="de-DE")
    await german.get_by_test_id("workload").get_by_text("0 von 20 Std. verplant").wait_for()
    await german.get_by_test_id("workload").screenshot(path=str(SCREENSHOTS / "team-tasks-work-week-390-de.png"))
