"""Comparing reps on the dashboard (issue 19, docs/insights.md "Comparing reps"): from the rep
card, "Compare reps" shows Mia and Olivia beside everyone, "What explains the difference" first
with the API's own sentences, each opening the deals behind it; in German on a 390 px phone.

The history (written into the projection tables, the last three months): Mia's deals spend 3 days
in Qualified and most of them reach Negotiation, with two meetings each and a call within two
hours; Olivia's spend 10 days in Qualified, most are lost at Proposal, a call a day and a half
after they came in; Victor's sit in between.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import asyncpg

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import Team
from tests.support.rep_history import Deal, write_deals

H, D = timedelta(hours=1), timedelta(days=1)


def deals_of(owner: UUID, name: str, count: int, days_in_q: int, won_every: int, meetings: int,
             first_after: timedelta, reason: str, now: datetime) -> list[Deal]:
    """``count`` deals four days apart: Lead in, a day later Qualified, ``days_in_q`` later Proposal;
    all but every ``won_every``-th (lost at Proposal for ``reason``) reach Negotiation and are won.
    A call ``first_after`` the deal came in, and ``meetings`` meetings on the days after."""
    out = []
    for i in range(count):
        start = now - (80 - i * 4) * D
        proposal = start + D + days_in_q * D
        visits = [("L", start), ("Q", start + D), ("P", proposal)]
        won = i % won_every != 0
        if won:
            visits.append(("N", proposal + 2 * D))
        closed = ("won", proposal + 4 * D, None) if won else ("lost", proposal + 2 * D, reason)
        activities = (("call", start + first_after),) + tuple(("meeting", start + (2 + k) * D) for k in range(meetings))
        out.append(Deal(f"{name} {i + 1:02d}", owner, 1000 + 250 * i, visits, closed, activities))
    return out


async def seed(database_url: str, t: Team) -> dict[str, str]:
    """The history above; answers the dashboard's query (the last 90 days, custom)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    deals = [*deals_of(UUID(t.member.id), "Mia", 14, 3, 4, 2, 2 * H, "Price", now),
             *deals_of(UUID(t.owner.id), "Olivia", 14, 10, 2, 0, 36 * H, "Timing", now),
             *deals_of(UUID(t.viewer.id), "Victor", 8, 5, 3, 1, 12 * H, "Price", now)]
    conn = await asyncpg.connect(database_url)
    try:
        await write_deals(conn, UUID(t.board["id"]), UUID(t.workspace), deals)
    finally:
        await conn.close()
    today = date.today()
    return {"period": "custom", "from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat()}


async def comparison(url: str, t: Team, period: dict[str, str], lang: str) -> dict[str, Any]:
    return await api(url, t.owner, "GET", f"/api/workspaces/{t.workspace}/insights/compare", params={
        "from": period["from"], "to": period["to"], "tz": "UTC", "rep": [t.member.id, t.owner.id],
        "currency": "converted", "lang": lang})


async def open_comparison(page: Any) -> Any:
    await page.get_by_test_id("reps-table").wait_for()
    await page.get_by_test_id("reps-compare").click()
    dialog = page.get_by_test_id("insights-compare")
    await dialog.get_by_test_id("compare-gaps").wait_for()
    return dialog


async def test_two_reps_side_by_side_with_what_explains_the_difference(web_server, open_page, database_url):
    url = web_server.http_url
    t = await crew(url)
    await api(url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    period = await seed(database_url, t)
    expected = await comparison(url, t, period, "en")
    sentences = [g["text"] for g in expected["explanation"]["gaps"]]
    assert any(s.startswith("Olivia Park needs 10 days in Qualified") for s in sentences), sentences
    assert any(s.startswith("Mia Chen logs 2 meetings per won deal") for s in sentences), sentences

    page = await open_page(t.owner, f"/w/{t.workspace}/insights?period=custom&from={period['from']}&to={period['to']}")
    dialog = await open_comparison(page)
    shown = await dialog.get_by_test_id("compare-gaps").get_by_role("listitem").all_inner_texts()
    assert shown == sentences
    table = dialog.get_by_test_id("compare-table")
    header = await table.locator("thead th").all_text_contents()
    assert header == ["Figure", "Mia Chen", "Olivia Park", "All reps"]
    days = page.get_by_role("rowheader", name="Median days in Qualified", exact=True)
    row = table.get_by_role("row").filter(has=days)
    cells = await row.get_by_role("cell").all_inner_texts()
    assert [c.split("\n")[0] for c in cells] == ["3", "10", "5"], cells
    await dialog.screenshot(path=str(SCREENSHOTS / "insights-compare.png"))

    # A sentence opens the deals behind it: Olivia's deals that entered Qualified
    await dialog.get_by_role("button", name=next(s for s in sentences if s.startswith("Olivia Park needs"))).click()
    drill = page.get_by_test_id("insights-drill")
    await drill.get_by_role("heading", name="— 14 deals").wait_for()
    assert await drill.get_by_role("link", name="Olivia 01").count() == 1
    assert await drill.get_by_role("link", name="Mia 01").count() == 0
    await page.screenshot(path=str(SCREENSHOTS / "insights-compare-drill.png"))


async def test_the_comparison_in_german_on_a_phone(web_server, open_page, database_url):
    url = web_server.http_url
    t = await crew(url)
    await api(url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    period = await seed(database_url, t)
    expected = await comparison(url, t, period, "de")
    page = await open_page(t.owner, "/", width=390, height=844)
    await page.evaluate(f"localStorage.setItem('tandem:locale:{t.owner.id}', 'de')")
    await page.goto(f"/w/{t.workspace}/insights?period=custom&from={period['from']}&to={period['to']}")
    await page.get_by_role("heading", name="Auswertungen", level=1).wait_for()
    await page.get_by_test_id("reps-compare").scroll_into_view_if_needed()
    await page.get_by_role("button", name="Vertriebler vergleichen").focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_test_id("insights-compare")
    await dialog.get_by_test_id("compare-gaps").wait_for()
    shown = await dialog.get_by_test_id("compare-gaps").get_by_role("listitem").all_inner_texts()
    assert shown == [g["text"] for g in expected["explanation"]["gaps"]]
    assert any("Tage in Qualified (alle-Median" in s or "Tage in Qualified (Gesamt-Median" in s for s in shown), shown
    assert await dialog.get_by_role("columnheader", name="Alle").count() == 1
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    await page.screenshot(path=str(SCREENSHOTS / "insights-compare-de-390.png"))
