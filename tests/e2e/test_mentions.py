"""@mentions, following a deal and Settings › Notifications in Chromium (issue 18 item 3): type @
in a note, pick a colleague with the keyboard, and the colleague's bell shows it; the deal panel's
Follow button; the settings screen in English and, at 390 px, in German."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import SAMPLE_DEALS, add_deals, api, crew
from tests.support.accounts import add_guest
from tests.support.waiting import eventually


async def test_typing_at_and_picking_a_colleague_rings_their_bell(web_server, open_page):
    t = await crew(web_server.http_url)
    [deal, *_] = await add_deals(web_server.http_url, t.owner, t.document, SAMPLE_DEALS)
    page = await open_page(t.owner, f"/w/{t.workspace}/boards/{t.board['id']}/deals/{deal}")
    await page.get_by_role("tab", name="Notes").click()
    await page.get_by_role("button", name="New note").click()
    editor = page.get_by_test_id("note-editor")
    await editor.click()
    await page.keyboard.type("Ask @Mi", delay=20)
    picker = page.get_by_test_id("mention-picker")
    await picker.get_by_role("option", name="Mia Chen").wait_for()
    assert await picker.get_by_role("option").all_text_contents() == ["Mia Chen"], "the query narrows the list"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "note-mention-picker.png"))
    await page.keyboard.press("Enter")  # keyboard: the highlighted colleague
    await picker.wait_for(state="detached")
    await page.keyboard.type("about the quote.", delay=10)
    mention = editor.locator(".mention", has_text="@Mia Chen")
    await mention.wait_for()
    assert await mention.get_attribute("data-id") == t.member.id
    await page.keyboard.type(" @Vi", delay=20)
    await picker.get_by_role("option", name="Victor Lee").wait_for()
    assert await editor.get_attribute("aria-activedescendant") == f"mention-option-{t.viewer.id}"
    await page.keyboard.press("Escape")  # closes the list; Enter then only starts a new line
    await picker.wait_for(state="detached")
    await page.keyboard.press("Enter")
    assert await editor.locator(".mention").count() == 1

    async def mentioned() -> list:
        found = (await api(web_server.http_url, t.member, "GET", "/api/me/notifications"))["notifications"]
        return [n for n in found if n["kind"] == "mentioned"]

    [told] = await eventually(mentioned, timeout=15, what="the colleague's notification")
    assert told["card_id"] == deal and told["actor"] == "Olivia Park", "the mention names who wrote it"
    mia = await open_page(t.member, f"/w/{t.workspace}")
    await mia.get_by_test_id("notifications-unread").filter(has_text="1").wait_for()
    await mia.get_by_test_id("notifications-bell").click()
    item = mia.get_by_test_id("notification")
    await item.filter(has_text="Olivia Park mentioned you in:").get_by_role("link", name=told["message"]).wait_for()
    await mia.screenshot(path=str(SCREENSHOTS / "notification-mention.png"))
    await mia.get_by_test_id("notifications-settings").click()  # the bell leads to the settings
    await mia.get_by_test_id("notification-settings").wait_for()
    for nobody in (t.owner, t.viewer):
        found = (await api(web_server.http_url, nobody, "GET", "/api/me/notifications"))["notifications"]
        assert [n for n in found if n["kind"] == "mentioned"] == []

    # the deal panel: Follow, and its state kept by the server
    follow = page.get_by_test_id("deal-follow")
    await follow.wait_for()
    assert await follow.get_attribute("aria-pressed") == "true", "Olivia owns the deal: she follows it"
    await follow.click()
    await page.locator("[data-testid='deal-follow'][aria-pressed='false']").wait_for()
    state = await api(web_server.http_url, t.owner, "GET", f"/api/boards/{t.board['id']}/deals/{deal}/follow")
    assert state == {"following": False, "owner": True}
    await follow.focus()
    await page.keyboard.press("Enter")  # keyboard reachable
    await page.locator("[data-testid='deal-follow'][aria-pressed='true']").wait_for()
    await page.locator(".panel__header").screenshot(path=str(SCREENSHOTS / "deal-follow.png"))


async def test_settings_choose_where_each_kind_arrives_and_the_digest(web_server, open_page):
    t = await crew(web_server.http_url)
    page = await open_page(t.member, f"/w/{t.workspace}/settings/notifications")
    form = page.get_by_test_id("notification-settings")
    await form.wait_for()
    await page.get_by_test_id("notify-no-mail").wait_for()  # this server has no relay: it says so
    await page.get_by_test_id("channel-mentioned-email").check()
    await page.get_by_test_id("channel-reminder-off").focus()
    await page.keyboard.press("Space")  # keyboard reachable
    await page.get_by_test_id("digest-daily").check()
    await page.get_by_test_id("digest-hour").select_option("7")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "notification-settings.png"), full_page=True)
    await page.get_by_test_id("notify-save").click()

    async def saved() -> dict | None:
        found = await api(web_server.http_url, t.member, "GET", "/api/me/notification-settings")
        return found if found["digest"] == "daily" else None

    found = await eventually(saved, what="the settings to be saved")
    assert found["channels"] == {"assigned": "in_app", "mentioned": "email", "deal_changed": "in_app",
                                 "reminder": "off"}
    assert (found["digest_hour"], found["time_zone"]) == (7, "UTC")

    narrow = await open_page(t.member, f"/w/{t.workspace}/settings/notifications", width=390, height=844,
                             locale="de-DE")
    await narrow.get_by_text("In einer Notiz @erwähnt").wait_for()
    assert await narrow.get_by_test_id("channel-mentioned-email").is_checked()
    width = await narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"nothing wider than the screen ({width} px)"
    await narrow.screenshot(path=str(SCREENSHOTS / "notification-settings-390-de.png"), full_page=True)

    guest = await add_guest(web_server.http_url, t.owner, t.board, "read", "Gina Guest")  # mentions reach guests too
    theirs = await open_page(guest, f"/w/{t.workspace}/settings/notifications")
    await theirs.get_by_test_id("channel-mentioned-off").check()
    await theirs.get_by_test_id("notify-save").click()

    async def guest_saved() -> bool:
        found = await api(web_server.http_url, guest, "GET", "/api/me/notification-settings")
        return found["channels"]["mentioned"] == "off"

    await eventually(guest_saved, what="the guest's settings to be saved")
