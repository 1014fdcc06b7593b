"""Settings › Automations in Chromium (issue 16): an admin builds a rule with the form (trigger type,
board and stage from selects, a condition, a create-task action added from the menu with its own inputs), a
deal moved into that stage runs it once, and the rule's run log shows the run with the task made;
members read the rules without the builder; the screen in German."""

from __future__ import annotations

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew, server_running_automations
from tests.support.waiting import eventually

web_server = server_running_automations()


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
    # the stage select is filled when the board's document loads; make sure our choice stands before saving
    stage = page.get_by_test_id("automation-stage")

    async def stage_chosen() -> bool:
        if await stage.input_value() != qualified["stage"]:
            await stage.select_option(qualified["stage"])
        return await stage.input_value() == qualified["stage"]

    await eventually(stage_chosen, what="the stage chosen")
    await page.get_by_test_id("automation-save").click()
    row = page.get_by_test_id("automation-row")
    await row.get_by_test_id("automation-state").filter(has_text="Enabled").wait_for()
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
    await page.screenshot(path=str(SCREENSHOTS / "automation-runs.png"), full_page=True)

    member = await open_page(t.member, f"/w/{t.workspace}/settings/automations")
    await member.get_by_test_id("automation-row").wait_for()
    assert await member.get_by_test_id("automation-builder").count() == 0

    german = await open_page(t.owner, f"/w/{t.workspace}/settings/automations", locale="de-DE")
    await german.get_by_role("heading", name="Regel bauen").wait_for()
    await german.get_by_test_id("automation-state").filter(has_text="Aktiv").wait_for()
