"""Contacts and organisations complete (issue 14, item 3): an organisation's page lists the notes
about it (they were invisible, and a typed one vanished after a reload), its deals and people and
its timeline; a contact's timeline; merging from the duplicates screen with chosen values; and a
bulk owner change from the list, by keyboard on a 390 px phone, in German."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.crm import projected


async def account(server, t) -> dict[str, str]:
    """Acme with Ada, a note about Acme, deals of Acme and of Ada, and activities: what the pages show
    (once projected, as they are a second after anyone adds them)."""
    http_url = server.http_url
    base = f"/api/workspaces/{t.workspace}"
    board = t.board["id"]
    acme = await api(http_url, t.owner, "POST", f"{base}/organisations",
                     json={"name": "Acme Rockets", "website": "acme-rockets.example", "labels": ["customer"]})
    ada = await api(http_url, t.owner, "POST", f"{base}/contacts", json={
        "first_name": "Ada", "last_name": "Lovelace", "job_title": "Head of Research", "organisation_id": acme["id"],
        "emails": ["ada@acme-rockets.example"]})
    await api(http_url, t.owner, "POST", f"{base}/contacts", json={
        "first_name": "Grace", "last_name": "Hopper", "job_title": "VP Engineering", "organisation_id": acme["id"]})
    await api(http_url, t.owner, "POST", "/api/notes", json={
        "subject_kind": "organisation", "subject_id": acme["id"], "board": board, "title": "Account plan 2026"})
    await api(http_url, t.owner, "POST", f"/api/boards/{board}/cards",
              json={"title": "Acme — 40 seats", "organisation": acme["id"], "value": 24000, "currency": "EUR"})
    deal = await api(http_url, t.member, "POST", f"/api/boards/{board}/cards",
                     json={"title": "Analytical engine pilot", "contact": ada["id"], "value": 12500, "currency": "EUR"})
    await api(http_url, t.member, "POST", f"/api/boards/{board}/activities",
              json={"type": "call", "title": "Discovery call", "contact": ada["id"], "card": deal.get("id")})
    await api(http_url, t.member, "POST", f"/api/boards/{board}/activities",
              json={"type": "meeting", "title": "Demo at the lab", "contact": ada["id"], "due": "2026-09-14"})
    await api(http_url, t.member, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": ada["id"], "board": board, "title": "Met at the salon"})
    await projected(server)
    return {"acme": acme["id"], "ada": ada["id"]}


async def test_an_organisations_page_shows_its_notes_deals_people_and_timeline_and_keeps_a_typed_note(
        web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await account(web_server, t)
    page = await open_page(t.member, f"/w/{t.workspace}/organisations/{ids['acme']}")
    await page.get_by_role("button", name="Account plan 2026").wait_for()  # the seeded note is listed
    deals = page.get_by_test_id("organisation-deals")
    await deals.get_by_role("link", name="Acme — 40 seats").wait_for()
    await deals.get_by_role("link", name="Analytical engine pilot").wait_for()  # one of its people's
    await page.get_by_role("region", name="People").get_by_role("link", name="Grace Hopper").wait_for()
    timeline = page.get_by_test_id("record-timeline")
    await timeline.get_by_text("Met at the salon").wait_for()
    titles = await timeline.locator(".timeline__title a, .timeline__title strong").all_inner_texts()
    assert titles[:2] == ["Met at the salon", "Demo at the lab"], f"newest first: {titles}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "organisation.png"))
    await timeline.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "organisation-timeline.png"))

    await page.get_by_role("button", name="New note").click()
    editor = page.get_by_test_id("note-editor")
    await page.get_by_role("textbox", name="Note title").wait_for()  # the note document is open
    await editor.click()
    await page.keyboard.type("Budget approved for Q3", delay=10)
    await editor.get_by_text("Budget approved for Q3").wait_for()
    await page.wait_for_timeout(3000)  # the note document is saved within its commit window
    await page.reload()
    chips = page.get_by_role("list", name="Notes").get_by_role("button")
    await chips.nth(1).wait_for()
    assert await chips.count() == 2, "the typed note is still listed after a reload"
    await chips.filter(has_text="Meeting notes").click()
    await page.get_by_test_id("note-editor").get_by_text("Budget approved for Q3").wait_for(timeout=15_000)


async def test_a_contacts_timeline_lists_what_touched_them_newest_first(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await account(web_server, t)
    page = await open_page(t.member, f"/w/{t.workspace}/contacts/{ids['ada']}")
    timeline = page.get_by_test_id("record-timeline")
    await timeline.get_by_text("Analytical engine pilot").wait_for()
    kinds = await timeline.locator(".timeline__kind").all_inner_texts()
    titles = await timeline.locator(".timeline__title a, .timeline__title strong").all_inner_texts()
    assert titles == ["Met at the salon", "Demo at the lab", "Discovery call", "Analytical engine pilot"], titles
    assert [k.lower() for k in kinds] == ["note", "meeting", "call", "deal"]
    assert "Acme — 40 seats" not in titles, "the organisation's own deal is not the contact's"
    await timeline.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "contact-timeline.png"))


async def test_two_contacts_are_merged_from_the_duplicates_screen_with_the_chosen_values(web_server, open_page):
    t = await crew(web_server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    first = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts", json={
        "first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"], "job_title": "Analyst",
        "phones": ["+44 20 7946 0958"], "labels": ["vip"]})
    second = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts", json={
        "first_name": "Ada", "last_name": "King", "emails": ["ada@engines.example", "countess@lovelace.example"],
        "job_title": "Countess of Lovelace", "labels": ["newsletter"]})
    page = await open_page(t.member, f"/w/{t.workspace}/contacts")
    await page.get_by_role("link", name="Find duplicates").click()
    pairs = page.get_by_test_id("duplicate-pairs")
    await pairs.get_by_role("button").first.wait_for()
    assert await pairs.get_by_role("button").count() == 1
    compare = page.get_by_test_id("duplicate-compare")
    await compare.get_by_role("radio", name="Job title: Countess of Lovelace").check()
    await page.screenshot(path=str(SCREENSHOTS / "duplicates-merge.png"))
    kept = first if "ada lovelace" in (await compare.locator("thead th").nth(1).inner_text()).lower() else second
    await page.get_by_role("button", name=f"Merge into {kept['name']}").click()
    await page.get_by_text("No likely duplicates").wait_for()

    listed = await api(web_server.http_url, t.member, "GET", f"{base}/contacts")
    assert [c["id"] for c in listed["items"]] == [kept["id"]]
    survivor = listed["items"][0]
    assert survivor["job_title"] == "Countess of Lovelace", "the value the user picked survives"
    assert sorted(survivor["emails"]) == ["ada@engines.example", "countess@lovelace.example"]
    assert sorted(survivor["labels"]) == ["newsletter", "vip"]


async def test_a_bulk_owner_change_by_keyboard_on_a_phone_in_german(web_server, open_page):
    t = await crew(web_server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    people = {}
    for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")]:
        people[first] = await api(web_server.http_url, t.owner, "POST", f"{base}/contacts", json={
            "first_name": first, "last_name": last, "owner_id": t.owner.id, "emails": [f"{first.lower()}@example.com"]})
    page = await open_page(t.member, f"/w/{t.workspace}/contacts", width=390, height=844, locale="de-DE")
    table = page.get_by_test_id("contacts-table")
    await table.locator("tbody tr").nth(2).wait_for()
    for name in ("Ada Lovelace", "Grace Hopper"):
        box = page.get_by_role("checkbox", name=f"{name} auswählen")
        await box.focus()
        await page.keyboard.press("Space")
        assert await box.is_checked()
    bar = page.get_by_test_id("bulk-bar")
    await bar.get_by_text("2 ausgewählt").wait_for()
    await bar.get_by_role("combobox").select_option(label="Mia Chen")
    await page.screenshot(path=str(SCREENSHOTS / "contacts-bulk.png"))
    box = await bar.bounding_box()
    assert box is not None and box["width"] <= 390, "the bar fits the phone"
    await bar.get_by_role("button", name="Übernehmen").focus()
    await page.keyboard.press("Enter")
    await bar.wait_for(state="detached")

    listed = {c["id"]: c["owner_id"] for c in (await api(web_server.http_url, t.member, "GET",
                                                            f"{base}/contacts"))["items"]}
    assert listed[people["Ada"]["id"]] == t.member.id and listed[people["Grace"]["id"]] == t.member.id
    assert listed[people["Alan"]["id"]] == t.owner.id, "a contact not selected keeps its owner"
