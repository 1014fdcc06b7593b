"""Guests invited by link over HTTP and Postgres (issue 14, item 5): an admin shares a board with
an address that has no account; the link signs its holder up and shares the board with them —
once, before it expires, unless the admin stopped sharing first."""

from __future__ import annotations

import asyncpg

from tests.support.accounts import AUTH, Team, create_board, sign_up, team, unique_email
from tests.support.crm import call, ok
from tests.support.servers import module_server


server = module_server(**AUTH)


async def invite(server, admin, board, email: str, access: str = "edit") -> dict:
    shared = await ok(server, admin, "POST", f"/api/boards/{board['id']}/shares", json={"email": email, "access": access})
    assert shared["share"] is None and shared["invitation"]["email"] == email.lower()
    return shared["invitation"]


def token_of(invitation: dict) -> str:
    return invitation["link"].removeprefix("/guest/")


async def invited(server, prefix: str, access: str = "edit") -> tuple[Team, str, dict]:
    """A new team whose owner shares its board with a new address (``prefix``-…) that has no account:
    ``(team, email, invitation)``."""
    t = await team(server.http_url)
    email = unique_email(prefix)
    return t, email, await invite(server, t.owner, t.board, email, access)


async def test_an_address_without_account_is_invited_signs_up_from_the_link_and_reaches_only_that_board(server):
    t = await team(server.http_url)
    hidden = await create_board(server.http_url, t.owner, t.workspace, "Internal")
    email = unique_email("gil")
    invitation = await invite(server, t.owner, t.board, email.upper())
    assert invitation["link"].startswith("/guest/") and invitation["invited_by"] == "Owner"
    listed = await ok(server, t.owner, "GET", f"/api/boards/{t.board['id']}/invitations")
    assert [(i["email"], i["access"], i["link"]) for i in listed] == [(email, "edit", None)], "the link is shown once"

    preview = await ok(server, None, "POST", "/api/guest-invitations/lookup", json={"token": token_of(invitation)})
    assert (preview["email"], preview["board_name"], preview["workspace_name"], preview["has_account"]) == (
        email, "Deals", "Acme", False)
    guest = await sign_up(server.http_url, "Gil Partner", email=email)
    board = await ok(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    assert (board["id"], board["access"]) == (t.board["id"], "write")
    assert [b["id"] for b in await ok(server, guest, "GET", f"/api/workspaces/{t.workspace}/boards")] == [
        t.board["id"]]
    assert (await call(server, guest, "GET", f"/api/boards/{hidden['id']}")).status_code == 404
    shares = await ok(server, t.owner, "GET", f"/api/boards/{t.board['id']}/shares")
    assert [(s["user"]["email"], s["access"]) for s in shares] == [(email, "edit")]
    assert await ok(server, t.owner, "GET", f"/api/boards/{t.board['id']}/invitations") == []


async def test_a_link_is_used_once(server):
    t, email, invitation = await invited(server, "once", "read")
    guest = await sign_up(server.http_url, "Once", email=email)
    await ok(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    again = await call(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    assert again.status_code == 404 and "no such invitation" in again.json()["detail"]
    looked = await call(server, None, "POST", "/api/guest-invitations/lookup", json={"token": token_of(invitation)})
    assert looked.status_code == 404


async def test_an_expired_link_is_refused(server, database_url):
    t, email, invitation = await invited(server, "late")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE guest_invitations SET expires_at = now() - interval '1 second' WHERE id = $1",
                           invitation["id"])
    finally:
        await conn.close()
    assert (await call(server, None, "POST", "/api/guest-invitations/lookup",
                       json={"token": token_of(invitation)})).status_code == 404
    guest = await sign_up(server.http_url, "Late", email=email)
    late = await call(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    assert late.status_code == 404 and "expired" in late.json()["detail"]
    assert (await call(server, guest, "GET", f"/api/boards/{t.board['id']}")).status_code == 404


async def test_stopping_the_share_before_acceptance_cancels_the_link(server):
    t, email, invitation = await invited(server, "cancel")
    member_try = await call(server, t.member, "DELETE", f"/api/boards/{t.board['id']}/invitations/{invitation['id']}")
    assert member_try.status_code == 403
    await ok(server, t.owner, "DELETE", f"/api/boards/{t.board['id']}/invitations/{invitation['id']}")
    guest = await sign_up(server.http_url, "Cancelled", email=email)
    refused = await call(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    assert refused.status_code == 404 and "cancelled" in refused.json()["detail"]
    assert (await call(server, guest, "GET", f"/api/boards/{t.board['id']}")).status_code == 404


async def test_someone_else_cannot_use_the_link_and_does_not_spend_it(server):
    t, email, invitation = await invited(server, "right")
    wrong = await call(server, t.member, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})
    assert wrong.status_code == 403 and email in wrong.json()["detail"]
    guest = await sign_up(server.http_url, "Right", email=email)
    await ok(server, guest, "POST", "/api/guest-invitations/accept", json={"token": token_of(invitation)})


async def test_an_address_with_an_account_is_shared_at_once(server):
    t = await team(server.http_url)
    guest = await sign_up(server.http_url, "Has Account")
    shared = await ok(server, t.owner, "POST", f"/api/boards/{t.board['id']}/shares",
                      json={"email": guest.email, "access": "read"})
    assert (shared["share"]["user"]["id"], shared["share"]["access"], shared["invitation"]) == (guest.id, "read", None)
    assert (await ok(server, guest, "GET", f"/api/boards/{t.board['id']}"))["access"] == "read"
