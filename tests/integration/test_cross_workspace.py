"""No record crosses a workspace (issue 13, items 3 and 10): every write that names a contact or an
organisation of another workspace answers 422 naming the field, in the same words as for an id that
does not exist, and writes nothing; an id written straight into a board document over the socket
resolves nowhere (export, links, deal lists, my tasks, timeline); a guest's answers hold no ids of
the workspace's contacts and organisations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import pytest
from pycrdt import Doc, Map

from server.documents import edits
from server.documents.read import read_board
from server.domain.crm import now_utc
from server.protocol.messages import encode_update
from tests.support.accounts import AUTH, Account, Team, add_guest, team
from tests.support.crm import call, ok, projected
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for


MIGRATION = Path(__file__).parents[2] / "schema" / "migrations" / "0007_cross_workspace_references.sql"


class World(NamedTuple):
    server: InProcessServer
    victim: Team
    attacker: Team
    contact: str  # the victim's
    organisation: str  # the victim's
    card: str  # on the attacker's board
    activity: str  # on the attacker's board


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        victim, attacker = await team(server.http_url), await team(server.http_url)
        ws = f"/api/workspaces/{victim.workspace}"
        org = await ok(server, victim.owner, "POST", f"{ws}/organisations", json={"name": "Victim Corp"})
        contact = await ok(server, victim.owner, "POST", f"{ws}/contacts", json={
            "first_name": "Vera", "last_name": "Secret", "emails": ["vera@victim.example"],
            "organisation_id": org["id"]})
        board = attacker.board["id"]
        card = await ok(server, attacker.owner, "POST", f"/api/boards/{board}/cards", json={"title": "Mine"})
        activity = await ok(server, attacker.owner, "POST", f"/api/boards/{board}/activities",
                            json={"type": "call", "title": "Call", "assignee": attacker.owner.id})
        yield World(server, victim, attacker, contact["id"], org["id"], card["id"], activity["id"])


def _paths(w: World) -> dict[str, tuple[str, str, str, Callable[[str], dict[str, Any]]]]:
    """Each write path: method, path, the field it names, and the body naming ``id`` there."""
    board, ws = w.attacker.board["id"], f"/api/workspaces/{w.attacker.workspace}"
    return {
        "new deal's contact": ("POST", f"/api/boards/{board}/cards", "contact",
                               lambda i: {"title": "Stolen", "contact": i}),
        "new deal's organisation": ("POST", f"/api/boards/{board}/cards", "organisation",
                                    lambda i: {"title": "Stolen", "organisation": i}),
        "deal's contact": ("PATCH", f"/api/boards/{board}/cards/{w.card}", "contact", lambda i: {"contact": i}),
        "deal's organisation": ("PATCH", f"/api/boards/{board}/cards/{w.card}", "organisation",
                                lambda i: {"organisation": i}),
        "new activity's contact": ("POST", f"/api/boards/{board}/activities", "contact",
                                   lambda i: {"type": "todo", "title": "Stolen", "contact": i}),
        "activity's contact": ("PATCH", f"/api/boards/{board}/activities/{w.activity}", "contact",
                               lambda i: {"contact": i}),
        "note about a contact": ("POST", "/api/notes", "subject_id",
                                 lambda i: {"subject_kind": "contact", "subject_id": i, "board": board,
                                            "title": "Stolen"}),
        "new contact's organisation": ("POST", f"{ws}/contacts", "organisation_id",
                                       lambda i: {"first_name": "Stolen", "organisation_id": i}),
        "segment's organisation": ("POST", f"{ws}/segments", "organisation",
                                   lambda i: {"name": "Stolen", "filter": {"organisation": i}}),
    }


KIND = {"contact": "contact", "subject_id": "contact", "organisation": "organisation",
        "organisation_id": "organisation"}
CASES = ["new deal's contact", "new deal's organisation", "deal's contact", "deal's organisation",
         "new activity's contact", "activity's contact", "note about a contact", "new contact's organisation",
         "segment's organisation"]


def _foreign(w: World, field: str) -> str:
    return w.contact if KIND[field] == "contact" else w.organisation


@pytest.mark.parametrize("case", CASES)
async def test_a_write_naming_another_workspaces_record_is_refused_like_an_unknown_id(world, case):
    method, path, field, body = _paths(world)[case]
    foreign = await call(world.server, world.attacker.owner, method, path, json=body(_foreign(world, field)))
    unknown = await call(world.server, world.attacker.owner, method, path, json=body(str(uuid4())))
    assert foreign.status_code == 422, foreign.text
    assert foreign.json()["detail"] == f"{field}: no such {KIND[field]} in this workspace"
    assert (unknown.status_code, unknown.json()) == (foreign.status_code, foreign.json()), "no existence oracle"


async def test_refused_writes_leave_nothing_behind(world):
    for case in CASES:
        method, path, field, body = _paths(world)[case]
        await call(world.server, world.attacker.owner, method, path, json=body(_foreign(world, field)))
    await projected(world.server)
    ws = f"/api/workspaces/{world.attacker.workspace}"
    deals = await ok(world.server, world.attacker.owner, "GET", f"{ws}/deals")
    assert [(d["title"], d["contact"], d["organisation"]) for d in deals] == [("Mine", None, None)]
    tasks = await ok(world.server, world.attacker.owner, "GET", "/api/me/tasks", params={"scope": "all"})
    assert {t["title"] for bucket in ("overdue", "today", "upcoming", "unscheduled") for t in tasks[bucket]} \
        == {"Call"}
    contacts = await ok(world.server, world.attacker.owner, "GET", f"{ws}/contacts")
    segments = await ok(world.server, world.attacker.owner, "GET", f"{ws}/segments")
    assert (contacts["items"], segments) == ([], [])


async def test_a_segment_may_not_filter_on_a_stranger_as_owner(world):
    ws = f"/api/workspaces/{world.attacker.workspace}"
    response = await call(world.server, world.attacker.owner, "POST", f"{ws}/segments",
                          json={"name": "Theirs", "filter": {"owner": world.victim.owner.id}})
    assert (response.status_code, response.json()["detail"]) == (422, "owner: no such member in this workspace")
    mine = await ok(world.server, world.attacker.owner, "POST", f"{ws}/segments",
                    json={"name": "Mine", "filter": {"owner": world.attacker.member.id}})
    changed = await call(world.server, world.attacker.owner, "PATCH", f"/api/segments/{mine['id']}",
                         json={"filter": {"organisation": world.organisation}})
    assert (changed.status_code, changed.json()["detail"]) == (
        422, "organisation: no such organisation in this workspace")
    await ok(world.server, world.attacker.owner, "DELETE", f"/api/segments/{mine['id']}")


async def test_a_deal_import_naming_another_workspaces_contact_or_organisation_imports_nothing(world):
    text = ("title,contact,organisation\r\n"
            f"By id,{world.contact},\r\nBy e-mail,vera@victim.example,\r\nBy name,,Victim Corp\r\n")
    response = await call(world.server, world.attacker.owner, "POST",
                          f"/api/workspaces/{world.attacker.workspace}/import/deals", content=text.encode(),
                          headers={**world.attacker.owner.headers, "Content-Type": "text/csv"},
                          params={"board": world.attacker.board["id"]})
    assert response.status_code == 422, response.text
    report = response.json()
    assert [(p["line"], p["column"]) for p in report["problems"]] == [
        (2, "contact"), (3, "contact"), (4, "organisation")]
    assert report["imported"] is False


async def _write_raw(world: World, contact: str, organisation: str) -> tuple[UUID, UUID]:
    """A deal and a task naming ``contact`` and ``organisation``, written straight into the
    attacker's board document over the socket (as any editor's client can, and as documents did
    before links moved to SQL: readers ignore these keys)."""
    me = UUID(world.attacker.owner.id)
    peer = await Peer.open(world.server.ws_url, world.attacker.document, world.attacker.owner.token)
    try:
        assert await peer.opened()
        await peer.barrier()
        stage = read_board(peer.doc, "pipeline", lambda problem: None).ordered_stages()[0].id
        before, card, task, at = peer.doc.get_state(), uuid4(), uuid4(), now_utc()
        with peer.doc.transaction():
            edits.add_card(peer.doc, "pipeline", card, {"title": "Raw"}, stage=stage, position=None, at=at, by=me)
            edits.add_activity(peer.doc, task, {"type": "todo", "title": "Raw task", "assignee": me, "card": card},
                               at=at, by=me)
            raw_card, raw_task = peer.doc.get("cards", type=Map)[str(card)], peer.doc.get("activities", type=Map)[str(task)]
            raw_card["contact"], raw_card["organisation"], raw_task["contact"] = contact, organisation, contact
        await peer.send(encode_update(peer.doc.get_update(before)))
        await peer.barrier()
    finally:
        await peer.close()
    await projected(world.server)
    return card, task


async def test_a_foreign_id_written_into_a_board_document_resolves_nowhere(world):
    card, task = await _write_raw(world, world.contact, world.organisation)
    secrets = (world.contact, world.organisation, "vera@victim.example", "Victim Corp", "Secret")
    board, ws = world.attacker.board["id"], f"/api/workspaces/{world.attacker.workspace}"

    exported = await call(world.server, world.attacker.owner, "GET", f"{ws}/export/deals.csv",
                          params={"board": board})
    assert exported.status_code == 200 and "Raw" in exported.text
    deals = await ok(world.server, world.attacker.owner, "GET", f"{ws}/deals")
    assert [(d["contact"], d["organisation"]) for d in deals if d["id"] == str(card)] == [(None, None)]
    tasks = await ok(world.server, world.attacker.owner, "GET", "/api/me/tasks")
    raw = [t for bucket in tasks.values() if isinstance(bucket, list) for t in bucket if t["id"] == str(task)]
    assert [t["contact"] for t in raw] == [None]
    timeline = await call(world.server, world.attacker.owner, "GET", f"/api/deals/{board}/{card}/timeline")
    assert timeline.status_code == 200
    for text in (exported.text, str(deals), str(tasks), timeline.text):
        assert not [s for s in secrets if s in text], text

    links = await ok(world.server, world.victim.owner, "GET", f"/api/contacts/{world.contact}/links")
    assert (links["deals"], links["activities"]) == ([], []), "an outsider's records are not the victim's links"


async def test_a_merge_in_one_workspace_never_edits_another_workspaces_board(world):
    ws = f"/api/workspaces/{world.victim.workspace}"
    twin = await ok(world.server, world.victim.owner, "POST", f"{ws}/contacts",
                    json={"first_name": "Vera", "last_name": "Twin"})
    card, _ = await _write_raw(world, twin["id"], world.organisation)
    merged = await call(world.server, world.victim.owner, "POST", f"/api/contacts/{world.contact}/merge",
                        json={"merge": [twin["id"]]})
    assert merged.status_code == 200, merged.text
    await projected(world.server)
    stored = await call(world.server, world.attacker.owner, "GET", f"/api/documents/{world.attacker.document}")
    doc = Doc()
    doc.apply_update(stored.content)
    assert doc.get("cards", type=Map)[str(card)]["contact"] == twin["id"], "the merge edits no document"


async def test_a_guest_sees_no_ids_of_the_workspaces_contacts_and_organisations(world):
    v, server = world.victim, world.server
    guest = await add_guest(server.http_url, v.owner, v.board, "edit", "Gail Guest")
    board = v.board["id"]
    deal = await ok(server, v.owner, "POST", f"/api/boards/{board}/cards",
                    json={"title": "Shared deal", "contact": world.contact, "organisation": world.organisation})
    assert (deal["contact"], deal["organisation"]) == (world.contact, world.organisation), "members see them"
    task = await ok(server, v.owner, "POST", f"/api/boards/{board}/activities", json={
        "type": "call", "title": "Shared call", "assignee": guest.id, "card": deal["id"], "contact": world.contact})
    note = await ok(server, v.owner, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": world.contact, "board": board, "title": "About Vera"})
    await projected(server)

    answers = [
        await call(server, guest, "PATCH", f"/api/boards/{board}/cards/{deal['id']}", json={"title": "Renamed"}),
        await call(server, guest, "POST", f"/api/boards/{board}/cards/{deal['id']}/move",
                   json={"stage": deal["stage"]}),
        await call(server, guest, "PATCH", f"/api/boards/{board}/activities/{task['id']}", json={"done": True}),
        await call(server, guest, "GET", f"/api/workspaces/{v.workspace}/deals"),
        await call(server, guest, "GET", "/api/me/tasks", params={"scope": "all"}),
        await call(server, guest, "GET", f"/api/notes/{note['id']}"),
        await call(server, guest, "GET", f"/api/deals/{board}/{deal['id']}/timeline"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert world.contact not in answer.text and world.organisation not in answer.text, answer.text

    for method, path, body, field in [
        ("POST", f"/api/boards/{board}/cards", {"title": "x", "contact": world.contact}, "contact"),
        ("POST", "/api/notes", {"subject_kind": "organisation", "subject_id": world.organisation, "board": board,
                                "title": "x"}, "subject_id"),
    ]:
        refused = await call(server, guest, method, path, json=body)
        assert refused.status_code == 422 and refused.json()["detail"].startswith(f"{field}: no such"), refused.text


async def test_a_contact_stored_with_another_workspaces_organisation_shows_none_and_the_migration_clears_it(
        world, database_url):
    ws = f"/api/workspaces/{world.attacker.workspace}"
    legacy = await ok(world.server, world.attacker.owner, "POST", f"{ws}/contacts", json={"first_name": "Legacy"})
    conn = await asyncpg.connect(database_url)
    try:  # as a write before issue 13 could store it
        await conn.execute("UPDATE contacts SET organisation_id = $1 WHERE id = $2",
                           UUID(world.organisation), UUID(legacy["id"]))
        shown = await ok(world.server, world.attacker.owner, "GET", f"/api/contacts/{legacy['id']}")
        listed = await ok(world.server, world.attacker.owner, "GET", f"{ws}/contacts", params={"q": "legacy"})
        theirs = await ok(world.server, world.victim.owner, "GET", f"/api/organisations/{world.organisation}")
        assert (shown["organisation"], [c["organisation"] for c in listed["items"]]) == (None, [None])
        assert theirs["contacts_count"] == 1, "only the victim's own contact counts"
        await conn.execute(MIGRATION.read_text())
        assert await conn.fetchval("SELECT organisation_id FROM contacts WHERE id = $1", UUID(legacy["id"])) is None
        assert await conn.fetchval("SELECT organisation_id FROM contacts WHERE id = $1",
                                   UUID(world.contact)) == UUID(world.organisation), "same-workspace links stay"
    finally:
        await conn.close()


async def test_a_contact_import_naming_another_workspaces_organisation_links_one_of_its_own(world):
    ws = f"/api/workspaces/{world.attacker.workspace}"
    text = "first_name,organisation\r\nImported,Victim Corp\r\n"
    response = await call(world.server, world.attacker.owner, "POST", f"{ws}/import/contacts", content=text.encode(),
                          headers={**world.attacker.owner.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    found = await ok(world.server, world.attacker.owner, "GET", f"{ws}/contacts", params={"q": "imported"})
    [organisation] = [c["organisation"] for c in found["items"]]
    assert organisation["name"] == "Victim Corp" and organisation["id"] != world.organisation
    theirs = await ok(world.server, world.victim.owner, "GET", f"/api/organisations/{world.organisation}")
    assert theirs["contacts_count"] == 1
