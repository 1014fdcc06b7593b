"""Settings an admin changes (issue 14): a workspace's lost reasons and labels, and boards renamed,
archived, restored and deleted. Real Postgres, one server for the module (authentication on)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import pytest
from pycrdt import Map

from client.crm import open_board
from tests.support.accounts import AUTH, add_guest, create_board, team
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


async def test_admins_set_the_lost_reasons_and_labels_members_read_them_and_guests_do_not(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/lists"
    empty = await ok(server, t.member, "GET", path)
    assert empty["lost_reasons"] == [] and empty["labels"] == [] and "purple" in empty["colours"]
    changed = await ok(server, t.owner, "PATCH", path, json={
        "lost_reasons": [" Price ", "Went  with a competitor"], "labels": [{"name": "hot", "colour": "red"}]})
    assert changed["lost_reasons"] == ["Price", "Went with a competitor"]
    assert changed["labels"] == [{"name": "hot", "colour": "red"}]
    assert (await ok(server, t.viewer, "GET", path))["lost_reasons"] == ["Price", "Went with a competitor"]
    assert (await call(server, t.member, "PATCH", path, json={"lost_reasons": []})).status_code == 403
    twice = await call(server, t.owner, "PATCH", path, json={"lost_reasons": ["Price", "price"]})
    assert twice.status_code == 400 and "twice" in twice.text
    guest = await add_guest(server.http_url, t.owner, t.board, "read")
    assert (await call(server, guest, "GET", path)).status_code == 404


async def test_a_board_is_renamed_archived_restored_and_deleted_only_with_its_name_typed(server):
    t = await team(server.http_url)
    board = f"/api/boards/{t.board['id']}"
    renamed = await ok(server, t.owner, "PATCH", board, json={"name": "Enterprise deals"})
    assert renamed["name"] == "Enterprise deals" and renamed["archived_at"] is None
    async with open_board(server.ws_url, t.board["id"], token=t.owner.token) as live:
        assert live.doc.get("settings", type=Map).get("name") == "Enterprise deals"
    assert (await call(server, t.member, "PATCH", board, json={"archived": True})).status_code == 403
    archived = await ok(server, t.owner, "PATCH", board, json={"archived": True})
    assert archived["archived_at"] is not None
    listed = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/boards")
    assert [b["archived_at"] is not None for b in listed if b["id"] == t.board["id"]] == [True]
    restored = await ok(server, t.owner, "PATCH", board, json={"archived": False})
    assert restored["archived_at"] is None
    wrong = await call(server, t.owner, "DELETE", board, params={"confirm": "Deals"})
    assert wrong.status_code == 400 and "Enterprise deals" in wrong.text
    assert (await call(server, t.member, "DELETE", board, params={"confirm": "Enterprise deals"})).status_code == 403
    gone = await call(server, t.owner, "DELETE", board, params={"confirm": " enterprise DEALS "})
    assert gone.status_code == 204
    assert (await call(server, t.owner, "GET", board)).status_code == 404
    assert t.board["id"] not in [b["id"] for b in await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/boards")]


async def test_renaming_a_label_renames_it_on_the_list_the_deals_and_the_contacts(server):
    t = await team(server.http_url)
    lists = f"/api/workspaces/{t.workspace}/lists"
    await ok(server, t.owner, "PATCH", lists, json={"labels": [{"name": "q4", "colour": "blue"},
                                                             {"name": "hot", "colour": "red"}]})
    board_id = t.board["id"]
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards",
                    json={"title": "Globex", "value": 900, "labels": ["HOT", "q4"]})
    cold = await ok(server, t.owner, "POST", f"/api/boards/{board_id}/cards", json={"title": "Initech", "labels": ["q4"]})
    contacts = f"/api/workspaces/{t.workspace}/contacts"
    ada = await ok(server, t.owner, "POST", contacts, json={"first_name": "Ada", "labels": ["hot", "partner"]})
    bob = await ok(server, t.owner, "POST", contacts, json={"first_name": "Bob", "labels": ["partner"]})

    rename = f"{lists}/labels/rename"
    assert (await call(server, t.member, "POST", rename, json={"name": "hot", "new_name": "Priority"})).status_code == 403
    unknown = await call(server, t.owner, "POST", rename, json={"name": "warm", "new_name": "Priority"})
    assert unknown.status_code == 400 and "warm" in unknown.text
    taken = await call(server, t.owner, "POST", rename, json={"name": "hot", "new_name": "Q4"})
    assert taken.status_code == 400 and "twice" in taken.text

    async with open_board(server.ws_url, board_id, token=t.member.token) as live:
        renamed = await ok(server, t.owner, "POST", rename, json={"name": "Hot", "new_name": " Priority "})
        assert renamed["lists"]["labels"] == [{"name": "q4", "colour": "blue"}, {"name": "Priority", "colour": "red"}]
        assert (renamed["contacts"], renamed["deals"]) == (1, 1)
        await eventually(lambda: live.card(UUID(deal["id"])).labels == ("Priority", "q4"))  # the open app sees it
        assert live.card(UUID(cold["id"])).labels == ("q4",)
    shown = {c["id"]: c["labels"] for c in (await ok(server, t.owner, "GET", contacts))["items"]}
    assert shown[ada["id"]] == ["Priority", "partner"] and shown[bob["id"]] == ["partner"]
    await projected(server)
    deals = {d["title"]: d["labels"] for d in await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/deals")}
    assert deals["Globex"] == ["Priority", "q4"]


async def test_an_archived_board_leaves_the_deal_list_my_tasks_and_the_report_but_opens_by_its_link(server):
    t = await team(server.http_url)
    kept = await create_board(server.http_url, t.owner, t.workspace, "Kept")
    for board, title in ((t.board, "Old deal"), (kept, "Live deal")):
        card = await ok(server, t.owner, "POST", f"/api/boards/{board['id']}/cards",
                        json={"title": title, "value": 100, "owner": t.member.id})
        await ok(server, t.owner, "POST", f"/api/boards/{board['id']}/activities",
                 json={"type": "call", "title": f"Call about {title}", "card": card["id"], "assignee": t.member.id})
    await projected(server)
    await ok(server, t.owner, "PATCH", f"/api/boards/{t.board['id']}", json={"archived": True})

    deals = f"/api/workspaces/{t.workspace}/deals"
    assert [d["title"] for d in await ok(server, t.member, "GET", deals)] == ["Live deal"]
    asked = await ok(server, t.member, "GET", deals, params={"board": t.board["id"]})
    assert [d["title"] for d in asked] == ["Old deal"]  # asked for by name, the archived board still answers
    mine = await ok(server, t.member, "GET", "/api/me/tasks")
    assert [i["title"] for i in mine["unscheduled"]] == ["Call about Live deal"]
    report = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/pipeline-report")
    assert [b["name"] for b in report["boards"]] == ["Kept"]
    assert {r["board_name"] for r in report["stages"]} == {"Kept"}
    one = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/pipeline-report",
                   params={"board": t.board["id"]})
    assert one["name"] == "Deals"
    opened = await ok(server, t.owner, "GET", f"/api/boards/{t.board['id']}")
    assert opened["archived_at"] is not None  # a direct link opens it, and the app says it is archived

    await ok(server, t.owner, "PATCH", f"/api/boards/{t.board['id']}", json={"archived": False})
    assert sorted(d["title"] for d in await ok(server, t.member, "GET", deals)) == ["Live deal", "Old deal"]
