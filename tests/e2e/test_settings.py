"""Settings an admin changes, in Chromium (issue 14, item 2): pipelines and stages (edit, reorder by
drag and by keyboard, delete with where-the-deals-go), boards (rename, archive and restore, delete
with the name typed), lost reasons and labels — in English and German, at desktop width and 390 px.
Members see the same screens read-only."""

from __future__ import annotations

from pycrdt import Map

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, api, board_doc, crew, stages_of


async def stage_names(http_url, who, document):
    return [s["name"] for _, s in stages_of(await board_doc(http_url, who, document))]


async def test_an_admin_edits_reorders_and_deletes_stages_and_the_deals_move_where_chosen(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/pipelines")
    rows = page.get_by_test_id("stage-row")
    await rows.first.wait_for()
    qualified = rows.nth(1)
    await qualified.get_by_label("Win probability (%)").fill("30")
    await qualified.get_by_label("Rotting after (days)").fill("21")
    await qualified.get_by_label("Rotting after (days)").press("Enter")
    # keyboard: the handle moves "Qualified" up one place
    await page.get_by_role("button", name="Reorder Qualified").press("ArrowUp")
    await page.get_by_test_id("announcer").filter(has_text="Qualified moved to position 1").wait_for()
    # drag: "Negotiation" (4th) above "Proposal made" (3rd)
    handle = page.get_by_role("button", name="Reorder Negotiation")
    target = page.get_by_role("button", name="Reorder Proposal made")
    await handle.hover()
    await page.mouse.down()
    box = await target.bounding_box()
    await page.mouse.move(box["x"] + 5, box["y"] + 2, steps=8)
    await page.mouse.up()
    expected = ["Qualified", "Lead in", "Negotiation", "Proposal made", "Won", "Lost"]
    await page.wait_for_function("names => [...document.querySelectorAll('[data-testid=stage-row] input[aria-label=Stage]')]"
                                 ".map(i => i.value).join('|') === names", arg="|".join(expected))
    doc = await board_doc(web_server.http_url, t.owner, t.document)
    stages = dict((s["name"], s) for _, s in stages_of(doc))
    assert [s["name"] for _, s in stages_of(doc)] == expected
    assert (stages["Qualified"]["probability"], stages["Qualified"]["rotDays"]) == (30, 21)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "settings-pipelines.png"))

    # delete "Lead in", which holds two deals: the choice of where they go is required
    lead_in = rows.and_(page.locator("[data-name='Lead in']"))
    await lead_in.get_by_role("button", name="Delete stage: Lead in").click()
    confirm = lead_in.get_by_role("button", name="Delete stage", exact=True)
    assert await confirm.is_disabled()
    await lead_in.get_by_test_id("move-deals-to").select_option(label="Negotiation")
    await confirm.click()
    await page.get_by_test_id("announcer").filter(has_text="Deleted the stage Lead in").wait_for()
    doc = await board_doc(web_server.http_url, t.owner, t.document)
    ids = {s["name"]: sid for sid, s in stages_of(doc)}
    cards = {c.get("title"): c.get("stage") for c in doc.get("cards", type=Map).to_py().values()}
    assert "Lead in" not in ids
    assert cards["Globex — 40 seats"] == cards["Initech renewal"] == cards["Hooli expansion"] == ids["Negotiation"]


async def test_a_member_sees_the_stages_read_only_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/settings/pipelines", width=390, height=844, locale="de-DE")
    await page.get_by_test_id("settings-read-only").filter(has_text="Nur Inhaber und Admins").wait_for()
    rows = page.get_by_test_id("stage-row")
    await rows.first.wait_for()
    assert await rows.first.get_by_label("Phase").is_editable() is False
    assert await page.get_by_role("button", name="Phase hinzufügen").count() == 0
    await page.screenshot(path=str(SCREENSHOTS / "settings-pipelines-de.png"), full_page=True)


async def test_boards_are_renamed_archived_restored_and_deleted_with_their_name_typed(web_server, open_page):
    t = await crew(web_server.http_url)
    other = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/boards",
                      json={"name": "Partner projects", "kind": "project"})
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/boards")
    rows = page.get_by_test_id("board-row")
    await rows.first.wait_for()
    name = rows.and_(page.locator("[data-name='Sales pipeline']")).get_by_label("Board name")
    await name.fill("Sales DACH")
    await name.press("Enter")
    await page.locator(".nav__boards").get_by_text("Sales DACH").wait_for()
    partner = rows.and_(page.locator("[data-name='Partner projects']"))
    await partner.get_by_role("button", name="Archive").click()
    await page.locator(".nav__boards").get_by_text("Partner projects").wait_for(state="detached")
    await page.get_by_test_id("archived-filter").click()
    archived = page.get_by_test_id("board-row")
    await archived.and_(page.locator("[data-name='Partner projects']")).wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "settings-boards.png"))
    await archived.get_by_role("button", name="Restore").click()
    await page.locator(".nav__boards").get_by_text("Partner projects").wait_for()
    await page.get_by_role("button", name="Active").click()
    partner = page.get_by_test_id("board-row").and_(page.locator("[data-name='Partner projects']"))
    await partner.get_by_role("button", name="Delete").click()
    forever = partner.get_by_role("button", name="Delete for good")
    await partner.get_by_label("Type “Partner projects”").fill("Partner")
    assert await forever.is_disabled()
    await partner.get_by_label("Type “Partner projects”").fill("partner projects")
    await forever.click()
    await page.get_by_test_id("board-row").and_(page.locator("[data-name='Partner projects']")).wait_for(state="detached")
    boards = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/boards")
    assert [b["name"] for b in boards] == ["Sales DACH"] and other["id"] not in [b["id"] for b in boards]


async def test_an_archived_board_opened_by_its_link_says_so_in_german_on_a_phone(web_server, open_page):
    t = await crew(web_server.http_url)
    await add_deals(web_server.http_url, t.owner, t.board["document"], SAMPLE_DEALS[:3])
    await api(web_server.http_url, t.owner, "PATCH", f"/api/boards/{t.board['id']}", json={"archived": True})
    page = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}", width=390, height=844,
                           locale="de-DE")
    banner = page.get_by_test_id("archived-board")
    await banner.wait_for()
    assert "Dieses Board ist archiviert" in await banner.inner_text()
    await banner.get_by_role("link", name="In Einstellungen › Boards wiederherstellen").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "board-archived-de.png"))


async def test_lost_reasons_and_labels_are_kept_in_order_and_offered_where_deals_are_marked(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/lost-reasons")
    await page.get_by_text("No lost reasons yet").wait_for()
    for reason in ("Price too high", "Chose a competitor", "No budget this year"):
        await page.get_by_placeholder("New lost reason").fill(reason)
        await page.get_by_role("button", name="Add reason").click()
        await page.get_by_test_id("lost-reason").and_(page.locator(f"[data-name='{reason}']")).wait_for()
    await page.get_by_role("button", name="Move up: No budget this year").click()
    await page.get_by_test_id("lost-reason").nth(1).and_(page.locator("[data-name='No budget this year']")).wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "settings-lost-reasons.png"))
    lists = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/lists")
    assert lists["lost_reasons"] == ["Price too high", "No budget this year", "Chose a competitor"]

    await page.get_by_role("link", name="Labels").click()
    for name, colour in (("hot", "Red"), ("enterprise", "Purple"), ("partner", "Green")):
        await page.get_by_placeholder("New label name").fill(name)
        await page.locator(".inline-add").get_by_label("Colour").select_option(label=colour)
        await page.get_by_role("button", name="Add label").click()
        await page.get_by_test_id("label-row").and_(page.locator(f"[data-name='{name}']")).wait_for()
    lists = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/lists")
    assert lists["labels"] == [{"name": "hot", "colour": "red"}, {"name": "enterprise", "colour": "purple"},
                               {"name": "partner", "colour": "green"}]
    await page.screenshot(path=str(SCREENSHOTS / "settings-labels.png"))

    member = await open_page(t.member, f"/w/{t.workspace}/settings/labels", width=390, height=844, locale="de-DE")
    await member.get_by_test_id("label-row").first.wait_for()
    assert await member.get_by_role("button", name="Label hinzufügen").count() == 0
    await member.screenshot(path=str(SCREENSHOTS / "settings-labels-de.png"), full_page=True)


async def test_a_deals_labels_are_picked_from_the_list_in_colour_and_a_rename_in_settings_reaches_the_deal(
        web_server, open_page):
    t = await crew(web_server.http_url)
    lists = f"/api/workspaces/{t.workspace}/lists"
    await api(web_server.http_url, t.owner, "PATCH", lists, json={"labels": [
        {"name": "hot", "colour": "red"}, {"name": "enterprise", "colour": "purple"}]})
    ids = await add_deals(web_server.http_url, t.owner, t.document, [{"title": "Globex — 40 seats", "value": 24000, "stage": 0}])
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/contacts",
              json={"first_name": "Ada", "last_name": "Lovelace", "labels": ["hot"]})
    deal = f"/w/{t.workspace}/boards/{t.board['id']}/deals/{ids[0]}"

    member = await open_page(t.member, deal, width=390, height=844)
    picker = member.get_by_test_id("label-picker")
    await picker.get_by_label("Add a label").fill("HOT")
    await picker.get_by_role("button", name="Add", exact=True).click()
    chip = picker.locator(".tag", has_text="hot")
    await chip.wait_for()
    assert "label--red" in await chip.get_attribute("class")
    await picker.get_by_label("Add a label").fill("reseller")  # not on the list: a member may not create it
    await picker.get_by_text("is not one of the workspace’s labels").wait_for()
    assert await picker.get_by_role("button", name="Add", exact=True).is_disabled()
    await member.screenshot(path=str(SCREENSHOTS / "deal-labels-phone.png"))

    owner = await open_page(t.owner, deal)
    picker = owner.get_by_test_id("label-picker")
    await picker.locator(".tag", has_text="hot").wait_for()
    await picker.get_by_label("Add a label").fill("reseller")
    await picker.get_by_role("button", name="Create “reseller”").click()
    await picker.locator(".tag", has_text="reseller").wait_for()
    assert [label["name"] for label in (await api(web_server.http_url, t.owner, "GET", lists))["labels"]] == [
        "hot", "enterprise", "reseller"]

    settings = await open_page(t.owner, f"/w/{t.workspace}/settings/labels")
    row = settings.get_by_test_id("label-row").and_(settings.locator("[data-name='hot']"))
    name = row.get_by_label("Labels")
    await name.fill("priority")
    await name.press("Enter")
    await settings.get_by_test_id("label-row").and_(settings.locator("[data-name='priority']")).wait_for()
    await member.get_by_test_id("label-picker").locator(".tag", has_text="priority").wait_for()  # live on the open deal

    contacts = await open_page(t.owner, f"/w/{t.workspace}/contacts")
    tag = contacts.get_by_role("row", name="Ada Lovelace").locator(".tag", has_text="priority")
    await tag.wait_for()
    assert "label--red" in await tag.get_attribute("class")
    await contacts.screenshot(path=str(SCREENSHOTS / "contacts-label-colours.png"))
