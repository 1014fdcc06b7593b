"""A team goal on the insights dashboard (issue 19): its figure opens the deals behind it — the deals
its members won this month, not anyone else's — as a member's goal does; by keyboard, and in German
on a 390 px phone.
"""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.e2e.test_insights import funnel_when_projected, seed_history


async def test_a_team_goals_figure_opens_the_deals_its_members_won(web_server, open_page):
    url = web_server.http_url
    t = await crew(url)
    await seed_history(url, t)
    await funnel_when_projected(web_server, t, expected_lost=4)
    closers = await api(url, t.owner, "POST", f"/api/workspaces/{t.workspace}/teams",
                        json={"name": "Closers", "members": [t.member.id]})
    await api(url, t.owner, "POST", f"/api/workspaces/{t.workspace}/goals",
              json={"team_id": closers["id"], "metric": "deals_won_count", "period": "month", "target": 2})
    (goal,) = (await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/goals", params={"tz": "UTC"}))["goals"]
    assert (goal["attainment"]["actual"], goal["deals"]["team"]) == (1.0, closers["id"]), "Hooli, won by Mia"

    page = await open_page(t.viewer, f"/w/{t.workspace}/insights")
    title = "Team Closers · Deals won · Month"
    item = page.get_by_test_id("goals-list").get_by_role("listitem").filter(has_text=title)
    figure = item.get_by_role("button", name=f"Show the deals behind {title}")
    await figure.focus()
    await page.keyboard.press("Enter")
    drill = page.get_by_test_id("insights-drill")
    await drill.get_by_role("heading", name=f"{title} — 1 deals").wait_for()
    rows = drill.locator("tbody tr")
    assert await rows.count() == 1
    assert (await rows.first.inner_text()).split("\t")[:2] == ["Hooli expansion", "Mia Chen"]
    assert await drill.get_by_role("link", name="Soylent annual").count() == 0, "the owner's win is not the team's"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "insights-team-goal-drill-down.png"))

    # German on a phone
    phone = await open_page(t.viewer, "/", width=390, height=844)
    await phone.evaluate(f"localStorage.setItem('tandem:locale:{t.viewer.id}', 'de')")
    await phone.goto(f"/w/{t.workspace}/insights")
    titel = "Team Closers · Gewonnene Deals · Monat"
    figure = phone.get_by_test_id("goals-list").get_by_role("button", name=f"Deals zu {titel} anzeigen")
    await figure.focus()
    await phone.keyboard.press("Enter")
    drill = phone.get_by_test_id("insights-drill")
    await drill.get_by_role("heading", name=f"{titel} – 1 Deals").wait_for()
    await drill.get_by_role("link", name="Hooli expansion").wait_for()
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
    await phone.screenshot(path=str(SCREENSHOTS / "insights-team-goal-drill-down-de-390.png"))
