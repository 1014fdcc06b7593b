"""Automation events are enqueued only for what a rule could fire for (issue 16): a board without
an enabled rule gets no ``automation.event`` job from its edits, a rule's trigger type decides which
kinds of edit are enqueued, and enabling, adding or disabling a rule counts from the next edit on
(the rules are read in the projection's transaction, so on every node alike).

Real Postgres; an in-process server without a worker, so the jobs stay in the queue to be counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.accounts import AUTH, team
from tests.support.crm import ok, stages
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(module_database_url, **AUTH, worker="off", automation_settle_seconds=0)
    async with in_process_server(settings) as running:
        yield running


async def queued(server: InProcessServer, board: str) -> list[str]:
    """The kinds of the board's queued automation events, oldest first."""
    async with server.services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT convert_from(payload, 'UTF8')::jsonb ->> 'kind' AS kind FROM pgqueuer"
                                " WHERE entrypoint = 'automation.event'"
                                " AND convert_from(payload, 'UTF8')::jsonb ->> 'board' = $1 ORDER BY id", board)
    return [row["kind"] for row in rows]


async def edited(server: InProcessServer, who: Any, method: str, path: str, **kwargs: Any) -> Any:
    """The API call's answer once its change is projected (and its jobs, if any, enqueued)."""
    answer = await ok(server, who, method, path, **kwargs)
    await eventually(server.services.projector.idle, timeout=30, what="the projection")
    return answer


async def test_only_edits_a_rule_of_the_board_could_fire_for_are_enqueued(server):
    t = await team(server.http_url)
    board = t.board["id"]
    [lead, qualified, *_] = [s["stage"] for s in await stages(server, t.owner, t.workspace, board)]
    cards = f"/api/boards/{board}/cards"
    deal = await edited(server, t.owner, "POST", cards, json={"title": "Quiet", "value": 1})
    await edited(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": qualified})
    assert await queued(server, board) == [], "no rule: no job"

    rules = f"/api/workspaces/{t.workspace}/automations"
    rule = await ok(server, t.owner, "POST", rules, json={
        "name": "Qualified", "trigger": {"type": "deal_stage_entered", "board": board, "stage": qualified},
        "actions": [{"type": "add_label", "label": "q"}]})
    await edited(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"value": 2})
    await edited(server, t.owner, "POST", cards, json={"title": "New"})
    assert await queued(server, board) == [], "a stage rule waits for no value change and no new deal"
    await edited(server, t.owner, "POST", f"{cards}/{deal['id']}/move", json={"stage": lead})
    assert await queued(server, board) == ["moved"]

    await ok(server, t.owner, "POST", rules, json={
        "name": "Repriced", "trigger": {"type": "field_changed", "board": board, "field": "value"},
        "actions": [{"type": "add_label", "label": "r"}]})
    await edited(server, t.owner, "PATCH", f"{cards}/{deal['id']}", json={"value": 3})
    assert await queued(server, board) == ["moved", "value"]

    other = await team(server.http_url)  # another workspace's board: those rules are not its rules
    their_deal = await edited(server, other.owner, "POST", f"/api/boards/{other.board['id']}/cards",
                              json={"title": "Theirs"})
    await edited(server, other.owner, "PATCH", f"/api/boards/{other.board['id']}/cards/{their_deal['id']}",
                 json={"value": 9})
    assert await queued(server, other.board["id"]) == []

    for name in ("Qualified", "Repriced"):
        listed = await ok(server, t.owner, "GET", rules)
        [found] = [r for r in listed if r["name"] == name]
        await ok(server, t.owner, "PATCH", f"{rules}/{found['id']}", json={"enabled": False})
    another = await edited(server, t.owner, "POST", cards, json={"title": "After"})
    await edited(server, t.owner, "POST", f"{cards}/{another['id']}/move", json={"stage": qualified})
    assert await queued(server, board) == ["moved", "value"], "disabled rules wait for nothing"
