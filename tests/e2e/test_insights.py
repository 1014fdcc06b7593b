"""The insights dashboard (issue 19): a history made through the API — deals added, moved through
the stages, won and lost with reasons — shows on `/w/<ws>/insights` with the API's own figures;
a bar opens the deals behind it, each opening the deal; a table exports as CSV; a member's saved
layout shows in a colleague's browser at once; goals have a clear empty state and a form; German
on a 390 px phone.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import Team
from tests.support.crm import projected
from tests.support.servers import InProcessServer
from tests.support.waiting import eventually


def this_quarter(today: date) -> dict[str, str]:
    first = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year + (first + 2) // 12, (first + 2) % 12 + 1, 1)
    return {"from": date(today.year, first, 1).isoformat(), "to": date.fromordinal(end.toordinal() - 1).isoformat()}


def month_in_quarter(today: date, index: int) -> str:
    """The 15th of the quarter's month ``index`` (0-2): an expected close in the forecast's range."""
    first = 3 * ((today.month - 1) // 3) + 1
    return date(today.year, first + index, 15).isoformat()


async def seed_history(url: str, t: Team) -> dict[str, str]:
    """Ten deals through the API: added, moved on, won, lost (two reasons on the list, one typed)."""
    board = t.board["id"]
    await api(url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    await api(url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/lists", json={"lost_reasons": ["Price", "Timing"]})
    # The forecast's categories: a deal's select field `forecast_category` (commit, best_case, pipeline, omitted)
    await api(url, t.owner, "POST", f"/api/workspaces/{t.workspace}/custom-fields",
              json={"key": "forecast_category", "label": "Forecast category", "type": "select", "entity": "deal",
                    "options": ["commit", "best_case", "pipeline", "omitted"]})
    stages = [s["stage"] for s in (await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                                             params={"board": board}))["stages"] if s["kind"] == "open"]
    today = date.today()
    plan: list[dict[str, Any]] = [
        {"title": "Globex — 40 seats", "value": 24000, "who": t.owner, "to": 3, "close": 0, "category": "commit"},
        {"title": "Stark rollout", "value": 96000, "who": t.owner, "to": 2, "close": 1, "category": "commit"},
        {"title": "Umbrella pilot", "value": 12500, "who": t.member, "to": 1, "close": 2},
        {"title": "Initech renewal", "value": 8600, "who": t.member, "to": 0, "close": 2},
        {"title": "Hooli expansion", "value": 31000, "who": t.member, "to": 2, "won": True},
        {"title": "Soylent annual", "value": 18000, "who": t.owner, "to": 3, "won": True},
        {"title": "Wayne Enterprises", "value": 54000, "who": t.owner, "to": 1, "lost": "Price"},
        {"title": "Cyberdyne", "value": 7000, "who": t.member, "to": 2, "lost": "Price"},
        {"title": "Tyrell", "value": 15000, "who": t.member, "to": 0, "lost": "Timing"},
        {"title": "Massive Dynamic", "value": 9000, "who": t.owner, "to": 1, "lost": "went with a friend"},
    ]
    ids = {}
    for deal in plan:
        body = {"title": deal["title"], "value": deal["value"], "currency": "EUR", "owner": deal["who"].id,
                "stage": stages[0]}
        if "close" in deal:
            body["expected_close"] = month_in_quarter(today, deal["close"])
        if "category" in deal:
            body["fields"] = {"forecast_category": deal["category"]}
        card = (await api(url, t.owner, "POST", f"/api/boards/{board}/cards", json=body))["id"]
        ids[deal["title"]] = card
        for stage in stages[1:deal["to"] + 1]:
            await api(url, t.owner, "POST", f"/api/boards/{board}/cards/{card}/move", json={"stage": stage})
        if deal.get("won"):
            await api(url, t.owner, "POST", f"/api/boards/{board}/cards/{card}/status", json={"status": "won"})
        if deal.get("lost"):
            await api(url, t.owner, "POST", f"/api/boards/{board}/cards/{card}/status",
                      json={"status": "lost", "lost_reason": deal["lost"]})
    return ids


async def funnel_when_projected(server: InProcessServer, t: Team, expected_lost: int) -> dict[str, Any]:
    """The API's funnel once every seeded change reached the history (the projection runs after a commit)."""
    query = {**this_quarter(date.today()), "tz": "UTC"}
    path = f"/api/workspaces/{t.workspace}/insights"

    async def complete() -> bool:
        await projected(server)
        lost = await api(server.http_url, t.owner, "GET", f"{path}/lost-reasons", params=query)
        return lost["deals"] == expected_lost

    await eventually(complete, 10, what="the seeded history to reach the insights")
    return await api(server.http_url, t.owner, "GET", f"{path}/funnel", params=query)


def euros(money: dict[str, float]) -> str:
    """An amount in EUR as the app writes it in English ("€3,985", "€3,985.50"), "—" for none."""
    value = money.get("EUR", 0)
    if not value:
        return "—"
    return f"€{value:,.0f}" if value == int(value) else f"€{value:,.2f}"


async def click_bar(page: Any, chart: str, index: int, series: int = 0) -> None:
    canvas = page.get_by_test_id(chart)
    await canvas.wait_for()
    bars = json.loads(await canvas.get_attribute("data-bars"))
    x, y = bars[series][index]
    await canvas.click(position={"x": x, "y": y})


async def test_the_dashboard_shows_the_apis_figures_drills_down_exports_and_shares_its_layout(web_server, open_page):
    url = web_server.http_url
    t = await crew(url)
    await seed_history(url, t)
    funnel = await funnel_when_projected(web_server, t, expected_lost=4)
    reps = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/reps",
                     params={**this_quarter(date.today()), "tz": "UTC"})
    await api(url, t.owner, "POST", f"/api/workspaces/{t.workspace}/goals",
              json={"metric": "deals_won_value", "period": "quarter", "target": 100000})
    await api(url, t.owner, "POST", f"/api/workspaces/{t.workspace}/goals",
              json={"user_id": t.member.id, "metric": "deals_won_count", "period": "month", "target": 2})
    goals = (await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/goals", params={"tz": "UTC"}))["goals"]

    page = await open_page(t.owner, f"/w/{t.workspace}")
    await page.get_by_role("link", name="Insights").click()
    await page.get_by_role("heading", name="Insights", level=1).wait_for()

    # Every stage's figures as the API counts them
    table = page.get_by_test_id("funnel-table")
    await table.wait_for()
    for stage in funnel["stages"]:
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=stage["stage_name"], exact=True))
        cells = await row.get_by_role("cell").all_inner_texts()
        assert cells[0] == str(stage["entered"]), (stage["stage_name"], cells)
        if stage["kind"] == "open":
            assert cells[1:3] == [str(stage["advanced"]), str(stage["lost"])], (stage["stage_name"], cells)
    # Reps by name, with the API's win rates
    reps_table = page.get_by_test_id("reps-table")
    await reps_table.wait_for()
    for rep in reps["reps"]:
        row = reps_table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=rep["owner_name"]))
        cells = await row.get_by_role("cell").all_inner_texts()
        assert cells[:2] == [str(rep["won"]), str(rep["lost"])], (rep["owner_name"], cells)
        assert cells[2] == f"{round(rep['win_rate'] * 100, 1):g}%", (rep["owner_name"], cells)
    assert t.owner.id not in await reps_table.inner_text()
    # The forecast per month, as the API weighs it
    forecast_answer = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/forecast",
                                params={**this_quarter(date.today()), "tz": "UTC", "currency": "converted"})
    forecast_table = page.get_by_test_id("forecast-table")
    await forecast_table.wait_for()
    rows = await forecast_table.locator("tbody tr").all()
    assert len(rows) == len(forecast_answer["periods"])
    for row, period in zip(rows, forecast_answer["periods"], strict=True):
        cells = await row.get_by_role("cell").all_inner_texts()
        assert cells[:3] == [str(period["open_deals"]), euros(period["weighted"]), euros(period["best_case"])], cells
    # Goals with this period's attainment as the API computes it
    goal_list = page.get_by_test_id("goals-list")
    for goal, title in zip(goals, ["The whole workspace · Value won · Quarter", "Mia Chen · Deals won · Month"],
                           strict=True):
        item = goal_list.get_by_role("listitem").filter(has_text=title)
        share = round(goal["attainment"]["attainment"] * 100)
        assert await item.get_by_role("progressbar").get_attribute("aria-valuenow") == str(min(share, 100)), title
    await page.get_by_test_id("chart-forecast").wait_for()
    await page.get_by_test_id("lost-reasons-table").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await whole_page(page, SCREENSHOTS / "insights.png")

    # A bar opens the deals behind it; a deal opens on its board
    first = funnel["stages"][0]
    await click_bar(page, "chart-funnel", 0)
    drill = page.get_by_test_id("insights-drill")
    await drill.get_by_role("heading", name=f"{first['stage_name']}: Entered — {first['entered']} deals").wait_for()
    assert await drill.get_by_role("row").count() == first["entered"] + 1
    await page.screenshot(path=str(SCREENSHOTS / "insights-drill-down.png"))
    await drill.get_by_role("link", name="Stark rollout").click()
    await page.wait_for_url(f"**/w/{t.workspace}/boards/{t.board['id']}/deals/*")
    await page.go_back()

    # The lost reasons' table exports as CSV
    lost = page.get_by_test_id("widget-lostReasons")
    await lost.get_by_role("rowheader", name="Price").wait_for()
    async with page.expect_download() as download_info:
        await lost.get_by_role("link", name="Export Lost reasons as CSV").click()
    download = await download_info.value
    text = open(await download.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("reason,kind,deals"), text
    assert "Price,listed,2" in text, text

    # The forecast, by quarter
    forecast = page.get_by_test_id("widget-forecast")
    await forecast.scroll_into_view_if_needed()
    await forecast.screenshot(path=str(SCREENSHOTS / "insights-forecast.png"))
    await forecast.get_by_test_id("forecast-quarter").click()
    await forecast.get_by_role("rowheader", name=f"Q{(date.today().month - 1) // 3 + 1} {date.today().year}").wait_for()

    # A member rearranges the shared layout; the owner's open dashboard follows once it is saved
    colleague = await open_page(t.member, f"/w/{t.workspace}/insights")
    await colleague.get_by_test_id("widget-funnel").wait_for()
    await colleague.get_by_test_id("insights-arrange").click()
    # by keyboard: the focus stays with the widget as it moves
    await colleague.get_by_role("button", name="Move Lost reasons up").focus()
    await colleague.keyboard.press("Enter")
    await colleague.wait_for_function("document.activeElement && document.activeElement.id === 'move-up-lostReasons'")
    await colleague.get_by_role("button", name="Hide Funnel").click()
    await colleague.screenshot(path=str(SCREENSHOTS / "insights-arrange.png"))
    await colleague.get_by_test_id("insights-save-layout").click()
    await page.get_by_test_id("widget-funnel").wait_for(state="detached")

    async def order() -> list[str]:
        ids = await page.locator("section.insights-widget").evaluate_all("els => els.map(e => e.dataset.testid)")
        return ids

    await eventually(lambda: _ends_with(order, ["widget-lostReasons", "widget-goals"]), 5,
                     what="the saved order in the other browser")
    # ...and it is stored: a fresh page shows it too
    await page.reload()
    await page.get_by_test_id("widget-forecast").wait_for()
    assert await page.get_by_test_id("widget-funnel").count() == 0

    # Two people arranging at once: each save writes only what that person changed
    await page.get_by_test_id("insights-arrange").click()
    await colleague.get_by_test_id("insights-arrange").click()
    await colleague.get_by_role("button", name="Move Forecast down").click()
    await colleague.get_by_test_id("insights-save-layout").click()
    await page.get_by_role("button", name="Move Goals up").click()
    await page.get_by_test_id("insights-save-layout").click()

    async def both_kept() -> bool:
        got = await order()
        return (got.index("widget-reps") < got.index("widget-forecast")  # the colleague's move
                and got.index("widget-goals") < got.index("widget-lostReasons"))  # the owner's

    await eventually(both_kept, 5, what="both people's moves in the layout")
    await eventually(lambda: _same_order(colleague, order), 5, what="the colleague's dashboard to show the same")


async def _same_order(other: Any, order: Any) -> bool:
    theirs = await other.locator("section.insights-widget").evaluate_all("els => els.map(e => e.dataset.testid)")
    return theirs == await order()


async def _ends_with(order: Any, expected: list[str]) -> bool:
    got = await order()
    return got[-2:] == expected and "widget-funnel" not in got


async def test_a_workspace_without_deals_says_so_and_an_admin_adds_a_goal(web_server, open_page):
    url = web_server.http_url
    t = await crew(url)
    viewer = await open_page(t.viewer, f"/w/{t.workspace}/insights")
    goals = viewer.get_by_test_id("widget-goals")
    await goals.get_by_role("heading", name="No goals yet").wait_for()
    await viewer.get_by_test_id("insights-no-deals").get_by_role("heading", name="No deals yet").wait_for()
    assert await viewer.get_by_test_id("widget-funnel").count() == 0, "one sentence, not five empty widgets"
    await viewer.screenshot(path=str(SCREENSHOTS / "insights-empty.png"))
    assert await goals.get_by_role("button", name="Add a goal").count() == 0
    assert await viewer.get_by_test_id("insights-arrange").count() == 0, "viewers read the shared layout"

    page = await open_page(t.owner, f"/w/{t.workspace}/insights")
    goals = page.get_by_test_id("widget-goals")
    await goals.get_by_role("button", name="Add a goal").click()
    form = goals.get_by_test_id("goal-form")
    await form.get_by_label("For").select_option(label="Mia Chen")
    await form.get_by_label("Measure").select_option(label="Deals won")
    await form.get_by_label("Target").fill("4")
    await form.get_by_role("button", name="Save goal").click()
    await goals.get_by_text("Mia Chen · Deals won · Month").wait_for()
    stored = await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/goals")
    assert [(g["user_id"], g["metric"], g["target"]) for g in stored["goals"]] == [(t.member.id, "deals_won_count", 4)]


async def test_the_dashboard_in_german_on_a_phone(web_server, open_page):
    url = web_server.http_url
    t = await crew(url)
    await seed_history(url, t)
    await funnel_when_projected(web_server, t, expected_lost=4)
    page = await open_page(t.owner, "/", width=390, height=844)
    await page.evaluate(f"localStorage.setItem('tandem:locale:{t.owner.id}', 'de')")
    await page.goto(f"/w/{t.workspace}/insights")
    await page.get_by_role("heading", name="Auswertungen", level=1).wait_for()
    await page.get_by_test_id("funnel-table").wait_for()
    await page.get_by_test_id("chart-forecast").wait_for()
    await page.get_by_test_id("widget-lostReasons").get_by_text("Sonstige (nicht in der Liste)").wait_for()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    await whole_page(page, SCREENSHOTS / "insights-de-390.png")

    # The keyboard reaches every drill-down: the counts are buttons
    lost = page.get_by_test_id("widget-lostReasons").get_by_role("button", name="Deals zu Verloren: Price (2) anzeigen")
    await lost.focus()
    await page.keyboard.press("Enter")
    drill = page.get_by_test_id("insights-drill")
    await drill.get_by_role("heading", name="Verloren: Price – 2 Deals").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "insights-drill-down-de-390.png"))
    await page.keyboard.press("Escape")
    await drill.wait_for(state="detached")


async def whole_page(page: Any, path: Any) -> None:
    """A screenshot of the whole dashboard: the app scrolls inside its main column, so the window grows to fit."""
    size = page.viewport_size
    height = await page.evaluate("document.getElementById('main').scrollHeight + 60")
    await page.set_viewport_size({"width": size["width"], "height": height})
    await page.screenshot(path=str(path))
    await page.set_viewport_size(size)
