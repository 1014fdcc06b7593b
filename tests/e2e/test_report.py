"""The pipeline report screen: per stage of every pipeline, and owners by name (issue 14: the
report named owners by UUID and needed ?board=); in German on a 390 px phone too."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, crew
from tests.support.accounts import create_board


async def test_the_report_shows_every_pipeline_and_owners_by_name(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.board["document"], SAMPLE_DEALS)
    renewals = await create_board(web_server.http_url, t.owner, t.workspace, "Renewals")
    await add_deals(web_server.http_url, t.member, renewals["document"], [{"title": "Acme renewal", "value": 5000, "stage": 1}])

    page = await open_page(t.member, f"/w/{t.workspace}")
    await page.get_by_role("link", name="Report").click()
    await page.get_by_role("heading", name="Pipeline report").wait_for()
    await page.get_by_role("heading", name="Renewals").wait_for()
    owners = page.get_by_test_id("report-owners")
    await owners.get_by_role("rowheader", name="Olivia Park").wait_for()
    await owners.get_by_role("rowheader", name="Mia Chen").wait_for()
    assert t.owner.id not in await owners.inner_text()
    stages = page.get_by_test_id("report-stages").first
    await stages.get_by_text("$32,600").first.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "report.png"))

    await page.get_by_test_id("report-board").select_option(label="Renewals")
    await page.wait_for_url(f"**/report?board={renewals['id']}")
    await page.get_by_role("heading", name="Sales pipeline").wait_for(state="detached")
    await page.get_by_role("heading", name="Renewals").wait_for()
    assert await page.get_by_test_id("report-stages").count() == 1


async def test_the_report_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.board["document"], SAMPLE_DEALS)
    page = await open_page(t.owner, "/", width=390, height=844)
    await page.evaluate(f"localStorage.setItem('tandem:locale:{t.owner.id}', 'de')")
    await page.goto(f"/w/{t.workspace}/report")
    await page.get_by_role("heading", name="Pipeline-Bericht").wait_for()
    await page.get_by_test_id("report-owners").get_by_role("rowheader", name="Olivia Park").wait_for()
    await page.get_by_test_id("report-stages").first.get_by_text("32.600").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "report-de.png"), full_page=True)
