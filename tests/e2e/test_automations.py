"""Settings › Automations in Chromium (issue 16): an admin builds a rule with the form (trigger type,
board and stage from selects, a condition, actions added from the menu with their own inputs), a
deal moved into that stage runs it once, and the rule's run log shows the run readably (stage and
people by name, no ids); a saved rule is opened in the same form and changed (PATCH), duplicated
(disabled), enabled, and deleted after a confirmation — at 390 px, from the keyboard; members read
the rules without the builder; the screen in German."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.support.accounts import AUTH
from tests.support.servers import in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(name="web_server")
async def web_server(database_url: str) -> Any:
    """A server whose worker runs the automation jobs (settling for 0.3 s), with a secret key: a rule
    that calls a webhook gets a signing secret."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", housekeeping_cron="",
                            automation_settle_seconds=0.3, secret_key=Fernet.generate_key().decode())
    async with in_process_server(settings) as running:
        yield running

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def test_an_admin_builds_a_rule_with_the_form_and_reads_its_run_log(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    report = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                       params={"board": board})
    [_, qualified, *_] = report["stages"]
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations")
    await page.get_by_text("No automations yet").wait_for()
    await page.get_by_test_id("automation-name").fill("Call when qualified")
    await page.get_by_test_id("automation-trigger").select_option("deal_stage_entered")
    # chosen at once, while the board's stages may still be loading or refreshing: the choice stands
    await page.get_by_test_id("automation-stage").select_option(qualified["stage"])
    await page.get_by_test_id("automation-add-action").select_option("create_task")
    await page.get_by_test_id("automation-action").filter(has_text="Create a task").wait_for()
    assert await page.get_by_test_id("automation-task-title").input_value() == "Call {{deal.title}}"
    await page.get_by_test_id("automation-add-action").select_option("add_label")
    await page.get_by_test_id("automation-action").nth(1).get_by_label("Label").fill("qualified")
    await page.get_by_test_id("automation-add-condition").click()
    await page.get_by_test_id("automation-condition").get_by_label("Value").fill("1000")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "automation-builder.png"), full_page=True)
    assert await page.get_by_test_id("automation-stage").input_value() == qualified["stage"]
    await page.get_by_test_id("automation-save").click()
    row = page.get_by_test_id("automation-row")
    await row.get_by_test_id("automation-state").filter(has_text="Enabled").wait_for()
    await row.get_by_test_id("automation-summary").filter(has_text=qualified["name"]).wait_for()
    [rule] = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/automations")
    assert rule["trigger"] == {"type": "deal_stage_entered", "board": board, "stage": qualified["stage"]}
    assert [a["type"] for a in rule["actions"]] == ["create_task", "add_label"]
    assert rule["conditions"] == [{"field": "value", "op": "greater_than", "value": 1000}]

    cards = f"/api/boards/{board}/cards"
    deal = await api(web_server.http_url, t.owner, "POST", cards, json={"title": "Acme", "owner": t.member.id,
                                                                         "value": 5000})
    await api(web_server.http_url, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified["stage"]})

    async def finished() -> list:
        runs = await api(web_server.http_url, t.owner, "GET", rule["runs"])
        return [r for r in runs if r["status"] == "succeeded"]

    await eventually(finished, timeout=30, what="the rule's run")
    await row.get_by_test_id("automation-runs-button").click()
    run = page.get_by_test_id("automation-run")
    await run.filter(has_text="Succeeded").wait_for()
    await run.get_by_text("“Call Acme”").wait_for()
    text = await run.inner_text()
    assert f"for {t.member.name}" in text and qualified["name"] in text and "qualified" in text, text
    assert f"by {t.owner.name}" in text, text
    assert not UUID.search(text), f"the run log shows ids: {text}"
    await page.screenshot(path=str(SCREENSHOTS / "automation-runs.png"), full_page=True)

    member = await open_page(t.member, f"/w/{t.workspace}/settings/automations")
    await member.get_by_test_id("automation-row").wait_for()
    assert await member.get_by_test_id("automation-builder").count() == 0
    assert await member.get_by_test_id("automation-edit").count() == 0

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", locale="de-DE", width=390, height=844)
    await german.get_by_role("heading", name="Regel bauen").wait_for()
    await german.get_by_test_id("automation-state").filter(has_text="Aktiv").wait_for()
    await german.get_by_test_id("automation-runs-button").click()
    await german.get_by_test_id("automation-run").filter(has_text="Erfolgreich").wait_for()
    await german.get_by_test_id("automation-run").get_by_text(f"durch {t.owner.name}").wait_for()
    assert await german.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    await german.get_by_test_id("automation-run").scroll_into_view_if_needed()
    await german.screenshot(path=str(SCREENSHOTS / "automation-runs-de-390.png"))


async def test_a_saved_rule_is_edited_duplicated_enabled_and_deleted_on_a_phone_by_keyboard(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    path = f"/api/workspaces/{t.workspace}/automations"
    report = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                       params={"board": board})
    [_, qualified, proposal, *_] = report["stages"]
    saved = await api(web_server.http_url, t.owner, "POST", path, json={
        "name": "Follow up", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified["stage"]},
        "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner"}]})
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", width=390, height=844)
    row = page.get_by_test_id("automation-row").filter(has_text="Follow up")
    await row.get_by_test_id("automation-edit").focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="Edit “Follow up”").wait_for()
    name = page.get_by_test_id("automation-name")
    assert await name.input_value() == "Follow up"
    assert await page.evaluate("document.activeElement.dataset.testid") == "automation-name", "focus moves to the form"
    stage = page.get_by_test_id("automation-stage")
    await eventually(lambda: _value_is(stage, qualified["stage"]), timeout=10, what="the saved stage shown")
    await name.fill("Follow up soon")
    await stage.select_option(proposal["stage"])
    await page.get_by_test_id("automation-person").select_option(t.member.id)
    await page.get_by_test_id("automation-save").click()
    await page.get_by_role("heading", name="Build a rule").wait_for()

    async def changed() -> list:
        rules = await api(web_server.http_url, t.owner, "GET", path)
        return rules if rules[0]["name"] == "Follow up soon" else []

    [rule] = await eventually(changed, timeout=10, what="the rule changed, not a second one")
    assert rule["id"] == saved["id"] and rule["trigger"]["stage"] == proposal["stage"], rule
    assert rule["actions"][0]["assignee"] == t.member.id, rule
    # an overflowing phone screen is one a person cannot use
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # the list shows the saved rule before it is duplicated (a copy is made from the row as listed)
    await page.get_by_test_id("automation-row").filter(has_text="Follow up soon").wait_for()
    await page.get_by_test_id("automation-duplicate").click()
    copy = page.get_by_test_id("automation-row").filter(has_text="Follow up soon (copy)")
    await copy.get_by_test_id("automation-state").filter(has_text="Disabled").wait_for()
    await page.get_by_role("heading", name="Edit “Follow up soon (copy)”").wait_for()
    await page.get_by_test_id("automation-cancel").click()
    rules = await api(web_server.http_url, t.owner, "GET", path)
    assert len(rules) == 2 and {(r["name"], r["enabled"]) for r in rules} == {("Follow up soon", True),
                                                                             ("Follow up soon (copy)", False)}
    assert rules[0]["trigger"] == rules[1]["trigger"] and rules[0]["actions"] == rules[1]["actions"]
    await copy.get_by_test_id("automation-toggle").focus()
    await page.keyboard.press("Enter")
    await copy.get_by_test_id("automation-state").filter(has_text="Enabled").wait_for()

    page.once("dialog", lambda dialog: dialog.dismiss())  # "no": nothing is deleted
    await copy.get_by_test_id("automation-delete").click()
    await copy.get_by_test_id("automation-state").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    await copy.get_by_test_id("automation-delete").click()
    await copy.wait_for(state="detached")
    assert [r["name"] for r in await api(web_server.http_url, t.owner, "GET", path)] == ["Follow up soon"]


async def _value_is(select, wanted: str) -> bool:
    return await select.input_value() == wanted


async def test_schedule_activity_and_custom_field_rules_are_built_with_the_form(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    path = f"/api/workspaces/{t.workspace}/automations"
    tier = await api(web_server.http_url, t.owner, "POST", f"/api/workspaces/{t.workspace}/custom-fields",
                     json={"key": "tier", "label": "Tier", "type": "text", "entity": "deal"})
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", width=390, height=844)
    await page.get_by_text("No automations yet").wait_for()
    name, trigger = page.get_by_test_id("automation-name"), page.get_by_test_id("automation-trigger")
    add_action = page.get_by_test_id("automation-add-action")

    # a schedule: its cron in words, a wrong one said so; only actions that need no deal are offered
    await name.fill("Weekly review")
    await trigger.select_option("schedule")
    cron, preview = page.get_by_test_id("automation-cron"), page.get_by_test_id("automation-cron-preview")
    await cron.fill("0 9 * *")
    await preview.filter(has_text="Not a schedule").wait_for()
    await cron.fill("0 9 * * 1")
    await preview.filter(has_text="At 09:00, only on Monday").wait_for()
    offered = await add_action.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["", "notify", "call_webhook", "wait"], offered
    assert await page.get_by_test_id("automation-conditions").count() == 0
    await add_action.select_option("notify")
    people = await page.get_by_test_id("automation-person").locator("option").evaluate_all(
        "options => options.map(o => o.value)")
    assert "deal_owner" not in people and t.member.id in people, people
    await page.get_by_test_id("automation-person").select_option(t.member.id)
    await page.get_by_test_id("automation-notify-message").fill("Time for the weekly pipeline review")
    await page.screenshot(path=str(SCREENSHOTS / "automation-builder-schedule-phone.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="Weekly review").get_by_text(
        "At 09:00, only on Monday").wait_for()

    # an overdue call: a task handed out in turns, and a webhook called
    await name.fill("Overdue calls")
    await trigger.select_option("activity_overdue")
    await page.get_by_test_id("automation-activity-type").select_option("call")
    await add_action.select_option("create_task")
    await page.get_by_test_id("automation-person").select_option("round_robin")
    turns = page.get_by_test_id("automation-round-robin")
    await turns.get_by_label(t.viewer.name).check()
    await add_action.select_option("call_webhook")
    await page.get_by_test_id("automation-webhook-url").fill("https://hooks.example.com/tandem")
    await page.get_by_test_id("automation-webhook-payload").fill('{"source": "tandem"}')
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="Overdue calls").wait_for()
    # the secret its requests are signed with, shown once
    secret = await page.get_by_test_id("automation-secret-value").inner_text()
    assert secret.startswith("whsec_"), secret
    await page.get_by_test_id("automation-secret").get_by_role("button", name="Done").click()

    # a custom field's change, by its label
    await name.fill("Tier changed")
    await trigger.select_option("field_changed")
    await page.get_by_test_id("automation-field").select_option(label="Tier")
    await page.get_by_test_id("automation-to").fill("gold")
    await add_action.select_option("add_label")
    await page.get_by_test_id("automation-action").get_by_label("Label").fill("gold")
    await page.get_by_test_id("automation-save").click()
    await page.get_by_test_id("automation-row").filter(has_text="Tier changed").filter(has_text="Tier").wait_for()

    rules = {r["name"]: r for r in await api(web_server.http_url, t.owner, "GET", path)}
    weekly, overdue, tiered = rules["Weekly review"], rules["Overdue calls"], rules["Tier changed"]
    assert weekly["trigger"]["type"] == "schedule" and weekly["trigger"]["cron"] == "0 9 * * 1", weekly
    assert weekly["actions"] == [{"type": "notify", "user": t.member.id,
                                  "message": "Time for the weekly pipeline review"}]
    assert overdue["trigger"] == {"type": "activity_overdue", "board": board, "activity_type": "call"}, overdue
    [task, hook] = overdue["actions"]
    assert sorted(task["assignee"]["round_robin"]) == sorted([t.owner.id, t.member.id, t.viewer.id]), task
    assert hook == {"type": "call_webhook", "url": "https://hooks.example.com/tandem", "payload": {"source": "tandem"}}
    assert tiered["trigger"] == {"type": "field_changed", "board": board, "field": f"custom:{tier['id']}",
                                 "from": None, "to": "gold"}, tiered

    # an edit shows what was saved
    await page.get_by_test_id("automation-row").filter(has_text="Overdue calls").get_by_test_id("automation-edit").click()
    assert await page.get_by_test_id("automation-activity-type").input_value() == "call"
    assert await page.get_by_test_id("automation-webhook-url").input_value() == "https://hooks.example.com/tandem"
    assert await turns.get_by_label(t.viewer.name).is_checked()
    await page.get_by_test_id("automation-cancel").click()

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", locale="de-DE")
    await german.get_by_test_id("automation-row").filter(has_text="Weekly review").get_by_text(
        "Um 09:00, nur jeden Montag").wait_for()
    await german.get_by_test_id("automation-trigger").select_option("schedule")
    await german.get_by_test_id("automation-cron").fill("30 8 * * 1-5")
    await german.get_by_test_id("automation-cron-preview").filter(has_text="Montag bis Freitag").wait_for()


async def test_the_run_log_says_why_a_chain_of_rules_stopped(web_server, open_page):
    t = await crew(web_server.http_url)
    board = t.board["id"]
    path = f"/api/workspaces/{t.workspace}/automations"
    report = await api(web_server.http_url, t.owner, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                       params={"board": board})
    [lead, qualified, *_] = report["stages"]
    ping = await api(web_server.http_url, t.owner, "POST", path, json={
        "name": "Ping", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified["stage"]},
        "actions": [{"type": "move_deal", "stage": lead["stage"]}]})
    await api(web_server.http_url, t.owner, "POST", path, json={
        "name": "Pong", "trigger": {"type": "deal_stage_entered", "board": board, "stage": lead["stage"]},
        "actions": [{"type": "move_deal", "stage": qualified["stage"]}]})
    cards = f"/api/boards/{board}/cards"
    deal = await api(web_server.http_url, t.owner, "POST", cards, json={"title": "Ball"})
    await api(web_server.http_url, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified["stage"]})

    async def stopped_anywhere() -> list:
        rules = await api(web_server.http_url, t.owner, "GET", path)
        found = []
        for rule in rules:
            found += [(rule["name"], r) for r in await api(web_server.http_url, t.owner, "GET", rule["runs"])
                      if r["status"] == "stopped"]
        return found

    [(name, _)] = await eventually(stopped_anywhere, timeout=30, what="the chain stopped")
    page = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", width=390, height=844)
    row = page.get_by_test_id("automation-row").filter(has_text=name)
    await row.get_by_test_id("automation-runs-button").click()
    halted = row.get_by_test_id("automation-run").filter(has_text="Stopped")
    await halted.get_by_text("depth limit").wait_for()
    text = await halted.inner_text()
    assert "caused by the rule “Ping”" in text or "caused by the rule “Pong”" in text, text
    assert not UUID.search(text), f"the run log shows ids: {text}"
    moved = row.get_by_test_id("automation-run").filter(has_text="Succeeded").first
    assert f"{lead['name']} → {qualified['name']}" in await moved.inner_text() or \
        f"{qualified['name']} → {lead['name']}" in await moved.inner_text()
    await halted.scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "automation-runs-stopped-phone.png"))
