"""Every CRM endpoint and note document obeys the access rules: a guest sees only the boards
shared with them and what hangs off those; viewers and read-only guests cannot write; unknown
and forbidden answer alike (404, close 4404)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, NamedTuple
from uuid import uuid4

import pytest

from tests.support.accounts import AUTH, Account, add_guest, create_board, sign_up, team
from tests.support.crm import call, ok, projected
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for


class World(NamedTuple):
    server: InProcessServer
    workspace: str
    shared: dict[str, Any]  # board B, shared with the guests
    unshared: dict[str, Any]  # board C, shared with nobody
    deal: str  # on B
    hidden_deal: str  # on C
    note: dict[str, Any]  # about the deal on B
    hidden_note: dict[str, Any]  # on C
    who: dict[str, Account | None]


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        t = await team(server.http_url)
        unshared = await create_board(server.http_url, t.owner, t.workspace, "Private")
        who: dict[str, Account | None] = {
            "owner": t.owner, "member": t.member, "viewer": t.viewer,
            "guest_edit": await add_guest(server.http_url, t.owner, t.board, "edit", "Edith Guest"),
            "guest_read": await add_guest(server.http_url, t.owner, t.board, "read", "Reed Guest"),
            "outsider": await sign_up(server.http_url, "Otto Outsider"), "anonymous": None,
        }
        deal = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/cards", json={"title": "Shared"})
        hidden = await ok(server, t.owner, "POST", f"/api/boards/{unshared['id']}/cards", json={"title": "Hidden"})
        note = await ok(server, t.owner, "POST", "/api/notes", json={
            "subject_kind": "deal", "subject_id": deal["id"], "board": t.board["id"], "title": "Shared note"})
        hidden_note = await ok(server, t.owner, "POST", "/api/notes", json={
            "subject_kind": "deal", "subject_id": hidden["id"], "board": unshared["id"], "title": "Hidden note"})
        await projected(server)
        yield World(server, t.workspace, t.board, unshared, deal["id"], hidden["id"], note, hidden_note, who)


async def status(world: World, who: str, method: str, path: str, **kwargs: Any) -> int:
    return (await call(world.server, world.who[who], method, path, **kwargs)).status_code


WRITERS = {"owner": 201, "member": 201, "viewer": 403, "guest_edit": 201, "guest_read": 403, "outsider": 404,
           "anonymous": 401}


@pytest.mark.parametrize("who", list(WRITERS))
async def test_adding_a_deal_needs_edit_access_to_the_board(world, who):
    path = f"/api/boards/{world.shared['id']}/cards"
    assert await status(world, who, "POST", path, json={"title": f"by {who}"}) == WRITERS[who]


@pytest.mark.parametrize("who", ["guest_edit", "guest_read", "outsider"])
async def test_a_board_not_shared_with_you_answers_like_a_board_that_does_not_exist(world, who):
    for path in (f"/api/boards/{world.unshared['id']}/cards", f"/api/boards/{uuid4()}/cards"):
        response = await call(world.server, world.who[who], "POST", path, json={"title": "x"})
        assert (response.status_code, response.json()["detail"]) == (404, "no such board")
    for path in (f"/api/deals/{world.unshared['id']}/{world.hidden_deal}/timeline",
                 f"/api/deals/{uuid4()}/{world.hidden_deal}/timeline"):
        response = await call(world.server, world.who[who], "GET", path)
        assert (response.status_code, response.json()["detail"]) == (404, "no such board")


@pytest.mark.parametrize(("who", "expected"), [("owner", 200), ("viewer", 403), ("guest_read", 403),
                                               ("outsider", 404)])
async def test_moving_and_winning_a_deal_need_edit_access(world, who, expected):
    board, deal = world.shared["id"], world.deal
    stages = (await ok(world.server, world.who["owner"], "GET", f"/api/workspaces/{world.workspace}/pipeline-report",
                       params={"board": board}))["stages"]
    move = await status(world, who, "POST", f"/api/boards/{board}/cards/{deal}/move", json={"stage": stages[1]["stage"]})
    win = await status(world, who, "POST", f"/api/boards/{board}/cards/{deal}/status", json={"status": "open"})
    task = await status(world, who, "POST", f"/api/boards/{board}/activities", json={"type": "call", "title": "x"})
    assert (move, win, task) == (expected, expected, 201 if expected == 200 else expected)


async def test_guests_list_only_the_deals_of_shared_boards_and_outsiders_nothing(world):
    path = f"/api/workspaces/{world.workspace}/deals"
    member_sees = {d["title"] for d in await ok(world.server, world.who["member"], "GET", path)}
    guest_sees = {d["title"] for d in await ok(world.server, world.who["guest_read"], "GET", path)}
    assert {"Shared", "Hidden"} <= member_sees and "Shared" in guest_sees and "Hidden" not in guest_sees
    assert await status(world, "outsider", "GET", path) == 404
    assert await status(world, "anonymous", "GET", path) == 401


async def test_the_pipeline_report_is_read_by_whoever_reaches_the_board(world):
    report = f"/api/workspaces/{world.workspace}/pipeline-report"
    for who, board, expected in (("viewer", world.shared, 200), ("guest_read", world.shared, 200),
                                 ("guest_read", world.unshared, 404), ("outsider", world.shared, 404)):
        assert await status(world, who, "GET", report, params={"board": board["id"]}) == expected, (who, board["name"])
    assert await status(world, "owner", "GET", f"/api/workspaces/{uuid4()}/pipeline-report",
                        params={"board": world.shared["id"]}) == 404


async def test_notes_follow_their_board_over_http(world):
    for who, note, expected in (("guest_read", world.note, 200), ("guest_read", world.hidden_note, 404),
                                ("viewer", world.hidden_note, 200), ("outsider", world.note, 404)):
        assert await status(world, who, "GET", f"/api/notes/{note['id']}") == expected, (who, note["title"])
    unknown = await call(world.server, world.who["guest_read"], "GET", f"/api/notes/{uuid4()}")
    hidden = await call(world.server, world.who["guest_read"], "GET", f"/api/notes/{world.hidden_note['id']}")
    assert unknown.json()["detail"] == hidden.json()["detail"] == "no such note"
    new_note = {"subject_kind": "deal", "subject_id": world.deal, "board": world.shared["id"], "title": "x"}
    assert await status(world, "viewer", "POST", "/api/notes", json=new_note) == 403
    assert await status(world, "guest_edit", "POST", "/api/notes", json=new_note) == 201
    assert await status(world, "guest_read", "POST", f"/api/notes/{world.note['id']}/text", json={"text": "x"}) == 403


async def test_notes_follow_their_board_over_sockets(world):
    for who, note, opens in (("guest_read", world.note, True), ("guest_edit", world.hidden_note, False),
                             ("outsider", world.note, False)):
        account = world.who[who]
        peer = await Peer.open(world.server.ws_url, note["document"], account.token)
        try:
            assert await peer.opened() is opens, (who, note["title"])
            if not opens:
                assert await peer.closed_with() == (4404, "no such document")
        finally:
            await peer.close()


async def test_my_tasks_show_only_boards_i_still_reach(world):
    guest = world.who["guest_edit"]
    task = await ok(world.server, world.who["owner"], "POST", f"/api/boards/{world.shared['id']}/activities",
                    json={"type": "todo", "title": "Guest chore", "assignee": guest.id})
    refused = await call(world.server, world.who["owner"], "POST", f"/api/boards/{world.unshared['id']}/activities",
                         json={"type": "todo", "title": "x", "assignee": guest.id})
    assert refused.status_code == 400 and "shared with" in refused.json()["detail"]
    await projected(world.server)
    mine = await ok(world.server, guest, "GET", "/api/me/tasks")
    assert [t["id"] for t in mine["unscheduled"]] == [task["id"]]
    await ok(world.server, world.who["owner"], "DELETE", f"/api/boards/{world.shared['id']}/shares/{guest.id}")
    assert (await ok(world.server, guest, "GET", "/api/me/tasks"))["unscheduled"] == []
