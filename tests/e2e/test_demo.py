"""The German demo (``seed-demo --url … --locale de``) as a German sales rep first sees it: the
pipeline with German stage names and euro totals, and the contacts with umlauts and +49 numbers,
on a desktop and on a 390 px phone.

Screenshots: docs/screenshots/demo-de-board.png, demo-de-contacts.png, demo-de-board-phone.png
(LOOK at them when the demo or these screens change).
"""

from __future__ import annotations

import httpx

from server import demo
from server.settings import Settings
from tests.e2e.browser import SCREENSHOTS
from tests.support.accounts import PASSWORD, Account


async def test_the_german_demo_reads_as_a_german_team_keeps_it(web_server, open_page):
    summary = await demo.seed_demo(Settings(), url=web_server.http_url, locale="de", password=PASSWORD)
    assert summary.url == web_server.http_url and summary.words.workspace == "Nordwind Vertrieb"
    async with httpx.AsyncClient(base_url=web_server.http_url) as http:
        signed = (await http.post("/api/auth/login", json={"email": "owner@demo.tandem.test",
                                                            "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {signed['token']}"}
        [workspace] = (await http.get("/api/workspaces", headers=headers)).json()
        boards = (await http.get(f"/api/workspaces/{workspace['id']}/boards", headers=headers)).json()
    pipeline = next(b for b in boards if b["name"] == "Neugeschäft")
    owner = Account(signed["token"], signed["user"]["id"], "owner@demo.tandem.test", "Katrin Schäfer")
    board_url = f"/w/{workspace['id']}/boards/{pipeline['id']}"

    page = await open_page(owner, board_url, locale="de-DE")
    await page.get_by_text("Lead eingegangen").first.wait_for()
    await page.get_by_test_id("card").first.wait_for()
    text = await page.get_by_role("main").inner_text()
    for word in ("Qualifiziert", "Angebot gesendet", "Verhandlung", "Lizenzen", "€", "GmbH"):
        assert word in text, word
    assert "$" not in text and "Lead in" not in text
    await page.screenshot(path=str(SCREENSHOTS / "demo-de-board.png"))

    await page.goto(f"/w/{workspace['id']}/contacts")
    await page.get_by_test_id("contacts-table").locator("tbody tr").first.wait_for()
    listed = await page.get_by_test_id("contacts-table").inner_text()
    assert any(ch in listed for ch in "äöüß") and "+49" in listed and "GmbH" in listed
    await page.screenshot(path=str(SCREENSHOTS / "demo-de-contacts.png"))

    phone = await open_page(owner, board_url, width=390, height=844, locale="de-DE")
    await phone.get_by_test_id("card").first.wait_for()
    await phone.screenshot(path=str(SCREENSHOTS / "demo-de-board-phone.png"))
