"""The team to-do list and the workload strip in Chromium (issue 18): a manager sees everyone's
activities with each person's week, filters by assignee / type / due, reassigns a task from the
list to the colleague with room — and the colleague's open list shows it at once (live, through
the workspace feed); at 390 px the strip and the list fit the width."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew


def this_week(day) -> bool:
    today = datetime.now(timezone.utc).date()
    monday = today - timedelta(days=today.weekday())
    return monday <= day <= monday + timedelta(days=6)


async def seed(http_url, t) -> str:
    """The activities, and Olivia's workload as the strip says it today: the overdue call is in this
    week unless today is Monday or Tuesday, the meeting (an hour from now) unless that is next week."""
    board = t.board["id"]
    deal = await api(http_url, t.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Acme renewal"})
    today = datetime.now(timezone.utc).date()
    soon = (datetime.now(timezone.utc) + timedelta(hours=1)).replace(second=0, microsecond=0)
    for body in (
        {"type": "call", "title": "Call Globex back", "assignee": t.owner.id,
         "due": (today - timedelta(days=2)).isoformat(), "card": deal["id"]},
        {"type": "meeting", "title": "Demo for Acme", "assignee": t.owner.id, "due": soon.isoformat(),
         "end": (soon + timedelta(hours=2)).isoformat(), "card": deal["id"]},
        {"type": "todo", "title": "Send the revised quote", "assignee": t.owner.id, "due": today.isoformat()},
        {"type": "email", "title": "Follow up with Initech", "assignee": t.member.id,
         "due": (today + timedelta(days=1)).isoformat() if today.weekday() < 6 else today.isoformat()},
        {"type": "todo", "title": "Clean up the lead list", "assignee": None},
    ):
        await api(http_url, t.owner, "POST", f"/api/boards/{board}/activities", json=body)
    week = 1 + this_week(today - timedelta(days=2)) + this_week(soon.date())
    return f"Olivia Park: {week} this week, 1 overdue, {2 if this_week(soon.date()) else 0} hours booked"


async def test_a_manager_filters_the_team_list_and_reassigns_by_workload_live_for_the_colleague(web_server, open_page):
    t = await crew(web_server.http_url)
    olivias = await seed(web_server.http_url, t)
    page = await open_page(t.owner, f"/w/{t.workspace}/team-tasks")
    rows = page.get_by_test_id("team-task")
    await rows.filter(has_text="Clean up the lead list").wait_for()
    assert await rows.count() == 5
    strip = page.get_by_test_id("workload")
    olivia = strip.get_by_role("button", name=olivias)
    await olivia.wait_for()
    await strip.get_by_role("button", name="Mia Chen: 1 this week, 0 overdue, 0 hours booked").wait_for()
    # the colleague's own list, open in another browser, filtered to "me"
    mia = await open_page(t.member, f"/w/{t.workspace}/team-tasks")
    await mia.get_by_label("Assignee", exact=True).select_option("me")
    await mia.get_by_test_id("team-task").filter(has_text="Follow up with Initech").wait_for()
    assert await mia.get_by_test_id("team-task").count() == 1

    await page.get_by_label("Due", exact=True).select_option("overdue")
    await rows.filter(has_text="Call Globex back").wait_for()
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=team-task]').length === 1")
    await page.get_by_label("Due", exact=True).select_option("any")
    await page.get_by_label("Type", exact=True).select_option("todo")
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=team-task]').length === 2")
    await page.get_by_label("Type", exact=True).select_option("")
    await olivia.click()  # the strip filters to that person
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=team-task]').length === 3")
    await olivia.click()
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=team-task]').length === 5")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "team-tasks.png"))

    await page.get_by_label("Assign “Send the revised quote” to").select_option(label="Mia Chen")
    await page.get_by_test_id("announcer").filter(has_text="“Send the revised quote” now goes to Mia Chen.").wait_for()
    await strip.get_by_role("button", name="Mia Chen: 2 this week, 0 overdue, 0 hours booked").wait_for()
    # live: the colleague's list gains it without a reload
    await mia.get_by_test_id("team-task").filter(has_text="Send the revised quote").wait_for(timeout=15_000)
    # ticked off from the list: gone from the open list, back with "Show done"
    await mia.get_by_test_id("team-task").filter(has_text="Send the revised quote").get_by_role("checkbox").check()
    await mia.wait_for_function("() => document.querySelectorAll('[data-testid=team-task]').length === 1")
    await mia.get_by_label("Show done").check()
    await mia.get_by_test_id("team-task").filter(has_text="Send the revised quote").wait_for()

    narrow = await open_page(t.owner, f"/w/{t.workspace}/team-tasks", width=390, height=844, locale="de-DE")
    await narrow.get_by_test_id("team-task").filter(has_text="Clean up the lead list").wait_for()
    await narrow.get_by_test_id("workload").get_by_role("button").first.wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    await narrow.screenshot(path=str(SCREENSHOTS / "team-tasks-390.png"), full_page=True)
