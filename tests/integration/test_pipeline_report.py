"""The pipeline report names owners by name and covers every pipeline the caller reaches when no
``?board=`` is given (issue 14: it named owners by UUID and needed ``?board=``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.accounts import AUTH, add_guest, create_board, team
from tests.support.crm import ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


async def deal(server, who, board, title: str, value: float, owner: str, status: str | None = None) -> None:
    made = await ok(server, who, "POST", f"/api/boards/{board['id']}/cards",
                    json={"title": title, "value": value, "owner": owner})
    if status:
        await ok(server, who, "POST", f"/api/boards/{board['id']}/cards/{made['id']}/status", json={"status": status})


async def test_owners_are_named_and_without_a_board_the_report_covers_every_pipeline(server):
    t = await team(server.http_url)
    second = await create_board(server.http_url, t.owner, t.workspace, "Renewals")
    await create_board(server.http_url, t.owner, t.workspace, "Hiring", "project")
    await deal(server, t.owner, t.board, "Globex", 1000, t.member.id, "won")
    await deal(server, t.owner, t.board, "Initech", 500, t.member.id, "lost")
    await deal(server, t.owner, second, "Hooli", 700, t.owner.id)
    await projected(server)
    path = f"/api/workspaces/{t.workspace}/pipeline-report"

    one = await ok(server, t.viewer, "GET", path, params={"board": t.board["id"]})
    assert [(o["name"], o["won"], o["lost"], o["win_rate"]) for o in one["owners"]] == [("Mia Member", 1, 1, 0.5)]
    assert {s["board_name"] for s in one["stages"]} == {"Deals"} and one["boards"] == [
        {"id": t.board["id"], "name": "Deals"}]

    every = await ok(server, t.viewer, "GET", path)
    assert (every["board"], every["name"]) == (None, "Acme")
    assert [b["name"] for b in every["boards"]] == ["Deals", "Renewals"], "pipelines only, oldest first"
    assert [(o["name"], o["open"], o["won"]) for o in every["owners"]] == [("Mia Member", 0, 1), ("Owner", 1, 0)]
    lead_ins = [(s["board_name"], s["count"], s["value"]) for s in every["stages"] if s["name"] == "Lead in"]
    assert lead_ins == [("Deals", 0, {}), ("Renewals", 1, {"USD": 700.0})]


async def test_a_guest_reads_the_report_of_their_boards_only_and_no_names(server):
    t = await team(server.http_url)
    shared = await create_board(server.http_url, t.owner, t.workspace, "With partner")
    guest = await add_guest(server.http_url, t.owner, shared, "read")
    await deal(server, t.owner, shared, "Shared deal", 300, t.owner.id)
    await deal(server, t.owner, t.board, "Internal deal", 900, t.owner.id)
    await projected(server)
    report = await ok(server, guest, "GET", f"/api/workspaces/{t.workspace}/pipeline-report")
    assert [b["name"] for b in report["boards"]] == ["With partner"]
    assert [(o["owner"], o["name"], o["open"]) for o in report["owners"]] == [(t.owner.id, None, 1)]
