"""Settings › Automations in Chromium (issue 16): an admin builds a rule with the form (trigger type,
board and stage from selects, a condition, actions added from the menu with their own inputs), a
deal moved into that stage runs it once, and the rule's run log shows the run readably (stage and
people by name, no ids); a saved rule is opened in the same form and changed (PATCH), duplicated
(disabled), enabled, and deleted after a confirmation — at 390 px, from the keyboard; members read
the rules without the builder; the screen in German."""

from __future__ import annotations

import re

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew, server_running_automations
from tests.support.waiting import eventually

web_server = server_running_automations()
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

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", locale="de-DE")
    await german.get_by_role("heading", name="Regel bauen").wait_for()
    await german.get_by_test_id("automation-state").filter(has_text="Aktiv").wait_for()
    await german.get_by_test_id("automation-runs-button").click()
    await german.get_by_test_id("automation-run").filter(has_text="Erfolgreich").wait_for()
    await german.get_by_test_id("automation-run").get_by_text(f"durch {t.owner.name}").wait_for()


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
