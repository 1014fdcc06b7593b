"""Forecast history on screen (issue 19 items 2 and 3): a weekly snapshot taken last week, then
deals slip, are pulled in, added, lost and change value through the API; the forecast's "Since
last week" panel shows each change with the API's counts, a change opens its deals with their
close-date pushes, the dashboard's team filter narrows it; the deal panel shows the pushes and edits the deal's own
probability and forecast category; Settings › Teams adds a team; German on a 390 px phone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import asyncpg

from server.services.forecast import take_snapshots
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import Team
from tests.support.crm import projected
from tests.support.waiting import eventually


def in_quarter(today: date, index: int, day: int = 15) -> str:
    first = 3 * ((today.month - 1) // 3) + 1
    return date(today.year, first + index, day).isoformat()


def after_quarter(today: date, months: int) -> str:
    """The 20th of the ``months``-th month after this quarter (1: the next quarter's first month)."""
    month = 3 * ((today.month - 1) // 3) + 3 + months  # 1-based, may run into the next year
    return date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 20).isoformat()


def quarter(today: date) -> dict[str, str]:
    first = 3 * ((today.month - 1) // 3) + 1
    end = date.fromisoformat(after_quarter(today, 1)).replace(day=1) - timedelta(days=1)
    return {"from": date(today.year, first, 1).isoformat(), "to": end.isoformat(), "tz": "UTC"}


async def history(url: str, t: Team, database_url: str, server: Any) -> dict[str, str]:
    """Five deals, a snapshot of last week, then the changes since."""
    board, today = t.board["id"], date.today()
    await api(url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    plan = [("Globex — 40 seats", 24000, t.owner, in_quarter(today, 2), {"probability": 60, "forecast_category": "commit"}),
            ("Stark rollout", 96000, t.member, after_quarter(today, 1), {}),
            ("Umbrella pilot", 12500, t.member, in_quarter(today, 1), {}),
            ("Initech renewal", 8600, t.owner, in_quarter(today, 2), {}),
            ("Hooli expansion", 31000, t.owner, in_quarter(today, 2, 12), {})]
    ids = {}
    for title, value, who, close, extra in plan:
        body = {"title": title, "value": value, "currency": "EUR", "owner": who.id, "expected_close": close, **extra}
        ids[title] = (await api(url, t.owner, "POST", f"/api/boards/{board}/cards", json=body))["id"]
    await projected(server)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:  # the weekly job, as it ran last week
        last_week = datetime.now(timezone.utc) - timedelta(days=7)
        await take_snapshots(PostgresForecastReads(pool), PostgresForecastSnapshots(pool), last_week, "UTC")
    finally:
        await pool.close()
    card = f"/api/boards/{board}/cards/{{}}"
    await api(url, t.owner, "PATCH", card.format(ids["Hooli expansion"]), json={"expected_close": after_quarter(today, 2)})
    await api(url, t.owner, "PATCH", card.format(ids["Stark rollout"]), json={"expected_close": in_quarter(today, 2, 20)})
    await api(url, t.owner, "PATCH", card.format(ids["Initech renewal"]), json={"value": 9600})
    await api(url, t.owner, "POST", f"{card.format(ids['Umbrella pilot'])}/status", json={"status": "lost", "lost_reason": "Price"})
    ids["Soylent annual"] = (await api(url, t.owner, "POST", f"/api/boards/{board}/cards", json={
        "title": "Soylent annual", "value": 18000, "currency": "EUR", "owner": t.member.id,
        "expected_close": in_quarter(today, 2, 18)}))["id"]
    return ids


async def rows_are(panel: Any, count: int) -> None:
    async def shown() -> bool:
        return await panel.locator("tbody tr").count() == count

    await eventually(shown, 5, what=f"{count} changed deals listed")


async def changes_when_projected(server: Any, t: Team) -> dict[str, Any]:
    path = f"/api/workspaces/{t.workspace}/insights/forecast/changes"

    async def complete() -> bool:
        await projected(server)
        found = await api(server.http_url, t.owner, "GET", path, params=quarter(date.today()))
        return found["week"] is not None and len(found["deals"]) == 5

    await eventually(complete, 10, what="the changes to reach the projection")
    return await api(server.http_url, t.owner, "GET", path, params=quarter(date.today()))


async def test_the_forecast_shows_what_changed_since_last_week_with_pushes_teams_and_deal_fields(
        web_server, open_page, database_url):
    url = web_server.http_url
    t = await crew(url)
    ids = await history(url, t, database_url, web_server)
    changes = await changes_when_projected(web_server, t)
    assert {k: v["deals"] for k, v in changes["totals"].items() if v["deals"]} == {
        "slipped": 1, "pulled_in": 1, "added": 1, "lost": 1, "value_changed": 1}
    assert (changes["before"]["value"], changes["now"]["value"]) == ({"EUR": 76100.0}, {"EUR": 147600.0})

    page = await open_page(t.owner, f"/w/{t.workspace}/insights")
    panel = page.get_by_test_id("forecast-changes")
    await panel.get_by_test_id("forecast-changes-table").wait_for()
    for kind, label in (("slipped", "Slipped"), ("pulled_in", "Pulled in"), ("added", "Added"), ("lost", "Lost"),
                        ("value_changed", "Value changed"), ("won", "Won")):
        button = panel.get_by_test_id(f"forecast-kind-{kind}")
        text = await button.inner_text()
        assert text.startswith(label) and str(changes["totals"][kind]["deals"]) in text, (kind, text)
    assert "Then" in await panel.inner_text() and "€76,100" in await panel.inner_text()
    assert await panel.locator("tbody tr").count() == 5
    # A change opens its deals (the keyboard way: the tiles are buttons)
    await panel.get_by_test_id("forecast-kind-slipped").focus()
    await page.keyboard.press("Enter")
    rows = panel.locator("tbody tr")
    await rows_are(panel, 1)
    cells = await rows.first.get_by_role("cell").all_inner_texts()
    assert (await rows.first.get_by_role("rowheader").inner_text(), cells[0], cells[-2], cells[-1]) == (
        "Hooli expansion", "Slipped", "-€31,000", "1"), cells
    await panel.get_by_test_id("forecast-kind-slipped").click()  # all changes again
    await rows_are(panel, 5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await panel.scroll_into_view_if_needed()
    await panel.screenshot(path=str(SCREENSHOTS / "insights-forecast-changes.png"))

    # The deal panel: the pushes, and the deal's own probability and category
    await page.goto(f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids['Hooli expansion']}")
    await page.get_by_test_id("deal-close-pushes").get_by_text("Close date pushed later once").wait_for()
    probability = page.get_by_test_id("deal-probability")
    assert await probability.get_attribute("placeholder") == "Empty: the stage’s 10 %"
    await probability.fill("35")
    await probability.press("Enter")
    await page.get_by_test_id("deal-forecast-category").select_option("best_case")
    await page.screenshot(path=str(SCREENSHOTS / "deal-forecast-fields.png"))

    async def saved() -> bool:
        await projected(web_server)
        found = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/forecast/changes",
                          params=quarter(date.today()))
        hooli = next(d for d in found["deals"] if d["title"] == "Hooli expansion")
        return (hooli["probability"], hooli["category"]) == (35.0, "best_case")

    await eventually(saved, 10, what="the deal's own probability and category to reach the projection")

    # Settings › Teams: a team of one member narrows the changes to her deals
    await page.goto(f"/w/{t.workspace}/settings/teams")
    await page.get_by_text("No teams yet").wait_for()
    await page.get_by_test_id("team-name").fill("Field sales")
    await page.get_by_role("button", name="Add team").click()
    team = page.get_by_test_id("team").filter(has_text="Members of Field sales")
    await team.get_by_label("Mia Chen").check()

    async def member_in_team() -> bool:
        teams = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/teams")
        return [(x["name"], [m["name"] for m in x["members"]]) for x in teams] == [("Field sales", ["Mia Chen"])]

    await eventually(member_in_team, 5, what="the team to be saved")
    await page.screenshot(path=str(SCREENSHOTS / "settings-teams.png"))
    await page.goto(f"/w/{t.workspace}/insights")
    await page.get_by_test_id("insights-team").select_option(label="Field sales")
    await page.wait_for_url(f"**/w/{t.workspace}/insights?team=*")
    await rows_are(panel, 3)
    titles = sorted(await panel.locator("tbody tr th").all_inner_texts())
    assert titles == ["Soylent annual", "Stark rollout", "Umbrella pilot"], titles
    # the whole dashboard follows the team: the forecast holds only Mia's open deals
    team_id = (await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/teams"))[0]["id"]
    forecast = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/forecast",
                         params={**quarter(date.today()), "team": team_id, "currency": "converted"})

    async def forecast_shown() -> bool:
        rows = await page.get_by_test_id("forecast-table").locator("tbody tr").all()
        shown = [(await r.get_by_role("cell").all_inner_texts())[0] for r in rows]
        return shown == [str(p["open_deals"]) for p in forecast["periods"]]

    await eventually(forecast_shown, 5, what="the team's forecast")
    assert sum(p["open_deals"] for p in forecast["periods"]) == 2, "Stark and Soylent: Umbrella was lost"

    # German, on a phone
    phone = await open_page(t.member, "/", width=390, height=844)
    await phone.evaluate(f"localStorage.setItem('tandem:locale:{t.member.id}', 'de')")
    await phone.goto(f"/w/{t.workspace}/insights")
    german = phone.get_by_test_id("forecast-changes")
    await german.get_by_role("heading", name="Seit letzter Woche").wait_for()
    await german.get_by_test_id("forecast-changes-table").wait_for()
    assert "Verschoben" in await german.get_by_test_id("forecast-kind-slipped").inner_text()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    await german.scroll_into_view_if_needed()
    await german.screenshot(path=str(SCREENSHOTS / "insights-forecast-changes-de-390.png"))


async def test_without_a_snapshot_the_panel_says_when_the_first_comes(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Acme"})
    await projected(web_server)  # a workspace with a deal shows the forecast
    page = await open_page(t.viewer, f"/w/{t.workspace}/insights")
    await page.get_by_test_id("forecast-changes-empty").get_by_text("No snapshot to compare with yet").wait_for()
