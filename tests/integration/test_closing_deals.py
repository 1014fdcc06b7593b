"""Closing a deal asks what becomes of its open activities: keep, mark done or delete (issue 18).

Real Postgres, real sockets, one server for the module (authentication on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pycrdt import Map

from client.crm import open_board
from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


async def deal_with_tasks(server: InProcessServer, who: Any, board: str, title: str) -> tuple[str, list[str]]:
    """A deal with two open activities and one already done; returns (deal, [open ids..., done id])."""
    deal = await ok(server, who, "POST", f"/api/boards/{board}/cards", json={"title": title})
    ids = []
    for name, done in ((f"Call {title}", False), (f"Mail {title}", False), (f"Met {title}", True)):
        made = await ok(server, who, "POST", f"/api/boards/{board}/activities",
                        json={"type": "call", "title": name, "card": deal["id"], "done": done, "note": "n"})
        ids.append(made["id"])
    return deal["id"], ids


async def activities(server: InProcessServer, who: Any, board: str) -> dict[str, dict[str, Any]]:
    async with open_board(server.ws_url, board, token=who.token) as live:
        return {key: dict(value) for key, value in live.doc.get("activities", type=Map).items()}


async def test_winning_a_deal_marks_its_open_activities_done_deletes_them_or_keeps_them(server):
    t = await team(server.http_url)
    board = t.board["id"]
    cards = f"/api/boards/{board}/cards"
    done_deal, done_ids = await deal_with_tasks(server, t.owner, board, "Done")
    gone_deal, gone_ids = await deal_with_tasks(server, t.owner, board, "Gone")
    kept_deal, kept_ids = await deal_with_tasks(server, t.owner, board, "Kept")
    await ok(server, t.owner, "POST", f"{cards}/{done_deal}/status", json={"status": "won", "open_activities": "done"},
             headers={"accept-language": "de"})
    await ok(server, t.owner, "POST", f"{cards}/{gone_deal}/status", json={"status": "won", "open_activities": "delete"})
    await ok(server, t.owner, "POST", f"{cards}/{kept_deal}/status", json={"status": "won"})
    seen = await activities(server, t.owner, board)
    assert all(seen[i]["done"] for i in done_ids)
    assert seen[done_ids[0]]["note"] == "n\nGeschlossen: Der Deal wurde als gewonnen markiert."
    assert seen[done_ids[2]]["note"] == "n"  # the one already done is left as it was
    assert gone_ids[0] not in seen and gone_ids[1] not in seen and gone_ids[2] in seen  # only the open ones go
    assert not seen[kept_ids[0]].get("done") and not seen[kept_ids[1]].get("done")  # keep is the default


async def test_losing_a_deal_can_delete_its_open_activities_and_the_older_switch_still_closes_them(server):
    t = await team(server.http_url)
    board = t.board["id"]
    cards = f"/api/boards/{board}/cards"
    gone_deal, gone_ids = await deal_with_tasks(server, t.owner, board, "Gone")
    old_deal, old_ids = await deal_with_tasks(server, t.owner, board, "Old")
    await ok(server, t.owner, "POST", f"{cards}/{gone_deal}/status",
             json={"status": "lost", "lost_reason": "budget", "open_activities": "delete"})
    await ok(server, t.owner, "POST", f"{cards}/{old_deal}/status", json={"status": "lost", "close_open_tasks": True})
    seen = await activities(server, t.owner, board)
    assert gone_ids[0] not in seen and gone_ids[1] not in seen and gone_ids[2] in seen
    assert seen[old_ids[0]]["note"] == "n\nClosed: the deal was marked lost."


async def test_reopening_leaves_activities_alone_and_an_unknown_choice_is_refused_by_name(server):
    t = await team(server.http_url)
    board = t.board["id"]
    cards = f"/api/boards/{board}/cards"
    deal, ids = await deal_with_tasks(server, t.owner, board, "Open")
    await ok(server, t.owner, "POST", f"{cards}/{deal}/status", json={"status": "open", "open_activities": "delete"})
    assert ids[0] in await activities(server, t.owner, board)
    refused = await call(server, t.owner, "POST", f"{cards}/{deal}/status", json={"status": "won", "open_activities": "archive"})
    assert refused.status_code == 400 and "open_activities" in refused.text
    viewer = await call(server, t.viewer, "POST", f"{cards}/{deal}/status", json={"status": "won", "open_activities": "delete"})
    assert viewer.status_code == 403
    assert ids[0] in await activities(server, t.owner, board)
