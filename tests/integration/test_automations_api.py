"""Automation rules over the API: admins write them with the issue's body shape, members read
them and each rule's run log; a rule that is not as expected is refused with 422 naming the field.

Real Postgres, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def stage_rule(board: str, stage: str, **extra) -> dict:
    return {"name": "Call when qualified",
            "trigger": {"type": "deal_stage_entered", "board": board, "stage": stage},
            "actions": [{"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                         "due_in_days": 1}], **extra}


async def test_an_admin_adds_a_rule_members_read_it_and_its_runs(server):
    t = await team(server.http_url)
    [_, second, *_] = await stages(server, t.owner, t.workspace, t.board["id"])
    path = f"/api/workspaces/{t.workspace}/automations"
    made = await ok(server, t.owner, "POST", path, json=stage_rule(t.board["id"], second["stage"]))
    assert made["trigger"] == {"type": "deal_stage_entered", "board": t.board["id"], "stage": second["stage"]}
    assert made["actions"][0] == {"type": "create_task", "title": "Call {{deal.title}}", "assignee": "deal_owner",
                                  "due_in_days": 1}
    assert made["enabled"] is True and made["runs"] == f"{path}/{made['id']}/runs"
    listed = await ok(server, t.member, "GET", path)
    assert [r["id"] for r in listed] == [made["id"]]
    assert await ok(server, t.viewer, "GET", made["runs"]) == []
    refused = await call(server, t.member, "POST", path, json=stage_rule(t.board["id"], second["stage"]))
    assert refused.status_code == 403
    changed = await ok(server, t.owner, "PATCH", f"{path}/{made['id']}", json={"enabled": False, "name": "Off"})
    assert (changed["enabled"], changed["name"], changed["trigger"]) == (False, "Off", made["trigger"])
    assert (await call(server, t.member, "DELETE", f"{path}/{made['id']}")).status_code == 403
    assert (await call(server, t.owner, "DELETE", f"{path}/{made['id']}")).status_code == 204
    assert await ok(server, t.owner, "GET", path) == []


async def test_a_rule_not_as_expected_is_refused_with_422_naming_the_field(server):
    t = await team(server.http_url)
    [first, *_] = await stages(server, t.owner, t.workspace, t.board["id"])
    path = f"/api/workspaces/{t.workspace}/automations"
    board = t.board["id"]
    cases = {
        "name": {**stage_rule(board, first["stage"]), "name": ""},
        "trigger.type": {**stage_rule(board, first["stage"]), "trigger": {"type": "deal_exploded", "board": board}},
        "trigger.board": stage_rule("00000000-0000-0000-0000-000000000001", first["stage"]),
        "trigger.stage": stage_rule(board, "00000000-0000-0000-0000-000000000002"),
        "actions": {**stage_rule(board, first["stage"]), "actions": []},
        "actions[0].title": {**stage_rule(board, first["stage"]), "actions": [{"type": "create_task", "title": " "}]},
        "actions[0].due_in_days": {**stage_rule(board, first["stage"]),
                                   "actions": [{"type": "create_task", "title": "x", "due_in_days": "soon"}]},
        "actions[1].stage": {**stage_rule(board, first["stage"]),
                             "actions": [{"type": "add_label", "label": "hot"},
                                         {"type": "move_deal", "stage": "00000000-0000-0000-0000-000000000003"}]},
    }
    for field, body in cases.items():
        refused = await call(server, t.owner, "POST", path, json=body)
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["field"] == field, refused.json()
