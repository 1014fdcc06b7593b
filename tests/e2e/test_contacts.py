"""Contacts in the browser: the list with search and saved segments, and a CSV import whose bad
rows are reported line by line (and nothing is imported)."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew

PEOPLE = [
    ("Ada", "Lovelace", "Analytical Engines", "Head of Research", ["customer", "vip"], "+44 20 7946 0958"),
    ("Grace", "Hopper", "Compiler Works", "VP Engineering", ["customer"], "+1 212 555 0199"),
    ("Alan", "Turing", "Bletchley Labs", "Chief Scientist", ["prospect"], "+44 1908 640404"),
    ("Katherine", "Johnson", "Orbital Dynamics", "Flight Lead", ["customer"], "+1 757 555 0142"),
    ("Linus", "Torvalds", "Kernel Co", "Founder", ["prospect", "partner"], "+1 503 555 0117"),
    ("Margaret", "Hamilton", "Orbital Dynamics", "Director of Software", ["vip"], "+1 617 555 0101"),
    ("Tim", "Berners-Lee", "Hypertext Inc", "CTO", ["partner"], "+44 20 7946 0011"),
]


async def test_the_contact_list_searches_and_keeps_segments(web_server, open_page):
    t = await crew(web_server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    orgs: dict[str, str] = {}
    for first, last, company, title, labels, phone in PEOPLE:
        if company not in orgs:
            orgs[company] = (await api(web_server.http_url, t.owner, "POST", f"{base}/organisations",
                                       json={"name": company, "website": company.lower().replace(" ", "") + ".example"}))["id"]
        await api(web_server.http_url, t.owner, "POST", f"{base}/contacts", json={
            "first_name": first, "last_name": last, "emails": [f"{first.lower()}@{company.lower().replace(' ', '')}.example"],
            "phones": [phone], "organisation_id": orgs[company], "job_title": title, "labels": labels,
            "owner_id": t.member.id if last in ("Hopper", "Johnson", "Hamilton") else t.owner.id})
    await api(web_server.http_url, t.owner, "POST", f"{base}/segments",
              json={"name": "VIP customers", "entity": "contact", "filter": {"labels": ["vip"]}})

    page = await open_page(t.member, f"/w/{t.workspace}/contacts")
    rows = page.get_by_test_id("contacts-table").locator("tbody tr")
    await rows.nth(len(PEOPLE) - 1).wait_for()
    assert await rows.count() == len(PEOPLE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "contacts.png"))

    # someone else adds a contact: it shows up without a reload (the workspace document's notice)
    await api(web_server.http_url, t.owner, "POST", f"{base}/contacts",
              json={"first_name": "Hedy", "last_name": "Lamarr", "job_title": "Inventor"})
    await rows.filter(has_text="Hedy Lamarr").wait_for(timeout=3000)

    await page.get_by_role("searchbox", name="Search contacts", exact=True).fill("love")
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=contacts-table] tbody tr').length === 1")
    assert "Ada Lovelace" in await rows.first.inner_text()
    await page.get_by_role("searchbox", name="Search contacts", exact=True).fill("")
    await page.get_by_role("button", name="VIP customers").click()
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=contacts-table] tbody tr').length === 2")
    names = await rows.locator("th strong").all_inner_texts()
    assert sorted(names) == ["Ada Lovelace", "Margaret Hamilton"]

    await rows.get_by_role("link", name="Ada Lovelace").click()
    await page.get_by_role("heading", level=1).filter(has_text="Ada Lovelace").wait_for()


async def test_a_csv_with_bad_rows_imports_nothing_and_shows_each_problem(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/import")
    csv = ("first_name,last_name,emails,phones\n"
           "Ada,Lovelace,ada@example.com,+44 20 7946 0958\n"
           ",,nobody@example.com,\n"
           "Grace,Hopper,not-an-email,12\n").encode()
    await page.locator("input[type=file]").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv}])
    preview = page.get_by_test_id("import-preview")
    await preview.get_by_text("Fix the problems below").wait_for()
    bad = preview.locator("tr.import-row--error td:first-child")
    assert await bad.all_inner_texts() == ["3", "4"], "each bad line is marked in the preview"
    assert await preview.get_by_role("button", name="Import 1 row").is_disabled(), "all or nothing by default"
    listed = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/contacts")
    assert listed["items"] == [], "a file with bad rows imports nothing"
