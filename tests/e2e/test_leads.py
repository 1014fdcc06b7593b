"""The leads inbox in Chromium (docs/leads.md): an admin makes a web form in Settings › Lead forms, a
visitor fills its snippet on another site, the lead shows in the inbox with its counts, is converted
into a deal on the board (stage picked), the deal is on the board with the lead's contact and links
back to the lead;
screenshots in English, German and at 390 px; the empty inbox says how leads get in."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.waiting import eventually


async def test_a_lead_arrives_by_the_form_shows_in_the_inbox_and_is_converted_into_a_deal(web_server, open_page):
    t = await crew(web_server.http_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await open_page(t.owner, f"/w/{t.workspace}/leads")
    await page.get_by_text("No leads here yet").wait_for()
    await page.get_by_role("link", name="Set up a web form").click()

    await page.get_by_label("Form name").fill("Website contact")
    await page.get_by_role("checkbox", name="Organisation").check()
    await page.get_by_role("button", name="Create form").click()
    snippet = await page.get_by_test_id("lead-form-snippet").input_value()
    assert 'name="organisation_name"' in snippet and 'name="website"' in snippet
    await page.screenshot(path=str(SCREENSHOTS / "lead-forms.png"), full_page=True)

    site = await page.context.new_page()  # someone's website with the snippet pasted in
    await site.set_content(f"<!doctype html><title>Northwind</title>{snippet}")
    await site.get_by_label("Name").fill("Ann Lee")
    await site.get_by_label("E-mail").fill("ann@acme.example")
    await site.get_by_label("Company").fill("Acme")
    await site.get_by_label("Message").fill("We need 40 seats by March.")
    await site.get_by_role("button", name="Send").click()
    await site.get_by_text("Thank you").wait_for()
    await site.close()

    await page.get_by_role("link", name="Leads").click()
    row = page.get_by_test_id("lead-row").filter(has_text="Acme · Ann Lee")
    await row.wait_for()
    await page.get_by_test_id("lead-view-inbox").filter(has_text="1").wait_for()
    await row.get_by_role("button").click()
    detail = page.get_by_test_id("lead-detail")
    await detail.get_by_text("Web form").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "leads.png"), full_page=True)

    await detail.get_by_test_id("lead-convert").click()
    form = detail.get_by_test_id("lead-convert-form")
    await form.get_by_test_id("lead-convert-stage").locator("option").nth(1).wait_for(state="attached")
    stage = await form.get_by_test_id("lead-convert-stage").locator("option").nth(1).get_attribute("value")
    await form.get_by_test_id("lead-convert-stage").select_option(stage)
    await form.get_by_test_id("lead-convert-go").click()
    await page.get_by_test_id("lead-view-converted").filter(has_text="1").wait_for()
    await page.get_by_test_id("lead-view-converted").click()
    await page.get_by_test_id("lead-row").filter(has_text="Acme · Ann Lee").get_by_role("button").click()
    await detail.get_by_test_id("lead-converted").wait_for()
    [lead] = (await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/leads",
                        params={"status": "converted"}))["leads"]
    assert lead["contact"] and lead["organisation"] and lead["board"] == t.board["id"]

    await detail.get_by_role("link", name="Open the deal").click()
    card = page.locator(f'[data-stage="{stage}"] [data-card-id="{lead["deal"]}"]')
    await card.filter(has_text="Acme · Ann Lee").wait_for()

    async def deal_has_contact() -> bool:
        deals = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/deals")
        return any(d["id"] == lead["deal"] and d["contact"] == lead["contact"] for d in deals)

    await eventually(deal_has_contact, timeout=10, what="the deal's contact in the projection")
    origin = page.get_by_test_id("deal-lead-origin")
    await origin.get_by_role("link", name="From the lead “Acme · Ann Lee” (Web form)").click()
    await page.get_by_test_id("lead-detail").get_by_test_id("lead-converted").wait_for()

    german = await open_page(t.member, f"/w/{t.workspace}/leads", locale="de-DE")
    await german.get_by_test_id("lead-view-converted").click()
    await german.get_by_test_id("lead-row").filter(has_text="Acme · Ann Lee").get_by_role("button").click()
    await german.get_by_test_id("lead-converted").get_by_text("Umgewandelt").wait_for()
    await german.screenshot(path=str(SCREENSHOTS / "leads-de.png"), full_page=True)

    narrow = await open_page(t.member, f"/w/{t.workspace}/leads", width=390, height=844, locale="de-DE")
    await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/leads",
              json={"person_name": "Bo Berg", "organisation_name": "Globex", "value": 4800, "currency": "EUR"})
    await narrow.reload()
    await narrow.get_by_test_id("lead-row").filter(has_text="Globex · Bo Berg").get_by_role("button").click()
    await narrow.get_by_test_id("lead-detail").get_by_role("button", name="In Deal umwandeln").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the inbox is {width} px wide at 390 px"
    await narrow.screenshot(path=str(SCREENSHOTS / "leads-390-de.png"), full_page=True)


async def test_bulk_archive_hides_leads_and_the_archived_view_restores_them_by_keyboard(web_server, open_page):
    t = await crew(web_server.http_url)
    for name in ("Cy Doe", "Di Roe"):
        await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/leads",
                  json={"person_name": name})
    page = await open_page(t.member, f"/w/{t.workspace}/leads")
    await page.get_by_label("Select all shown").check()
    await page.get_by_test_id("lead-bulk-archive").click()
    await page.get_by_text("No leads here yet").wait_for()
    archived = page.get_by_test_id("lead-view-archived")
    await archived.filter(has_text="2").wait_for()
    await archived.focus()
    await page.keyboard.press("Enter")
    await page.get_by_label("Select Cy Doe").focus()
    await page.keyboard.press("Space")
    await page.get_by_test_id("lead-bulk-restore").focus()
    await page.keyboard.press("Enter")
    await page.get_by_test_id("lead-view-inbox").filter(has_text="1").wait_for()
