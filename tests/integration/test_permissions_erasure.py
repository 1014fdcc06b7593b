"""Permissions an admin sets (who deletes, who exports) and erasing a contact's personal data,
over a real server and Postgres (issue 13, item 10).

By default a member deletes only the contacts and organisations they own and exports nothing;
admins and owners may always do both and change the levels (audited). Erasure blanks the contact
(and what was merged into it), the notes about them and their traces in board documents, and
compacts those documents so the old values are gone from the stored update log too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import asyncpg
import pytest

from pycrdt import Map

from client import connect
from tests.support.accounts import AUTH, Account, team_and_strangers
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


class World(NamedTuple):
    server: InProcessServer
    workspace: str
    board: str
    owner: Account
    member: Account
    viewer: Account
    guest: Account
    outsider: Account


@pytest.fixture(scope="module")
async def shared_world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as server:
        t, guest, outsider = await team_and_strangers(server.http_url)
        yield World(server, t.workspace, t.board["id"], t.owner, t.member, t.viewer, guest, outsider)


@pytest.fixture
async def world(shared_world: World) -> World:
    """The shared team, with the workspace's levels back at the defaults."""
    await set_levels(shared_world, delete="members_own", export="admins")
    return shared_world


async def contact(world: World, who: Account, **values: Any) -> str:
    return (await ok(world.server, who, "POST", f"/api/workspaces/{world.workspace}/contacts",
                     json={"first_name": "Someone", **values}))["id"]


async def set_levels(world: World, **levels: str) -> dict[str, Any]:
    return await ok(world.server, world.owner, "PUT", f"/api/workspaces/{world.workspace}/permissions", json=levels)


# --- delete ----------------------------------------------------------------------------------------


async def test_by_default_a_member_deletes_their_own_contact_but_not_someone_elses(world):
    theirs, mine = await contact(world, world.owner), await contact(world, world.member)
    refused = await call(world.server, world.member, "DELETE", f"/api/contacts/{theirs}")
    assert refused.status_code == 403, refused.text
    assert "only contacts they own" in refused.json()["detail"]
    assert (await call(world.server, world.member, "DELETE", f"/api/contacts/{mine}")).status_code == 204
    assert (await call(world.server, world.owner, "GET", f"/api/contacts/{theirs}")).status_code == 200


async def test_admins_set_who_deletes_contacts_and_organisations(world):
    ws = f"/api/workspaces/{world.workspace}"
    theirs = await contact(world, world.owner)
    organisation = (await ok(world.server, world.owner, "POST", f"{ws}/organisations", json={"name": "Acme"}))["id"]
    assert (await call(world.server, world.member, "DELETE", f"/api/organisations/{organisation}")).status_code == 403
    await set_levels(world, delete="members")
    assert (await call(world.server, world.member, "DELETE", f"/api/contacts/{theirs}")).status_code == 204
    assert (await call(world.server, world.member, "DELETE", f"/api/organisations/{organisation}")).status_code == 204
    await set_levels(world, delete="admins")
    mine = await contact(world, world.member)
    refused = await call(world.server, world.member, "DELETE", f"/api/contacts/{mine}")
    assert refused.status_code == 403 and "only admins and owners delete" in refused.json()["detail"]
    assert (await call(world.server, world.viewer, "DELETE", f"/api/contacts/{mine}")).status_code == 403
    assert (await call(world.server, world.owner, "DELETE", f"/api/contacts/{mine}")).status_code == 204


# --- export ----------------------------------------------------------------------------------------


async def test_by_default_only_admins_export_and_an_admin_can_let_members(world):
    ws = f"/api/workspaces/{world.workspace}"
    exports = [("contacts.csv", {}), ("organisations.csv", {}), ("deals.csv", {"board": world.board})]
    for name, params in exports:
        refused = await call(world.server, world.member, "GET", f"{ws}/export/{name}", params=params)
        assert refused.status_code == 403, (name, refused.text)
        assert "only admins and owners export" in refused.json()["detail"]
        assert (await call(world.server, world.owner, "GET", f"{ws}/export/{name}", params=params)).status_code == 200
        assert (await call(world.server, world.viewer, "GET", f"{ws}/export/{name}", params=params)).status_code == 403
        hidden = await call(world.server, world.outsider, "GET", f"{ws}/export/{name}", params=params)
        assert hidden.status_code == 404
    await set_levels(world, export="members")
    for name, params in exports:
        allowed = await call(world.server, world.member, "GET", f"{ws}/export/{name}", params=params)
        assert allowed.status_code == 200, (name, allowed.text)
    assert (await call(world.server, world.viewer, "GET", f"{ws}/export/contacts.csv")).status_code == 403


# --- the settings ----------------------------------------------------------------------------------


async def test_members_read_the_levels_and_what_they_may_do_guests_and_outsiders_are_not_told(world):
    path = f"/api/workspaces/{world.workspace}/permissions"
    member = await ok(world.server, world.member, "GET", path)
    assert member == {"delete": "members_own", "export": "admins",
                      "you": {"delete": "own", "export": False, "erase": False, "change_permissions": False}}
    owner = await ok(world.server, world.owner, "GET", path)
    assert owner["you"] == {"delete": "all", "export": True, "erase": True, "change_permissions": True}
    assert (await ok(world.server, world.viewer, "GET", path))["you"]["delete"] == "none"
    for who in (world.guest, world.outsider):
        hidden = await call(world.server, who, "GET", path)
        missing = await call(world.server, who, "GET", f"/api/workspaces/{uuid.uuid4()}/permissions")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (
            404, {"status_code": 404, "detail": "no such workspace"})


async def test_only_admins_change_the_levels_bad_values_are_named_and_changes_are_audited(world):
    path = f"/api/workspaces/{world.workspace}/permissions"
    for who, status in ((world.member, 403), (world.viewer, 403), (world.guest, 404), (world.outsider, 404)):
        assert (await call(world.server, who, "PUT", path, json={"export": "members"})).status_code == status
    bad = await call(world.server, world.owner, "PUT", path, json={"delete": "everyone"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "delete"
    assert bad.json()["detail"] == "expected delete to be one of admins, members_own, members, got 'everyone'"
    unknown = await call(world.server, world.owner, "PUT", path, json={"erase": "members"})
    assert unknown.status_code == 422 and "expected settings among delete, export" in unknown.json()["detail"]
    changed = await set_levels(world, export="members")
    assert (changed["delete"], changed["export"]) == ("members_own", "members")
    assert (await ok(world.server, world.member, "GET", path))["you"]["export"] is True
    audit = await ok(world.server, world.owner, "GET", f"/api/workspaces/{world.workspace}/audit")
    event = next(e for e in audit if e["event"] == "workspace.permissions_changed")
    assert event["details"]["before"] == {"delete": "members_own", "export": "admins"}
    assert event["details"]["after"] == {"delete": "members_own", "export": "members"}


# --- erasure ---------------------------------------------------------------------------------------

NAME, SURNAME = "Zelphira", "Quonderwick"
EMAIL, PHONE = "zelphira.quonderwick@erase-me.example", "+49 170 5550199"
SECRETS = [NAME, SURNAME, EMAIL, "5550199"]


async def test_erasure_removes_the_persons_data_from_rows_notes_documents_and_their_history(world, database_url):
    server, owner, ws = world.server, world.owner, f"/api/workspaces/{world.workspace}"
    person = await contact(world, owner, first_name="Zel", last_name=SURNAME, emails=[EMAIL], phones=[PHONE],
                           job_title="Chief Quonderwick Officer", fields={})
    for first in ("Zelph", "Zelphi", NAME):  # the name edited a few times
        await ok(server, owner, "PATCH", f"/api/contacts/{person}", json={"first_name": first})
    older = await contact(world, owner, first_name=NAME, last_name=f"{SURNAME}-Old", emails=["z.q@erase-me.example"])
    await ok(server, owner, "POST", f"/api/contacts/{person}/merge", json={"merge": [older]})
    board = world.board
    card = (await ok(server, owner, "POST", f"/api/boards/{board}/cards",
                     json={"title": f"Renewal {NAME}", "contact": person, "value": 1200}))["id"]
    for title in (f"Renewal {NAME} {SURNAME}", f"Renewal for {EMAIL}", f"Renewal {NAME} {SURNAME} (call {PHONE})"):
        await ok(server, owner, "PATCH", f"/api/boards/{board}/cards/{card}", json={"title": title})
    other_card = (await ok(server, owner, "POST", f"/api/boards/{board}/cards", json={"title": "Unrelated"}))["id"]
    activity = (await ok(server, owner, "POST", f"/api/boards/{board}/activities",
                         json={"type": "call", "title": f"Call {NAME}", "contact": person,
                               "note": f"ring {PHONE} first"}))["id"]
    note = await ok(server, owner, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": person, "board": board, "title": f"About {NAME} {SURNAME}",
        "text": f"{NAME} prefers e-mail: {EMAIL}"})
    await ok(server, owner, "POST", f"/api/notes/{note['id']}/text", json={"text": f"{SURNAME} called back"})
    await projected(server)
    assert await _holds(database_url, world.workspace), "the test data is stored before the erasure"

    assert (await call(server, world.member, "POST", f"{ws}/contacts/{person}/erase")).status_code == 403
    assert (await call(server, world.outsider, "POST", f"{ws}/contacts/{person}/erase")).status_code == 404
    report = await ok(server, owner, "POST", f"{ws}/contacts/{person}/erase")

    assert report == {"contact": person, "contacts_blanked": 2, "notes_blanked": 1, "deal_references_removed": 1,
                      "activity_references_removed": 1, "text_fields_redacted": 3, "documents_compacted": 2,
                      "log_rows_squashed": report["log_rows_squashed"], "documents_still_holding": 0}
    assert report["log_rows_squashed"] > 0
    assert await _holds(database_url, world.workspace) == [], "nothing of the person is left in Postgres"
    gone = await call(server, owner, "GET", f"/api/contacts/{person}")
    assert gone.status_code == 404
    deals = await eventually(lambda: _deals(server, owner, world.workspace))
    deal = next(d for d in deals if d["id"] == card)
    assert deal["title"] == "Renewal [erased] (call [erased])" and deal.get("contact") is None
    assert next(d for d in deals if d["id"] == other_card)["title"] == "Unrelated"
    links = await ok(server, owner, "GET", f"/api/notes/{note['id']}")
    assert links["title"] == "[erased]"
    audit = await ok(server, owner, "GET", f"{ws}/audit")
    erased = next(e for e in audit if e["event"] == "contact.erased")
    assert erased["details"]["contact"] == person and erased["details"]["notes"] == 1
    assert activity  # named in the report's activity count


async def _deals(server: InProcessServer, who: Account, workspace: str) -> list[dict[str, Any]] | None:
    deals = (await ok(server, who, "GET", f"/api/workspaces/{workspace}/deals"))
    deals = deals["deals"] if isinstance(deals, dict) else deals
    return deals if all(d["title"] != f"Renewal {NAME} {SURNAME} (call {PHONE})" for d in deals) else None


async def _holds(database_url: str, workspace: str) -> list[str]:
    """Where in Postgres any of ``SECRETS`` still appears for ``workspace`` (table names)."""
    conn = await asyncpg.connect(database_url)
    try:
        found = []
        texts = {
            "contacts": "SELECT row_to_json(c)::text FROM contacts c WHERE workspace_id = $1",
            "notes": "SELECT row_to_json(n)::text FROM notes n WHERE workspace_id = $1",
            "deals": "SELECT row_to_json(d)::text FROM deals d WHERE workspace_id = $1",
            "activities": "SELECT row_to_json(a)::text FROM activities a WHERE workspace_id = $1",
            "card_events": "SELECT row_to_json(e)::text FROM card_events e JOIN boards b ON b.id = e.board_id "
                           "WHERE b.workspace_id = $1",
            "audit_events": "SELECT details::text FROM audit_events WHERE workspace_id = $1",
        }
        for table, sql in texts.items():
            rows = [r[0].lower() for r in await conn.fetch(sql, uuid.UUID(workspace))]
            if any(s.lower() in row for row in rows for s in SECRETS):
                found.append(table)
        blobs = {
            "document_updates_v1": "SELECT u.update FROM document_updates_v1 u JOIN documents d ON d.name = u.document "
                                   "WHERE d.workspace_id = $1",
            "document_snapshots_v1": "SELECT s.state FROM document_snapshots_v1 s JOIN documents d "
                                     "ON d.name = s.document WHERE d.workspace_id = $1",
        }
        for table, sql in blobs.items():
            rows = [bytes(r[0]).lower() for r in await conn.fetch(sql, uuid.UUID(workspace))]
            if any(s.lower().encode() in row for row in rows for s in SECRETS):
                found.append(table)
        return found
    finally:
        await conn.close()



async def test_a_client_on_the_board_sees_the_erasure_at_once(world):
    server, owner, ws = world.server, world.owner, f"/api/workspaces/{world.workspace}"
    person = await contact(world, owner, first_name="Quillon", last_name="Vartabedian")
    card = (await ok(server, owner, "POST", f"/api/boards/{world.board}/cards",
                     json={"title": "Quillon Vartabedian pilot", "contact": person}))["id"]
    await projected(server)
    document = f"board:{world.board}"
    async with connect(server.ws_url, document, token=owner.token) as session:
        cards = session.doc.get("cards", type=Map)
        await session.wait_for(lambda: card in cards)
        assert "contact" not in cards[card], "the link lives in SQL, not in the document"
        report = await ok(server, owner, "POST", f"{ws}/contacts/{person}/erase")
        await session.wait_for(lambda: cards[card]["title"] == "[erased] pilot")
    assert report["deal_references_removed"] == 1 and report["documents_still_holding"] == 0
    links = await ok(server, owner, "GET", f"/api/boards/{world.board}/links")
    assert card not in [link["entry_id"] for link in links], "the link is gone with the person"
