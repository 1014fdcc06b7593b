"""Closing a deal asks what becomes of its open activities (issue 18): winning in the deal panel
(delete them), and dropping a deal into the Won column on the board by keyboard (mark them done,
with the note in the reader's language)."""

from __future__ import annotations

from pycrdt import Map

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, api, board_doc, card_of, crew, stages_of
from tests.e2e.deal_panel import deal_path


async def activities_of(http_url, who, document):
    doc = await board_doc(http_url, who, document)
    return {k: v.to_py() for k, v in doc.get("activities", type=Map).items()}


async def add_tasks(http_url, t, deal, *titles):
    for title in titles:
        await api(http_url, t.owner, "POST", f"/api/boards/{t.board['id']}/activities",
                  json={"type": "todo", "title": title, "card": deal})


async def test_winning_a_deal_in_the_panel_asks_about_its_open_activities_and_can_delete_them(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:2])
    await add_tasks(web_server.http_url, t, ids[0], "Send the revised quote", "Book a demo")
    await add_tasks(web_server.http_url, t, ids[1], "Call about the renewal")
    page = await open_page(t.owner, deal_path(t, ids[0]))
    await page.get_by_role("group", name="Deal status").get_by_role("button", name="Won").click()
    dialog = page.get_by_role("dialog", name="Mark this deal won")
    group = dialog.get_by_role("group", name="Its 2 open activities")
    assert await group.get_by_label("Keep open").is_checked()  # winning keeps them unless told otherwise
    await group.get_by_label("Delete").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await dialog.screenshot(path=str(SCREENSHOTS / "close-deal-won.png"))
    await dialog.get_by_role("button", name="Mark won").click()
    await dialog.wait_for(state="hidden")
    doc = await board_doc(web_server.http_url, t.owner, t.document)
    won = next(sid for sid, s in stages_of(doc) if s.get("kind") == "won")
    assert (card_of(doc, ids[0])["status"], card_of(doc, ids[0])["stage"]) == ("won", won)
    left = [a["title"] for a in (await activities_of(web_server.http_url, t.owner, t.document)).values()]
    assert left == ["Call about the renewal"]  # only the won deal's open activities went


async def test_dropping_a_deal_into_won_on_the_board_asks_and_marks_them_done_in_german(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.member, "PATCH", "/api/me", json={"locale": "de"})
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:6])
    hooli = ids[5]  # in the last open column, next to Won
    await add_tasks(web_server.http_url, t, hooli, "Vertrag schicken")
    member = await open_page(t.member, f"/w/{t.workspace}/boards/{t.board['id']}")
    card = member.locator(f'[data-card-id="{hooli}"]')
    await card.focus()
    for key in ("Space", "ArrowRight", "Space"):
        await member.keyboard.press(key)
    dialog = member.get_by_role("dialog", name="„Hooli expansion“ ist gewonnen – was wird aus den offenen Aktivitäten?")
    await dialog.get_by_label("Als erledigt markieren").check()
    await dialog.get_by_role("button", name="Übernehmen").click()
    await dialog.wait_for(state="hidden")
    tasks = list((await activities_of(web_server.http_url, t.owner, t.document)).values())
    assert tasks[0]["done"] and tasks[0]["note"] == "Geschlossen: Der Deal wurde als gewonnen markiert."
    doc = await board_doc(web_server.http_url, t.owner, t.document)
    assert card_of(doc, hooli)["status"] == "won"
