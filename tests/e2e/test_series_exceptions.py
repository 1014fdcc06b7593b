"""One occurrence of a repeating activity in Chromium (issue 18): moving it (Alt+↓) asks "only
this one or the whole series" — only this one leaves the series as a single activity; the × on
another occurrence cancels just that day; the rest of the series stays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew


async def test_moving_one_occurrence_asks_and_cancelling_one_leaves_the_series(web_server, open_page):
    t = await crew(web_server.http_url)
    today = datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday())
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    start = datetime(monday.year, monday.month, monday.day, 9, tzinfo=timezone.utc)
    series = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/activities", json={
        "type": "meeting", "title": "Stand-up", "assignee": t.owner.id, "due": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(), "time_zone": "UTC", "recurrence": "FREQ=DAILY"})
    page = await open_page(t.owner, f"/w/{t.workspace}/calendar")
    column = lambda day: page.locator(f'.calendar__tg-col[aria-label="{day.isoformat()}"]')  # noqa: E731
    await column(wednesday).get_by_test_id("calendar-entry").filter(has_text="Stand-up").wait_for()
    await column(monday).get_by_role("link", name="Stand-up").focus()
    await page.keyboard.press("Alt+ArrowDown")
    dialog = page.get_by_role("dialog", name="Move “Stand-up”")
    await dialog.get_by_role("button", name="Only this one").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "calendar-series-choice.png"))
    await dialog.get_by_role("button", name="Only this one").click()
    moved = column(monday).get_by_test_id("calendar-entry").filter(has_text="09:15–09:45")
    await moved.wait_for()
    assert "↻" not in await moved.inner_text(), "the moved one is a single activity"
    await column(wednesday).get_by_test_id("calendar-entry").filter(has_text="09:00–09:30").wait_for()

    await column(tuesday).get_by_role("button", name=f"Cancel Stand-up on").click()
    await column(tuesday).get_by_test_id("calendar-entry").wait_for(state="detached")
    await column(wednesday).get_by_test_id("calendar-entry").filter(has_text="09:00–09:30").wait_for()
    found = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                      params={"start": monday.isoformat(), "end": wednesday.isoformat()})
    assert [(e["day"], e["id"] == series["id"]) for e in found["entries"]] == [
        (monday.isoformat(), False), (wednesday.isoformat(), True)]
