"""The notification bell in Chromium (issue 16 item 2): a rule's notify action tells the deal's
owner; the bell in their top bar shows the unread count, its panel lists the notification with a
link to the deal, and marking it read clears the count; keyboard reachable; at 390 px too; German."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew, server_running_automations
from tests.support.waiting import eventually

web_server = server_running_automations()


async def test_the_bell_shows_a_rules_notification_and_marks_it_read(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    report = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                       params={"board": board})
    [_, qualified, *_] = report["stages"]
    await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/automations", json={
        "name": "Tell the owner", "trigger": {"type": "deal_stage_entered", "board": board,
                                              "stage": qualified["stage"]},
        "actions": [{"type": "notify", "user": "deal_owner", "message": "{{deal.title}} is qualified: call them"}]})
    cards = f"/api/boards/{board}/cards"
    # Mia owns the deal and so follows it: only the rule's message is counted here (docs/notifications.md)
    await api(web_server.http_url, t.member, "PUT", "/api/me/notification-settings",
              json={"channels": {"deal_changed": "off"}})
    deal = await api(web_server.http_url, t.owner, "POST", cards, json={"title": "Acme", "owner": t.member.id})
    await api(web_server.http_url, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified["stage"]})

    async def told() -> list:
        return (await api(web_server.http_url, t.member, "GET", "/api/me/notifications"))["notifications"]

    await eventually(told, timeout=30, what="the member's notification")
    page = await open_page(t.member, f"/w/{t.workspace}")
    bell = page.get_by_test_id("notifications-bell")
    await page.get_by_test_id("notifications-unread").filter(has_text="1").wait_for()
    assert await bell.get_attribute("aria-label") == "Notifications: 1 unread"
    await bell.focus()
    await page.keyboard.press("Enter")  # keyboard reachable
    item = page.get_by_test_id("notification")
    link = item.get_by_role("link", name="Acme is qualified: call them")
    await link.wait_for()
    assert await link.get_attribute("href") == f"/w/{t.workspace}/boards/{board}/deals/{deal['id']}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "notifications.png"))
    await item.get_by_role("button", name="Mark read").click()
    await page.get_by_test_id("notifications-unread").wait_for(state="detached")
    assert (await api(web_server.http_url, t.member, "GET", "/api/me/notifications"))["unread"] == 0
    await page.keyboard.press("Escape")
    await page.get_by_role("dialog", name="Notifications").wait_for(state="detached")

    owner = await open_page(t.owner, f"/w/{t.workspace}")  # the owner was not told
    await owner.get_by_test_id("notifications-bell").click()
    await owner.get_by_text("No notifications yet").wait_for()

    narrow = await open_page(t.member, f"/w/{t.workspace}", width=390, height=844, locale="de-DE")
    await narrow.get_by_role("button", name="Benachrichtigungen").click()
    panel = narrow.get_by_role("dialog", name="Benachrichtigungen")
    await panel.get_by_role("link", name="Acme is qualified: call them").wait_for()
    box = await panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    await narrow.screenshot(path=str(SCREENSHOTS / "notifications-390.png"))


async def test_an_admin_builds_a_wait_then_notify_rule_and_its_run_shows_waiting_until(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    report = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                       params={"board": board})
    [_, qualified, *_] = report["stages"]
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations")
    await page.get_by_text("No automations yet").wait_for()
    await page.get_by_test_id("automation-name").fill("Follow up later")
    await page.get_by_test_id("automation-trigger").select_option("deal_stage_entered")
    await page.get_by_test_id("automation-stage").select_option(qualified["stage"])
    await page.get_by_test_id("automation-add-action").select_option("wait")
    wait = page.get_by_test_id("automation-action").nth(0)
    await wait.get_by_label("Unit").select_option("hours")
    await wait.get_by_test_id("automation-wait-amount").fill("3")
    await page.get_by_test_id("automation-add-action").select_option("notify")
    await page.get_by_test_id("automation-notify-message").fill("Follow up on {{deal.title}}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "automation-wait-builder.png"), full_page=True)
    await page.get_by_test_id("automation-save").click()
    row = page.get_by_test_id("automation-row")
    await row.get_by_test_id("automation-state").filter(has_text="Enabled").wait_for()
    [rule] = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/automations")
    assert rule["actions"] == [{"type": "wait", "hours": 3},
                               {"type": "notify", "user": "deal_owner", "message": "Follow up on {{deal.title}}"}]

    cards = f"/api/boards/{board}/cards"
    deal = await api(web_server.http_url, t.owner, "POST", cards, json={"title": "Acme", "owner": t.member.id})
    await api(web_server.http_url, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified["stage"]})

    async def waiting() -> list:
        runs = await api(web_server.http_url, t.owner, "GET", rule["runs"])
        return [r for r in runs if r["status"] == "waiting"]

    await eventually(waiting, timeout=30, what="the run to wait")
    await row.get_by_test_id("automation-runs-button").click()
    run = page.get_by_test_id("automation-run")
    await run.filter(has_text="Waiting").wait_for()
    await run.filter(has_text="waiting until").wait_for()  # the wait's result names when it ends
    await run.get_by_test_id("automation-waiting").wait_for()  # and the run says what follows
    await page.screenshot(path=str(SCREENSHOTS / "automation-waiting.png"), full_page=True)
