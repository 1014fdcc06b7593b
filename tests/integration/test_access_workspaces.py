"""Workspaces and members over HTTP: roles, invitations, the rules on who changes whom, the audit log."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.support.accounts import AUTH, Account, add_guest, add_member, create_board, sign_up, team
from tests.support.crm import call
from tests.support.servers import InProcessServer, module_server


server = module_server(**AUTH)


async def invite(server: InProcessServer, who: Account, workspace: str, email: str, role: str) -> httpx.Response:
    return await call(server, who, "POST", f"/api/workspaces/{workspace}/invitations",
                      json={"email": email, "role": role})


async def test_workspaces_list_each_callers_role_and_guests_see_where_they_are_guests(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "read")
    for who, role in ((t.owner, "owner"), (t.member, "member"), (t.viewer, "viewer"), (guest, "guest")):
        listed = (await call(server, who, "GET", "/api/workspaces")).json()
        assert [(w["id"], w["role"]) for w in listed] == [(t.workspace, role)]
    members = (await call(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/members")).json()
    assert {m["user"]["email"]: m["role"] for m in members} == {
        t.owner.email: "owner", t.member.email: "member", t.viewer.email: "viewer"}
    assert (await call(server, guest, "GET", f"/api/workspaces/{t.workspace}/members")).status_code == 404


async def test_an_invitation_works_once_and_only_for_its_email(server):
    t = await team(server.http_url)
    invitee, stranger = await sign_up(server.http_url, "Invitee"), await sign_up(server.http_url, "Stranger")
    token = (await invite(server, t.owner, t.workspace, invitee.email, "member")).json()["token"]
    assert (await call(server, stranger, "POST", "/api/invitations/accept", json={"token": token})).status_code == 404
    accepted = await call(server, invitee, "POST", "/api/invitations/accept", json={"token": token})
    assert accepted.json() == {"workspace_id": t.workspace, "role": "member"}
    again = await call(server, invitee, "POST", "/api/invitations/accept", json={"token": token})
    assert again.status_code == 404 and "used" in again.json()["detail"]


async def test_an_invitation_expires(server, database_url):
    t = await team(server.http_url)
    invitee = await sign_up(server.http_url, "Late")
    invited = await invite(server, t.owner, t.workspace, invitee.email, "viewer")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1",
                           invited.json()["id"])
    finally:
        await conn.close()
    late = await call(server, invitee, "POST", "/api/invitations/accept", json={"token": invited.json()["token"]})
    assert late.status_code == 404 and "expired" in late.json()["detail"]


async def test_invitation_tokens_are_mailed(server):
    t = await team(server.http_url)
    token = (await invite(server, t.owner, t.workspace, "mailed@example.com", "member")).json()["token"]
    assert server.services.outbox.sent[-1].to == "mailed@example.com"
    assert token in server.services.outbox.sent[-1].body


@pytest.mark.parametrize(("actor", "target_role", "new_role", "status"), [
    ("member", "viewer", "member", 403),
    ("viewer", "member", "viewer", 403),
    ("admin", "member", "viewer", 200),
    ("admin", "member", "admin", 403),
    ("admin", "admin", "member", 403),
    ("owner", "member", "admin", 200),
    ("owner", "admin", "owner", 200),
])
async def test_who_may_change_whose_role(server, actor, target_role, new_role, status):
    t = await team(server.http_url)
    accounts = {"owner": t.owner, "member": t.member, "viewer": t.viewer}
    if "admin" in (actor, target_role):
        accounts["admin"] = await add_member(server.http_url, t.owner, t.workspace, "admin")
    target = await add_member(server.http_url, t.owner, t.workspace, target_role, "Target")
    response = await call(server, accounts[actor], "PATCH", f"/api/workspaces/{t.workspace}/members/{target.id}",
                          json={"role": new_role})
    assert response.status_code == status, response.text


async def test_the_last_owner_can_neither_leave_nor_be_demoted(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/members/{t.owner.id}"
    left = await call(server, t.owner, "DELETE", path)
    assert left.status_code == 403 and "at least one owner" in left.json()["detail"]
    demoted = await call(server, t.owner, "PATCH", path, json={"role": "admin"})
    assert demoted.status_code == 403
    leaving = await call(server, t.member, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.member.id}")
    assert leaving.status_code == 204, "anyone else may leave"


async def test_viewers_and_guests_cannot_create_boards_and_guests_cannot_share(server):
    t = await team(server.http_url)
    guest = await add_guest(server.http_url, t.owner, t.board, "edit")
    path, new_board = f"/api/workspaces/{t.workspace}/boards", {"name": "Mine", "kind": "project"}
    assert (await call(server, t.viewer, "POST", path, json=new_board)).status_code == 403
    assert (await call(server, guest, "POST", path, json=new_board)).status_code == 404
    assert (await call(server, t.member, "POST", path, json=new_board)).status_code == 201
    reshare = await call(server, guest, "POST", f"/api/boards/{t.board['id']}/shares",
                         json={"email": t.viewer.email, "access": "edit"})
    assert reshare.status_code == 403
    assert (await call(server, t.member, "GET", f"/api/boards/{t.board['id']}/shares")).status_code == 403


async def test_a_board_kind_must_be_pipeline_or_project(server):
    t = await team(server.http_url)
    response = await call(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/boards",
                          json={"name": "Odd", "kind": "spreadsheet"})
    assert response.status_code == 400
    assert response.json()["extra"] == [
        {"message": "Invalid enum value 'spreadsheet'", "key": "kind", "source": "body"}]
    board = await create_board(server.http_url, t.owner, t.workspace, "Ok", "project")
    assert board["kind"] == "project" and board["document"] == f"board:{board['id']}"


async def test_admins_read_the_audit_log_of_security_events(server):
    t = await team(server.http_url)
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        await http.post("/api/auth/login", json={"email": t.member.email, "password": "wrong wrong wrong"})
        await http.post("/api/auth/login", json={"email": t.member.email, "password": "correct horse battery staple"})
    await call(server, t.owner, "PATCH", f"/api/workspaces/{t.workspace}/members/{t.viewer.id}",
               json={"role": "member"})
    guest = await add_guest(server.http_url, t.owner, t.board, "read")
    log = await call(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/audit")
    assert log.status_code == 200
    events = {(e["event"], e["subject_id"]) for e in log.json()}
    for expected in [("invitation.accepted", t.member.id), ("sign_in.failed", t.member.id),
                     ("sign_in", t.member.id), ("member.role_changed", t.viewer.id), ("board.shared", guest.id)]:
        assert expected in events
    assert any(e["event"] == "invitation.created" and e["details"]["email"] == t.viewer.email for e in log.json())
    changed = next(e for e in log.json() if e["event"] == "member.role_changed")
    assert changed["details"] == {"before": "viewer", "after": "member"} and changed["actor_id"] == t.owner.id
    assert (await call(server, t.member, "GET", f"/api/workspaces/{t.workspace}/audit")).status_code == 403
    assert (await call(server, guest, "GET", f"/api/workspaces/{t.workspace}/audit")).status_code == 404
