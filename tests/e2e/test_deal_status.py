"""A deal's status and its tasks in the app (issue 14's bugs): marking a deal lost moves it out of
its open column into the Lost column (the board's status filter shows won and lost deals), its
open tasks are closed with a note saying why, and the lost reason comes from the workspace's list
or free text; after adding an activity, "Assign to" shows the person the next one goes to."""

from __future__ import annotations

from tests.e2e.data import SAMPLE_DEALS, add_deals, api, board_doc, card_of, crew, stages_of
from tests.e2e.deal_panel import add_activity, deal_path
from pycrdt import Map


async def activities_of(http_url, who, document):
    doc = await board_doc(http_url, who, document)
    return {k: v.to_py() for k, v in doc.get("activities", type=Map).items()}


async def test_after_adding_an_activity_assign_to_shows_whom_the_next_one_goes_to(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:1])
    page = await open_page(t.owner, deal_path(t, ids[0]))
    form = await add_activity(page, "Send the quote", assign_to="Mia Chen")
    shown = await form.get_by_label("Assign to").first.evaluate("s => s.options[s.selectedIndex].text")
    await form.get_by_label("What needs doing").fill("Call back about the quote")
    await form.get_by_role("button", name="Add").click()
    await page.get_by_test_id("activity").filter(has_text="Call back about the quote").wait_for()
    second = next(a for a in (await activities_of(web_server.http_url, t.owner, t.document)).values()
                  if a["title"] == "Call back about the quote")
    names = {t.owner.id: "Olivia Park (me)", t.member.id: "Mia Chen"}
    assert shown == names.get(second.get("assignee"), "Nobody"), f"the form showed {shown!r}"


async def test_marking_a_deal_lost_moves_it_to_lost_with_a_reason_and_closes_its_open_tasks(web_server, open_page):
    t = await crew(web_server.http_url)
    await api(web_server.http_url, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/lists",
              json={"lost_reasons": ["Price too high", "Chose a competitor"]})
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:2])
    board = f"/api/boards/{t.board['id']}"
    for title in ("Send the revised quote", "Book a demo"):
        await api(web_server.http_url, t.owner, "POST", f"{board}/activities",
                  json={"type": "todo", "title": title, "card": ids[0]})
    page = await open_page(t.owner, deal_path(t, ids[0]))
    await page.get_by_role("group", name="Deal status").get_by_role("button", name="Lost").click()
    dialog = page.get_by_role("dialog", name="Mark this deal lost")
    await dialog.get_by_label("Reason").select_option(label="Chose a competitor")
    await dialog.get_by_label("Mark done").check()  # the default; keep and delete are the others
    await dialog.get_by_role("button", name="Mark lost").click()
    await dialog.wait_for(state="hidden")

    doc = await board_doc(web_server.http_url, t.owner, t.document)
    lost_stage = next(sid for sid, s in stages_of(doc) if s.get("kind") == "lost")
    card = card_of(doc, ids[0])
    assert (card["status"], card["stage"], card.get("lostReason")) == ("lost", lost_stage, "Chose a competitor")
    tasks = [a for a in (await activities_of(web_server.http_url, t.owner, t.document)).values() if a.get("card") == ids[0]]
    assert [a["done"] for a in tasks] == [True, True] and all("lost" in a.get("note", "") for a in tasks)
    # the board: out of its open column; the Lost filter shows it
    await page.get_by_role("button", name="Close panel").click()
    lead_in = page.get_by_role("list", name="Lead in cards")
    await lead_in.get_by_test_id("card").filter(has_text="Initech renewal").wait_for()
    assert await lead_in.get_by_test_id("card").filter(has_text="Globex").count() == 0
    await page.get_by_label("Show deals").select_option("lost")
    await page.get_by_test_id("card").filter(has_text="Globex").wait_for()
    assert await page.get_by_test_id("card").filter(has_text="Initech renewal").count() == 0
