"""What the browser lets people do follows their access: a guest sees only the board shared with
them; a viewer sees everything and can change nothing (and the server's copy stays as it was)."""

from __future__ import annotations

from tests.e2e.data import SAMPLE_DEALS, add_deals, board_doc, crew
from tests.support.accounts import add_guest, create_board


async def test_a_guest_sees_only_the_board_shared_with_them(web_server, open_page):
    t = await crew(web_server.http_url)
    shared = await create_board(web_server.http_url, t.owner, t.workspace, "Launch with Acme Agency", "project")
    await create_board(web_server.http_url, t.owner, t.workspace, "Internal hiring", "project")
    guest = await add_guest(web_server.http_url, t.owner, shared, "edit", "Gil Partner")

    page = await open_page(guest, "/")
    await page.get_by_test_id("board-tile").first.wait_for()
    tiles = await page.get_by_test_id("board-tile").all_inner_texts()
    assert len(tiles) == 1 and "Launch with Acme Agency" in tiles[0], tiles
    nav = page.get_by_role("complementary", name="Workspace navigation")
    assert await nav.get_by_role("link", name="Contacts").count() == 0
    assert await nav.get_by_role("link", name="Sales pipeline").count() == 0
    await page.get_by_role("banner").get_by_text("Guest", exact=True).wait_for()
    await page.get_by_test_id("guest-note").wait_for()

    await page.get_by_test_id("board-tile").click()
    await page.get_by_role("button", name="Add a card to To do").click()
    await page.get_by_label("Title").fill("Brief the agency")
    await page.keyboard.press("Enter")
    await page.get_by_test_id("card").filter(has_text="Brief the agency").wait_for()

    await page.goto(f"/w/{t.workspace}/boards/{t.board['id']}")
    await page.get_by_role("heading", name="Not shared with you").wait_for()
    await page.goto(f"/w/{t.workspace}/contacts")
    await page.get_by_role("heading", name="Not shared with you").wait_for()
    assert await page.get_by_test_id("contacts-table").count() == 0


async def test_a_viewer_can_change_nothing(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    before = (await board_doc(web_server.http_url, t.owner, t.document)).get_update()
    page = await open_page(t.viewer, f"/w/{t.workspace}/boards/{t.board['id']}")
    await page.get_by_test_id("read-only-board").wait_for()
    card = page.locator(f'[data-card-id="{ids[0]}"]')
    await card.wait_for()
    assert await page.get_by_role("button", name="Add a deal to Lead in").count() == 0
    assert await page.get_by_role("button", name="Add stage").count() == 0

    box = await card.bounding_box()
    await page.mouse.move(box["x"] + 20, box["y"] + 20)
    await page.mouse.down()
    await page.mouse.move(box["x"] + 600, box["y"] + 40, steps=6)
    assert await page.locator(".card--ghost").count() == 0, "nothing to drag"
    await page.mouse.up()
    await page.goto(f"/w/{t.workspace}/boards/{t.board['id']}")
    await card.focus()
    await page.keyboard.press("Space")
    await page.get_by_test_id("announcer").filter(has_text="view only").wait_for()

    await page.goto(f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids[0]}")
    panel = page.get_by_test_id("deal-panel")
    await panel.wait_for()
    assert await panel.get_by_label("Title").is_editable() is False
    assert await panel.get_by_role("button", name="Won").is_disabled()
    assert await panel.get_by_role("form", name="New activity").count() == 0
    await panel.get_by_role("tab", name="Notes").click()
    assert await panel.get_by_role("button", name="New note").count() == 0

    await page.get_by_test_id("connection").and_(page.locator('[data-state="live"]')).wait_for()
    after = await board_doc(web_server.http_url, t.owner, t.document)
    reference = await board_doc(web_server.http_url, t.owner, t.document)
    reference.apply_update(before)
    assert after.get_state() == reference.get_state(), "the board on the server is as it was"
