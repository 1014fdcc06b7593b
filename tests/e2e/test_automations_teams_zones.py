"""Settings › Automations in Chromium: a schedule's time zone (its author's by default) with its next
three runs in that zone, and a task handed to a team in turns — at 390 px, from the keyboard, in
English and German (docs/automations.md › Schedules and time zones, Round robin)."""

from __future__ import annotations

from typing import Any

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew, server_running_automations

web_server = server_running_automations()


async def runs_shown(page: Any) -> list[str]:
    runs = page.get_by_test_id("automation-next-runs").locator("li")
    await runs.nth(2).wait_for()
    return await runs.all_inner_texts()


async def no_sideways_scroll(page: Any) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


async def test_a_schedule_shows_its_zone_and_next_runs_and_a_task_goes_to_a_team_in_turns(web_server, open_page):
    t = await crew(web_server.http_url)
    path = f"/api/workspaces/{t.workspace}/automations"
    await api(web_server.http_url, t.owner, "PUT", "/api/me/notification-settings",
              json={"channels": {}, "time_zone": "Europe/Berlin"})
    sales = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                      json={"name": "Sales", "members": [t.owner.id, t.member.id]})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", width=390, height=844)
    await page.get_by_text("No automations yet").wait_for()
    add_action = page.get_by_test_id("automation-add-action")

    # a schedule starts in its author's zone; the next runs are at 09:00 there, whatever the browser's
    await page.get_by_test_id("automation-name").fill("Weekly review")
    await page.get_by_test_id("automation-trigger").select_option("schedule")
    cron, zone = page.get_by_test_id("automation-cron"), page.get_by_test_id("automation-time-zone")
    await cron.fill("0 9 * * 1")
    await page.wait_for_function("document.querySelector('[data-testid=automation-time-zone]').value === 'Europe/Berlin'")
    shown = await runs_shown(page)
    assert len(shown) == 3 and all(run.startswith("Mon") and "09:00" in run for run in shown), shown
    await cron.focus()
    await page.keyboard.press("Tab")  # the zone is the next stop after the cron
    assert await page.evaluate("document.activeElement.dataset.testid") == "automation-time-zone"
    await zone.select_option("America/New_York")
    await page.get_by_test_id("automation-next-runs").filter(has_text="America/New York").wait_for()
    assert all("09:00" in run for run in await runs_shown(page))
    await zone.select_option("Europe/Berlin")
    await page.get_by_test_id("automation-next-runs").filter(has_text="Europe/Berlin").wait_for()
    await add_action.select_option("notify")
    await page.get_by_test_id("automation-person").select_option(t.member.id)
    await page.get_by_test_id("automation-notify-message").fill("Time for the weekly pipeline review")
    await page.get_by_test_id("automation-next-runs").scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "automation-schedule-zone-phone.png"), full_page=True)
    assert await no_sideways_scroll(page)
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="Weekly review").filter(
        has_text="(Europe/Berlin)").wait_for()

    # a task handed to the Sales team in turns; the builder says who that is now
    await page.get_by_test_id("automation-name").fill("Sales calls")
    await page.get_by_test_id("automation-trigger").select_option("deal_created")
    await add_action.select_option("create_task")
    person = page.get_by_test_id("automation-person")
    await person.select_option(f"team:{sales['id']}")
    members_now = page.get_by_test_id("automation-team-members")
    await members_now.filter(has_text="Olivia Park, Mia Chen").wait_for()
    await person.focus()
    await page.keyboard.press("ArrowUp")  # reachable from the keyboard: another choice, then back
    await page.keyboard.press("ArrowDown")
    assert await person.input_value() == f"team:{sales['id']}"
    await person.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "automation-team-round-robin-phone.png"), full_page=True)
    assert await no_sideways_scroll(page)
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="Sales calls").wait_for()

    rules = {r["name"]: r for r in await api(web_server.http_url, t.owner, "GET", path)}
    assert rules["Weekly review"]["trigger"] == {"type": "schedule", "cron": "0 9 * * 1", "time_zone": "Europe/Berlin"}
    assert rules["Sales calls"]["actions"][0]["assignee"] == {"round_robin_team": sales["id"]}

    # an edit shows the team chosen
    await page.get_by_test_id("automation-row").filter(has_text="Sales calls").get_by_test_id("automation-edit").click()
    assert await page.get_by_test_id("automation-person").input_value() == f"team:{sales['id']}"
    await page.get_by_test_id("automation-cancel").click()

    # German, 390 px: the zone and the runs in the German date format
    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", width=390, height=844, locale="de-DE")
    await german.get_by_test_id("automation-row").filter(has_text="Weekly review").filter(
        has_text="(Europe/Berlin)").wait_for()
    await german.get_by_test_id("automation-row").filter(has_text="Weekly review").get_by_test_id(
        "automation-edit").click()
    await german.get_by_test_id("automation-next-runs").filter(has_text="Nächste Läufe").wait_for()
    assert await german.get_by_test_id("automation-board").input_value() == "", "saved without a board, shown so"
    shown = await runs_shown(german)
    assert all(run.startswith("Mo") and "09:00" in run for run in shown), shown
    await german.get_by_test_id("automation-next-runs").scroll_into_view_if_needed()
    await german.screenshot(path=str(SCREENSHOTS / "automation-schedule-zone-de-phone.png"), full_page=True)
    assert await no_sideways_scroll(german)
    await german.get_by_test_id("automation-cancel").click()
    await german.get_by_test_id("automation-trigger").select_option("deal_created")
    await german.get_by_test_id("automation-add-action").select_option("create_task")
    options = await german.get_by_test_id("automation-person").locator("optgroup").get_attribute("label")
    assert options == "Ein Team (reihum)", options
