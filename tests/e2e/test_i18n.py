"""German and English in the browser (issue 14, item 6): a German browser starts in German, with
German money, dates and relative words on the board, a deal, my tasks, contacts and members; an
English browser switches to German in the sidebar and the choice outlives a reload.

Screenshots: docs/screenshots/*-de.png (LOOK at them when a screen changes).
"""

from __future__ import annotations

import re

import httpx
from pycrdt import Map

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, board_doc, crew, stages_of
from tests.support.accounts import PASSWORD
from tests.support.waiting import eventually

NBSP = "\u00a0"
GERMAN_STAGES = ["Lead eingegangen", "Qualifiziert", "Angebot gesendet", "Verhandlung", "Gewonnen", "Verloren"]


async def german_board(http_url: str, t) -> list[str]:
    """The crew's pipeline as a German team keeps it: German stage names, euros, three deals."""
    await api(http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/currency", json={"currency": "EUR"})
    doc = await board_doc(http_url, t.owner, t.document)
    before = doc.get_state()
    with doc.transaction():
        stages = doc.get("stages", type=Map)
        for (stage_id, _), name in zip(stages_of(doc), GERMAN_STAGES, strict=False):
            stages[stage_id]["name"] = name
        doc.get("settings", type=Map)["currency"] = "EUR"
    async with httpx.AsyncClient(base_url=http_url, headers=t.owner.headers) as http:
        response = await http.post(f"/api/documents/{t.document}/updates", content=doc.get_update(before),
                                   headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204, response.text
    return await add_deals(http_url, t.owner, t.document, [
        {"title": "Müller GmbH – 40 Lizenzen", "value": 1234.5, "currency": "EUR", "stage": 0,
         "expectedClose": "2030-12-06", "owner": t.member.id},
        {"title": "Bäckerei Krause", "value": 8600, "currency": "EUR", "stage": 0, "idle_days": 21},
        {"title": "Schneider AG Rollout", "value": 96000, "currency": "EUR", "stage": 1},
    ])


async def test_a_german_browser_starts_in_german_with_german_formats(web_server, open_page):
    t = await crew(web_server.http_url)
    deals = await german_board(web_server.http_url, t)
    base = f"/api/workspaces/{t.workspace}"
    for first, last, phone in [("Jürgen", "Weiß", "+49 89 1234567"), ("Sabine", "Köhler", "+49 30 9876543")]:
        await api(web_server.http_url, t.owner, "POST", f"{base}/contacts", json={
            "first_name": first, "last_name": last, "phones": [phone], "emails": [f"{first.lower()}@example.de"],
            "labels": ["Kunde"], "owner_id": t.member.id})
    board_url = f"/w/{t.workspace}/boards/{t.board['id']}"

    page = await open_page(t.member, board_url, locale="de-DE")
    card = page.get_by_test_id("card").filter(has_text="Müller GmbH")
    await card.wait_for()
    assert await page.evaluate("document.documentElement.lang") == "de"
    nav = page.get_by_role("complementary")
    await nav.get_by_role("link", name="Meine Aufgaben").wait_for()
    await nav.get_by_role("link", name="Kontakte").wait_for()
    assert await page.get_by_test_id("language").input_value() == "de"
    # money in the record's currency, German style; dates and idle days in German
    assert f"1.234,50{NBSP}€" in await card.inner_text()
    assert "6. Dez. 2030" in await card.inner_text()
    assert "21 T. inaktiv" in await page.get_by_test_id("card").filter(has_text="Bäckerei Krause").inner_text()
    assert f"96.000{NBSP}€" in await page.get_by_test_id("card").filter(has_text="Schneider AG").inner_text()
    await page.get_by_role("button", name="Deal zu Lead eingegangen hinzufügen").wait_for()
    totals = await page.locator("dl.stats").text_content()
    assert "Offene Deals" in totals and f"105.834,50{NBSP}€" in totals, totals
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "board-de.png"))

    # a deal: German fields, status buttons, and a task added for today
    await page.goto(f"{board_url}/deals/{deals[0]}")
    panel = page.get_by_test_id("deal-panel")
    await panel.get_by_role("button", name="Gewonnen").wait_for()
    await panel.get_by_role("tab", name="Aktivitäten & Aufgaben").wait_for()
    await panel.get_by_label("Was ist zu tun").fill("Angebot nachfassen")
    await panel.get_by_role("form", name="Neue Aktivität").get_by_role("button", name="Hinzufügen", exact=True).click()
    activity = panel.get_by_test_id("activity").filter(has_text="Angebot nachfassen")
    await activity.wait_for()
    assert "Heute" in await activity.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "deal-panel-de.png"))

    # my tasks: the German groups and "Heute"
    await page.goto(f"/w/{t.workspace}/tasks")
    today = page.get_by_test_id("tasks-today")
    await today.get_by_role("heading", name=re.compile("^Heute")).wait_for()
    task = today.get_by_test_id("task").filter(has_text="Angebot nachfassen")
    await task.wait_for()
    assert "Heute" in await task.inner_text()
    await page.get_by_role("heading", name=re.compile("^Überfällig")).wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "tasks-de.png"))

    # contacts: German headings, columns and buttons
    await page.goto(f"/w/{t.workspace}/contacts")
    table = page.get_by_test_id("contacts-table")
    await table.get_by_role("link", name="Jürgen Weiß").wait_for()
    await page.get_by_role("heading", name="Kontakte", level=1).wait_for()
    headers = await table.locator("thead th").all_text_contents()
    assert "Telefon" in headers and "Verantwortlich" in headers, headers
    await page.get_by_role("button", name="Neuer Kontakt").wait_for()
    assert "CSV exportieren" in await page.locator(".page-header").text_content()
    await page.screenshot(path=str(SCREENSHOTS / "contacts-de.png"))

    # a contact's page: German labels, "Angelegt vor …"
    await table.get_by_role("link", name="Jürgen Weiß").click()
    await page.get_by_role("heading", name="Jürgen Weiß", level=1).wait_for()
    await page.get_by_label("Vorname").wait_for()
    assert re.search(r"Angelegt (vor \d+ (Sekunden|Minuten?)|jetzt)", await page.locator(".detail").inner_text())

    # members: roles in German
    await page.goto(f"/w/{t.workspace}/members")
    await page.get_by_role("heading", name="Mitglieder von Northwind Sales").wait_for()
    members = page.get_by_role("list", name="Mitglieder")
    await members.get_by_text("Betrachter").wait_for()
    await members.get_by_text("Inhaber").wait_for()
    await page.get_by_role("heading", name="Berechtigungen").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "members-de.png"))


async def test_a_german_phone_shows_the_board_in_german(web_server, open_page):
    t = await crew(web_server.http_url)
    await german_board(web_server.http_url, t)
    page = await open_page(t.member, f"/w/{t.workspace}/boards/{t.board['id']}", width=390, height=844, locale="de-AT")
    card = page.get_by_test_id("card").filter(has_text="Müller GmbH")
    await card.wait_for()
    assert f"€{NBSP}1.234,50" in await card.inner_text(), "an Austrian browser gets Austrian money formats"
    await page.get_by_role("button", name="Menü").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "board-de-phone.png"))


async def test_switching_to_german_in_the_sidebar_is_kept_across_a_reload(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.document, [
        {"title": "Globex — 40 seats", "value": 24000, "currency": "EUR", "stage": 0, "expectedClose": "2030-12-06"}])
    page = await open_page(t.member, f"/w/{t.workspace}/boards/{t.board['id']}")
    card = page.get_by_test_id("card").filter(has_text="Globex")
    await card.wait_for()
    nav = page.get_by_role("complementary")
    await nav.get_by_role("link", name="My tasks").wait_for()
    assert "€24,000" in await card.inner_text() and "Dec 6, 2030" in await card.inner_text()
    assert await page.evaluate("document.documentElement.lang") == "en"

    await page.get_by_label("Language").select_option("de")
    await nav.get_by_role("link", name="Meine Aufgaben").wait_for()  # no reload: everything re-renders
    assert f"24.000{NBSP}€" in await card.inner_text() and "6. Dez. 2030" in await card.inner_text()
    assert await page.evaluate("document.documentElement.lang") == "de"
    assert await page.evaluate(f"localStorage.getItem('tandem:locale:{t.member.id}')") == "de"

    await page.reload()
    await page.get_by_role("complementary").get_by_role("link", name="Meine Aufgaben").wait_for()
    await page.get_by_label("Sprache").select_option("en")
    await page.get_by_role("complementary").get_by_role("link", name="My tasks").wait_for()


async def test_the_language_chosen_in_one_browser_follows_the_user_to_a_fresh_english_one(
        web_server, open_page, chromium):
    """The choice is the user's, kept by the server: an English browser they sign in from afresh
    speaks German, and its own device choice is replaced by theirs."""
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}")
    nav = page.get_by_role("complementary")
    await nav.get_by_role("link", name="My tasks").wait_for()
    await page.get_by_label("Language").select_option("de")
    await nav.get_by_role("link", name="Meine Aufgaben").wait_for()

    async def kept() -> bool:
        async with httpx.AsyncClient(base_url=web_server.http_url, headers=t.member.headers) as http:
            return (await http.get("/api/me")).json()["locale"] == "de"
    await eventually(kept, what="the server to keep the member's German")

    browser = await chromium.browser()
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1,
                                        base_url=web_server.http_url, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(8_000)
    try:
        fresh = await context.new_page()
        await fresh.goto("/")
        await fresh.get_by_label("Work e-mail").wait_for()  # an English browser's sign-in page is English
        await fresh.evaluate("localStorage.setItem('tandem:locale', 'en')")  # and this device chose English
        await fresh.get_by_label("Work e-mail").fill(t.member.email)
        await fresh.get_by_label("Password").fill(PASSWORD)
        await fresh.get_by_role("button", name="Sign in").click()
        await fresh.get_by_role("complementary").get_by_role("link", name="Meine Aufgaben").wait_for()
        assert await fresh.evaluate("document.documentElement.lang") == "de"
        assert await fresh.evaluate("localStorage.getItem('tandem:locale')") == "de"
        await fresh.reload()  # GET /api/me says so too
        await fresh.get_by_role("complementary").get_by_role("link", name="Meine Aufgaben").wait_for()
    finally:
        await context.close()


async def test_a_board_created_in_german_gets_german_stage_names(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}", locale="de-DE")
    await page.get_by_role("button", name="Neues Board").click()
    await page.get_by_label("Name des Boards").fill("Großkunden")
    await page.get_by_role("button", name="Board anlegen").click()
    await page.get_by_role("heading", name="Großkunden", level=1).wait_for()
    for name in ("Lead eingegangen", "Qualifiziert", "Angebot gesendet", "Verhandlung", "Gewonnen"):
        await page.get_by_role("heading", name=name, level=2).wait_for()
    # written into the board document (the server seeded English names), so everyone sees them
    boards = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/boards")
    document = next(b["document"] for b in boards if b["name"] == "Großkunden")
    for _ in range(50):
        names = [values["name"] for _, values in stages_of(await board_doc(web_server.http_url, t.owner, document))]
        if names[0] == "Lead eingegangen":
            break
        await page.wait_for_timeout(100)
    assert names == GERMAN_STAGES, names


async def test_switching_language_re_renders_the_settings_screens_and_translates_every_label(web_server, open_page):
    """The settings, import, record and guest words live in the typed catalogue: a switch re-renders
    them without a reload, and labels that were English in a German app (the duplicates page's
    breadcrumb, the share dialog's placeholder, the custom field options' example) follow."""
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/labels")
    body = page.locator(".settings__body")
    await body.get_by_text("Labels mark deals and contacts").wait_for()
    nav = page.get_by_role("navigation", name="Settings sections")
    await nav.get_by_role("link", name="Pipelines & stages").wait_for()

    await page.get_by_label("Language").select_option("de")
    await body.get_by_text("Labels markieren Deals und Kontakte").wait_for()  # no reload
    nav = page.get_by_role("navigation", name="Bereiche der Einstellungen")
    await nav.get_by_role("link", name="Pipelines & Phasen").wait_for()
    await nav.get_by_role("link", name="Eigene Felder").click()
    await page.get_by_role("heading", name="Eigene Felder").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "settings-switched-de.png"))

    await page.goto(f"{web_server.http_url}/w/{t.workspace}/contacts/duplicates")
    await page.get_by_role("navigation", name="Brotkrumen").wait_for()
    assert await page.get_by_role("navigation", name="Breadcrumb").count() == 0

    await page.goto(f"{web_server.http_url}/w/{t.workspace}/boards/{t.board['id']}")
    await page.get_by_role("button", name="Teilen").click()
    email = page.get_by_role("dialog").get_by_label("E-Mail")
    await email.wait_for()
    assert await email.get_attribute("placeholder") == "partner@beispiel.de"
