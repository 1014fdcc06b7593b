"""Currencies and custom fields in Chromium (issue 14): board totals per currency and converted at
the admin's rates, Settings › Currencies and › Custom fields, and custom fields by their labels
(not raw keys) with an input per type on a contact page — in English and German."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.support.waiting import eventually


async def german(page) -> None:
    await page.evaluate("localStorage.setItem('tandem:locale', 'de')")
    await page.reload()


async def test_a_stage_never_adds_two_currencies_into_one_number_and_converts_once_rates_are_set(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.document, [
        {"title": "Müller Maschinenbau GmbH", "value": 1_000_000, "currency": "EUR", "stage": 0},
        {"title": "Globex — 40 seats", "value": 275_600, "currency": "USD", "stage": 0},
        {"title": "Leeds Hospital Trust", "value": 5_000, "currency": "GBP", "stage": 1},
        {"title": "Initech renewal", "value": 8_600, "currency": "USD", "stage": 1},
    ])
    page = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}")
    first = page.get_by_test_id("stage-total").first
    await first.filter(has_text="€1,000,000").wait_for()
    assert "$275,600" in await first.inner_text()
    assert "1,275,600" not in await first.inner_text(), "EUR and USD were added into one number"
    await api(web_server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"rates": {"EUR": 1.1}})
    await page.reload()
    await first.filter(has_text="$1,375,600").wait_for()
    assert await first.get_attribute("data-converted") == "true"
    assert await first.get_by_label("converted").count() == 1, "a converted total is marked as such"
    second = page.get_by_test_id("stage-total").nth(1)
    assert "$8,600" in await second.inner_text() and "£5,000" in await second.inner_text(), "no GBP rate: shown apart"
    assert "13,600" not in await second.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "board-currencies.png"))
    await german(page)
    await first.filter(has_text="1.375.600").wait_for()


async def test_custom_fields_show_by_their_labels_with_an_input_per_type_on_a_contact_page(web_server, open_page):
    t = await crew(web_server.http_url)
    fields = f"/api/workspaces/{t.workspace}/custom-fields"
    for body in ({"key": "branche", "label": "Branche", "type": "select", "options": ["Maschinenbau", "Handel"]},
                 {"key": "kunde_seit", "label": "Kunde seit", "type": "date"},
                 {"key": "newsletter", "label": "Newsletter", "type": "bool"},
                 {"key": "maerkte", "label": "Märkte", "type": "multi_select", "options": ["DACH", "Benelux", "Nordics"]}):
        await api(web_server.http_url, t.owner, "POST", fields, json={"entity": "contact", **body})
    contact = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts", json={
        "first_name": "Jürgen", "last_name": "Weiß",
        "fields": {"branche": "Handel", "kunde_seit": "2019-04-01", "newsletter": True}})
    page = await open_page(t.owner, f"/w/{t.workspace}/contacts/{contact['id']}")
    details = page.get_by_role("region", name="Details")
    await details.get_by_text("Kunde seit", exact=True).wait_for()
    assert await details.get_by_text("kunde_seit", exact=True).count() == 0, "no raw keys as labels"
    assert await details.get_by_label("Branche").input_value() == "Handel"
    assert await details.get_by_label("Kunde seit").input_value() == "2019-04-01"
    async def stored():
        return (await api(web_server.http_url, t.owner, "GET", f"/api/contacts/{contact['id']}"))["fields"]

    await details.get_by_label("Branche").select_option("Maschinenbau")
    # one change at a time: the page re-renders from the saved contact when a save answers
    await eventually(lambda: _has(stored, "branche", "Maschinenbau"), what="Branche saved")
    benelux = details.get_by_role("group", name="Märkte").get_by_label("Benelux")
    await benelux.click()
    await eventually(lambda: _has(stored, "maerkte", ["Benelux"]), what="Märkte saved")
    await eventually(benelux.is_checked, what="Benelux shown ticked")
    await german(page)
    await details.get_by_label("Newsletter").wait_for()
    assert await details.get_by_label("Newsletter").locator("option:checked").inner_text() == "Ja"
    assert (await stored())["maerkte"] == ["Benelux"]


async def test_an_admin_adds_orders_and_edits_custom_fields_in_settings(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/fields")
    screen = page.get_by_test_id("custom-fields-settings")
    await screen.get_by_text("No custom fields for Contacts yet").wait_for()
    form = screen.get_by_role("form", name="New field")
    for label, key, kind, options in (("Industry", "industry", "Choice (one)", "Manufacturing\nRetail"),
                                      ("Customer since", "customer_since", "Date", None),
                                      ("Website", "website", "Web address", None)):
        await form.get_by_label("Label").fill(label)
        await form.get_by_label("Type").select_option(label=kind)
        if options:
            await form.get_by_label("Options").fill(options)
        await form.get_by_role("button", name="Create field").click()
        await screen.locator(f"[data-testid=field-def][data-key={key}]").wait_for()  # the key is derived from the label
    await screen.get_by_role("button", name="Move Website up").click()
    await page.get_by_test_id("announcer").filter(has_text="Website moved to position 2 of 3").wait_for()
    industry = screen.locator("[data-key=industry]")
    await industry.get_by_role("button", name="Options (2)").click()
    await industry.get_by_label("New option").fill("Public sector")
    await industry.get_by_role("button", name="Add option").click()
    await industry.get_by_label("Option 3").wait_for()
    await industry.get_by_role("button", name="Move Public sector up").click()
    await page.wait_for_timeout(300)
    defined = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/custom-fields")
    assert [f["key"] for f in defined] == ["industry", "website", "customer_since"]
    assert defined[0]["options"] == ["Manufacturing", "Public sector", "Retail"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "settings-custom-fields.png"), full_page=True)
    member = await open_page(t.member, f"/w/{t.workspace}/settings/fields", width=390, height=844)
    await member.get_by_test_id("settings-read-only").wait_for()
    assert await member.get_by_role("form", name="New field").count() == 0


async def test_a_german_admin_sets_the_workspace_currency_and_exchange_rates(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/currencies")
    await german(page)
    screen = page.get_by_test_id("currency-settings")
    await screen.get_by_text("Noch keine Wechselkurse").wait_for()
    await screen.get_by_role("combobox", name="Währung des Arbeitsbereichs").select_option("EUR")
    await page.wait_for_function("() => document.querySelector('#workspace-currency').value === 'EUR'")
    await screen.locator("#rate-currency").select_option("USD")
    await screen.locator("#rate-value").fill("0,92")
    await screen.get_by_role("button", name="Kurs hinzufügen").click()
    await screen.get_by_test_id("rate-row").filter(has_text="USD").wait_for()
    await screen.locator("#rate-currency").select_option("CHF")
    await screen.locator("#rate-value").fill("1,05")
    await screen.get_by_role("button", name="Kurs hinzufügen").click()
    await screen.get_by_test_id("rate-row").filter(has_text="CHF").wait_for()
    saved = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/currency")
    assert saved["currency"] == "EUR" and saved["rates"] == [{"currency": "CHF", "rate": 1.05}, {"currency": "USD", "rate": 0.92}]
    board = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/boards",
                      json={"name": "Vertrieb DACH", "kind": "pipeline"})
    deal = await api(web_server.http_url, t.owner, "POST", f"/api/boards/{board['id']}/cards", json={"title": "Weiß KG"})
    assert deal["currency"] == "EUR", "new boards take the workspace currency"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "settings-currencies.png"), full_page=True)


async def _has(stored, key, value) -> bool:
    return (await stored()).get(key) == value
