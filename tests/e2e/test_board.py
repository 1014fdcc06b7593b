"""The pipeline board in two browsers: a drag by one person shows at the other's within a second,
a keyboard move lands where it is announced, presence shows who is on the board."""

from __future__ import annotations

import time

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, board_doc, card_of, crew, stages_of


async def centre(locator) -> tuple[float, float]:
    box = await locator.bounding_box()
    assert box is not None, "element is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def test_a_deal_dragged_by_one_person_moves_on_the_others_board_within_a_second(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    stages = [sid for sid, _ in stages_of(await board_doc(web_server.http_url, t.owner, t.document))]
    board_path = f"/w/{t.workspace}/boards/{t.board['id']}"
    owner = await open_page(t.owner, board_path)
    member = await open_page(t.member, board_path)
    deal = ids[0]  # "Globex — 40 seats", first stage
    for page in (owner, member):
        await page.locator(f'[data-stage="{stages[0]}"] [data-card-id="{deal}"]').wait_for()
    await member.get_by_role("group", name="On this board").get_by_role("img", name="Olivia Park").wait_for()

    card = owner.locator(f'[data-card-id="{deal}"]')
    target = owner.locator(f'[data-stage="{stages[2]}"] [data-card-id="{ids[4]}"]')  # above "Wayne Enterprises"
    x, y = await centre(card)
    tx, ty = await centre(target)
    await owner.mouse.move(x, y)
    await owner.mouse.down()
    await owner.mouse.move(x + 20, y + 10, steps=3)
    await owner.mouse.move(tx, ty - 20, steps=8)
    await owner.locator(f'[data-stage="{stages[2]}"] .drop-line').wait_for()
    await owner.mouse.up()
    dropped = time.monotonic()
    await member.locator(f'[data-stage="{stages[2]}"] [data-card-id="{deal}"]').wait_for(timeout=1000)
    seen_after = time.monotonic() - dropped
    assert seen_after < 1.0, f"the other person saw the move after {seen_after:.2f} s"

    order = await member.locator(f'[data-stage="{stages[2]}"] [data-card-id]').evaluate_all(
        "els => els.map(e => e.dataset.cardId)")
    assert order == [deal, ids[4]], "dropped above Wayne Enterprises, and so it shows for both"
    stored = card_of(await board_doc(web_server.http_url, t.owner, t.document), deal)
    assert stored["stage"] == stages[2]
    assert stored["rank"] < card_of(await board_doc(web_server.http_url, t.owner, t.document), ids[4])["rank"]
    await member.locator(f'[data-stage="{stages[2]}"] [data-testid="stage-total"]').filter(has_text="78,000").wait_for()
    # who has which deal open: Olivia opens Stark Industries, and Mia's board shows her on that card
    await owner.locator(f'[data-card-id="{ids[3]}"]').click()
    await owner.get_by_test_id("deal-panel").wait_for()
    await member.locator(f'[data-card-id="{ids[3]}"]').get_by_role("group", name="Open by").get_by_role(
        "img", name="Olivia Park").wait_for()
    await member.mouse.move(5, 5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await member.screenshot(path=str(SCREENSHOTS / "board.png"))


async def test_a_card_moved_by_keyboard_lands_where_it_was_announced(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:4])
    stages = [sid for sid, _ in stages_of(await board_doc(web_server.http_url, t.owner, t.document))]
    member = await open_page(t.member, f"/w/{t.workspace}/boards/{t.board['id']}")
    card = member.locator(f'[data-card-id="{ids[1]}"]')  # "Initech renewal": first stage, second place
    await card.focus()
    await member.keyboard.press("Space")
    announcer = member.get_by_test_id("announcer")
    await announcer.filter(has_text="Picked up Initech renewal").wait_for()
    await member.keyboard.press("ArrowRight")
    await announcer.filter(has_text="Qualified, position 2 of 3").wait_for()
    await member.keyboard.press("ArrowUp")
    await announcer.filter(has_text="position 1 of 3").wait_for()
    await member.keyboard.press("Space")
    await announcer.filter(has_text="Initech renewal dropped in Qualified, position 1").wait_for()
    order = await member.locator(f'[data-stage="{stages[1]}"] [data-card-id]').evaluate_all(
        "els => els.map(e => e.dataset.cardId)")
    assert order == [ids[1], ids[2], ids[3]]
    # focus stays on the moved card, so the next move can follow
    await member.wait_for_function("id => document.activeElement?.dataset.cardId === id", arg=ids[1], timeout=2000)
