"""Service requests in Chromium (docs/service.md): the empty queue says how requests get in; a request
arrives (a customer's call, typed in by a colleague), the owner assigns it to Mia from the queue, Mia
is told in the bell, answers the customer and leaves it waiting, links the customer's deal, then solves it; the request is on
the contact's page, where "New request" starts another; Settings › Service sets the targets.
Screenshots in English, German and at 390 px."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.support.waiting import eventually


async def test_a_request_arrives_is_assigned_answered_and_solved(web_server, open_page):
    t = await crew(web_server.http_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = f"/api/workspaces/{t.workspace}"
    page = await open_page(t.owner, f"/w/{t.workspace}/requests")
    await page.get_by_text("No open requests").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "requests-empty.png"), full_page=True)

    ann = await api(web_server.http_url, t.member, "POST", f"{base}/contacts",
                    json={"first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.example"]})
    (deal,) = await add_deals(web_server.http_url, t.member, t.document,
                              [{"title": "Acme renewal", "value": 1200, "stage": 0}])
    await api(web_server.http_url, t.member, "PATCH", f"/api/boards/{t.board['id']}/cards/{deal}",
              json={"contact": ann["id"]})

    async def deal_on_contact() -> bool:
        links = await api(web_server.http_url, t.member, "GET", f"/api/contacts/{ann['id']}/links")
        return [d["title"] for d in links["deals"]] == ["Acme renewal"]

    await eventually(deal_on_contact, timeout=10, what="Ann's deal in the projection")
    await api(web_server.http_url, t.member, "POST", f"{base}/requests",
              json={"subject": "Invoice shows the wrong VAT", "contact": ann["id"], "channel": "phone",
                    "priority": "high", "body": "Ann called: invoice 2031-044 has 19 % VAT, should be 7 %."})
    await api(web_server.http_url, t.member, "POST", f"{base}/requests",
              json={"subject": "Feature idea: dark mode", "priority": "low"})
    await page.reload()
    row = page.get_by_test_id("request-row").filter(has_text="Invoice shows the wrong VAT")
    await row.wait_for()
    await page.get_by_test_id("request-view-open").filter(has_text="2").wait_for()
    await row.get_by_role("button").focus()
    await page.keyboard.press("Enter")
    view = page.get_by_test_id("request-view")
    await view.get_by_text("invoice 2031-044").wait_for()
    await view.get_by_test_id("request-assignee").select_option(label="Mia Chen")
    await page.get_by_test_id("request-filter-assignee").select_option(label="Mia Chen")
    await page.get_by_test_id("request-row").filter(has_text="Invoice shows the wrong VAT").wait_for()
    await page.get_by_test_id("request-row").filter(has_text="Feature idea").wait_for(state="detached")

    mia = await open_page(t.member, f"/w/{t.workspace}/requests")
    await mia.get_by_role("button", name="Notifications").click()
    await mia.get_by_text("Request assigned to you: Invoice shows the wrong VAT").wait_for()
    await mia.keyboard.press("Escape")
    await mia.get_by_test_id("request-row").filter(has_text="Invoice shows the wrong VAT").get_by_role("button").click()
    view = mia.get_by_test_id("request-view")
    await view.get_by_test_id("request-text").fill("Sorry, Ann: a corrected invoice is on its way today.")
    await view.get_by_test_id("request-send-wait").click()
    await view.get_by_test_id("request-message-reply").wait_for()
    await view.get_by_test_id("request-status").filter(has=mia.locator("option:checked", has_text="Waiting on customer")).wait_for()
    await view.get_by_role("radio", name="Reply to the customer").focus()
    await mia.keyboard.press("ArrowRight")  # the radio group, by keyboard: to "Internal note"
    assert await view.get_by_role("radio", name="Internal note").is_checked()
    await view.get_by_test_id("request-text").fill("Accounting fixes the VAT rule for all of Acme.")
    await view.get_by_test_id("request-send").click()
    await view.get_by_test_id("request-message-note").wait_for()
    await view.get_by_test_id("request-deal").select_option(label="Acme renewal")  # the customer's deals
    await view.get_by_test_id("request-deal-link").wait_for()
    await mia.screenshot(path=str(SCREENSHOTS / "requests.png"), full_page=True)
    await view.get_by_test_id("request-status").select_option("solved")
    await mia.get_by_test_id("request-view-solved").filter(has_text="1").wait_for()
    [solved] = (await api(web_server.http_url, t.member, "GET", f"{base}/requests", params={"status": "solved"}))[
        "requests"]
    assert solved["assignee"] == t.member.id and solved["first_response_at"] and solved["solved_at"]
    assert (solved["board"], solved["deal"]) == (t.board["id"], deal)

    await view.get_by_test_id("request-customer").click()
    history = mia.get_by_test_id("record-requests")
    await history.get_by_text("Invoice shows the wrong VAT").wait_for()
    on_timeline = mia.get_by_test_id("record-timeline").locator("li", has_text="Invoice shows the wrong VAT")
    await on_timeline.get_by_text("Solved").wait_for()  # on the customer's timeline too, with its status
    await history.get_by_test_id("record-request-add").click()
    dialog = mia.get_by_test_id("request-new")
    await dialog.get_by_test_id("request-subject").fill("Second login for the warehouse")
    await dialog.get_by_test_id("request-create").click()
    await mia.get_by_test_id("request-view").get_by_text("Second login for the warehouse").wait_for()
    await mia.get_by_test_id("request-view").get_by_test_id("request-customer").filter(has_text="Ann Lee").wait_for()

    german = await open_page(t.member, f"/w/{t.workspace}/requests?request={solved['id']}", locale="de-DE")
    await german.get_by_role("link", name="Anfragen").wait_for()
    await german.get_by_test_id("request-view").get_by_text("Gelöst").first.wait_for()
    await german.get_by_test_id("request-row").filter(has_text="Invoice shows the wrong VAT").wait_for()
    await german.screenshot(path=str(SCREENSHOTS / "requests-de.png"), full_page=True)

    narrow = await open_page(t.member, f"/w/{t.workspace}/requests", width=390, height=844, locale="de-DE")
    await narrow.get_by_test_id("request-row").filter(has_text="Second login").get_by_role("button").click()
    await narrow.get_by_test_id("request-view").get_by_test_id("request-composer").wait_for()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue is {width} px wide at 390 px"
    await narrow.screenshot(path=str(SCREENSHOTS / "requests-390-de.png"), full_page=True)


async def test_settings_service_sets_the_response_targets(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/service")
    await page.get_by_text("Connect your mailbox").wait_for()
    await page.get_by_label("Hours to first response, Urgent").fill("2")
    await page.get_by_test_id("service-save").click()
    await page.get_by_text("Service settings saved").first.wait_for()
    got = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/service-settings")
    assert got["targets"]["urgent"] == 2
    await page.screenshot(path=str(SCREENSHOTS / "settings-service.png"), full_page=True)
