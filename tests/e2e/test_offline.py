"""Offline: edits made while disconnected are kept in the browser (IndexedDB), survive closing the
page, and merge with what others did meanwhile once the browser is back online."""

from __future__ import annotations

from tests.e2e.data import SAMPLE_DEALS, add_deals, board_doc, crew, stages_of

COUNT_UPDATES = """async name => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = fail })
  try {
    return await new Promise(ok => { const r = db.transaction('updates').objectStore('updates').count(); r.onsuccess = () => ok(r.result) })
  } finally { db.close() }
}"""


async def test_edits_made_offline_are_kept_and_merge_when_back_online(web_server, open_page):
    t = await crew(web_server.http_url)
    ids = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS[:3])
    stages = [sid for sid, _ in stages_of(await board_doc(web_server.http_url, t.owner, t.document))]
    board_path = f"/w/{t.workspace}/boards/{t.board['id']}"
    mia = await open_page(t.member, board_path)
    olivia = await open_page(t.owner, board_path)
    await mia.locator(f'[data-card-id="{ids[0]}"]').wait_for()
    store = f"tandem:{t.member.id}:{t.document}"
    stored_before = await mia.evaluate(COUNT_UPDATES, store)

    await mia.context.set_offline(True)
    await mia.get_by_test_id("connection").and_(mia.locator('[data-state="offline"]')).wait_for()
    await mia.get_by_role("button", name="Add a deal to Lead in").click()
    await mia.get_by_label("Title", exact=True).fill("Written on the train")
    await mia.keyboard.press("Enter")
    await mia.get_by_test_id("connection").filter(has_text="1 unsynced").wait_for()
    await mia.wait_for_function(f"async () => ({COUNT_UPDATES})({store!r}).then(n => n > {stored_before})")

    # meanwhile, online, Olivia moves a deal; then Mia closes the page while still offline
    await olivia.locator(f'[data-card-id="{ids[2]}"]').focus()
    for key in ("Space", "ArrowRight", "Space"):
        await olivia.keyboard.press(key)
    await olivia.locator(f'[data-stage="{stages[2]}"] [data-card-id="{ids[2]}"]').wait_for()
    assert await olivia.get_by_text("Written on the train").count() == 0
    await mia.close()

    await mia.context.set_offline(False)
    again = await mia.context.new_page()
    await again.goto(board_path)
    await again.locator(f'[data-stage="{stages[2]}"] [data-card-id="{ids[2]}"]').wait_for()
    await again.get_by_text("Written on the train").wait_for()
    await olivia.get_by_text("Written on the train").wait_for(timeout=3000)
    await again.get_by_test_id("connection").and_(again.locator('[data-state="live"]')).wait_for()
