"""Record links live in SQL, not in shared documents (issue 13, item 3): a guest syncing a shared
board (and a note about a contact on it) receives no contact or organisation id in any byte,
while members still see a deal's contact and organisation through the API; documents written the
old way are moved once: links into ``record_links``, keys out of the document and, after
compaction, out of the stored history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple
from uuid import UUID, uuid4

import asyncpg
import pytest
from pycrdt import Map

from server.documents import edits
from server.documents.read import read_board
from server.domain.crm import now_utc
from server.protocol.messages import encode_update
from server.services.link_move import LinkMove
from server.storage.unit import transactions
from tests.support.accounts import AUTH, Team, add_guest, team
from tests.support.crm import call, ok, projected
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for


class World(NamedTuple):
    server: InProcessServer
    t: Team
    contact: str
    organisation: str


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    async with in_process_server(settings_for(database_url, **AUTH)) as server:
        t = await team(server.http_url)
        ws = f"/api/workspaces/{t.workspace}"
        org = await ok(server, t.owner, "POST", f"{ws}/organisations", json={"name": "Hidden GmbH"})
        contact = await ok(server, t.owner, "POST", f"{ws}/contacts", json={
            "first_name": "Hanna", "last_name": "Hidden", "organisation_id": org["id"]})
        yield World(server, t, contact["id"], org["id"])


async def _received(world: World, document: str, token: str) -> bytes:
    """Every byte a client receives when it syncs ``document`` (and its state after)."""
    peer = await Peer.open(world.server.ws_url, document, token)
    frames: list[bytes] = []
    handle = peer._on_frame

    async def record(frame: bytes) -> None:
        frames.append(frame)
        await handle(frame)

    peer._on_frame = record  # type: ignore[method-assign]  # before the reader first runs
    try:
        assert await peer.opened()
        await peer.barrier()
        return b"".join(frames) + peer.doc.get_update()
    finally:
        await peer.close()


async def test_a_guest_syncing_a_shared_board_receives_no_contact_or_organisation_id(world):
    t, server = world.t, world.server
    board = t.board["id"]
    guest = await add_guest(server.http_url, t.owner, t.board, "edit", "Gabi Gast")
    deal = await ok(server, t.owner, "POST", f"/api/boards/{board}/cards",
                    json={"title": "Shared deal", "contact": world.contact, "organisation": world.organisation})
    task = await ok(server, t.owner, "POST", f"/api/boards/{board}/activities",
                    json={"type": "call", "title": "Call Hanna", "card": deal["id"], "contact": world.contact})
    note = await ok(server, t.owner, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": world.contact, "board": board, "title": "About Hanna"})
    await projected(server)

    for document in (t.document, note["document"]):
        received = await _received(world, document, guest.token)
        assert len(received) > 100
        for secret in (world.contact, world.organisation):
            assert secret.encode() not in received, f"{document} carries {secret}"

    # members still see them: in the answers, the board's links, the deal list and the contact's links
    assert (deal["contact"], deal["organisation"], task["contact"]) == (world.contact, world.organisation,
                                                                         world.contact)
    links = await ok(server, t.owner, "GET", f"/api/boards/{board}/links")
    assert {(l["entry_kind"], l["entry_id"], l["contact"], l["organisation"]) for l in links} >= {
        ("card", deal["id"], world.contact, world.organisation), ("activity", task["id"], world.contact, None)}
    listed = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/deals")
    assert [(d["contact"], d["organisation"]) for d in listed if d["id"] == deal["id"]] == [
        (world.contact, world.organisation)]
    theirs = await ok(server, t.owner, "GET", f"/api/contacts/{world.contact}/links")
    assert deal["id"] in [d["card_id"] for d in theirs["deals"]]
    assert task["id"] in [a["activity_id"] for a in theirs["activities"]]
    # changing one keeps the other; null removes it
    changed = await ok(server, t.owner, "PATCH", f"/api/boards/{board}/cards/{deal['id']}", json={"contact": None})
    assert (changed["contact"], changed["organisation"]) == (None, world.organisation)
    assert await ok(server, guest, "GET", f"/api/boards/{board}/links") == []


async def test_documents_written_the_old_way_are_moved_to_sql_and_compacted(world, database_url):
    t, server = world.t, world.server
    board, me = t.board["id"], UUID(t.owner.id)
    note = await ok(server, t.owner, "POST", "/api/notes", json={
        "subject_kind": "contact", "subject_id": world.contact, "board": board, "title": "Old note"})
    card, task = uuid4(), uuid4()
    peer = await Peer.open(server.ws_url, t.document, t.owner.token)
    try:  # as the app wrote deals before links moved to SQL
        assert await peer.opened()
        await peer.barrier()
        stage = read_board(peer.doc, "pipeline", lambda problem: None).ordered_stages()[0].id
        before, at = peer.doc.get_state(), now_utc()
        with peer.doc.transaction():
            edits.add_card(peer.doc, "pipeline", card, {"title": "Old deal"}, stage=stage, position=None, at=at, by=me)
            edits.add_activity(peer.doc, task, {"type": "todo", "title": "Old task", "card": card}, at=at, by=me)
            raw_card, raw_task = peer.doc.get("cards", type=Map)[str(card)], peer.doc.get("activities", type=Map)[str(task)]
            raw_card["contact"], raw_card["organisation"], raw_task["contact"] = (
                world.contact, world.organisation, world.contact)
        await peer.send(encode_update(peer.doc.get_update(before)))
        await peer.barrier()
    finally:
        await peer.close()
    old_note = await Peer.open(server.ws_url, note["document"], t.owner.token)
    try:
        assert await old_note.opened()
        await old_note.barrier()
        before = old_note.doc.get_state()
        old_note.doc.get("meta", type=Map)["subjectId"] = world.contact
        await old_note.send(encode_update(old_note.doc.get_update(before)))
        await old_note.barrier()
    finally:
        await old_note.close()
    await projected(server)

    conn = await asyncpg.connect(database_url)
    try:
        async def stored(document: str) -> bytes:
            rows = await conn.fetch("SELECT update AS u FROM document_updates_v1 WHERE document = $1 UNION ALL "
                                    "SELECT state FROM document_snapshots_v1 WHERE document = $1", document)
            return b"".join(row["u"] for row in rows)

        assert world.contact.encode() in await stored(t.document), "the old way: the id is in the log"
        assert await conn.fetchval("SELECT count(*) FROM record_links WHERE entry_id = ANY($1::uuid[])",
                                   [card, task]) == 0

        services = server.services
        move = LinkMove(transactions(services.pool), services.rooms, services.projector, services.store)
        moved = await move.run(force=True)
        assert moved.links == 2 and moved.documents >= 2, moved
        rows = await conn.fetch("SELECT entry_kind, entry_id, contact_id, organisation_id FROM record_links "
                                "WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_kind", [card, task])
        assert [tuple(r) for r in rows] == [("activity", task, UUID(world.contact), None),
                                            ("card", card, UUID(world.contact), UUID(world.organisation))]
        for document in (t.document, note["document"]):
            assert world.contact.encode() not in await stored(document), f"{document} still holds the id"
            assert world.organisation.encode() not in await stored(document)
        await projected(server)
        assert tuple(await conn.fetchrow("SELECT contact_id, organisation_id FROM deals WHERE card_id = $1",
                                         card)) == (UUID(world.contact), UUID(world.organisation))
        assert (await move.run(force=True)).links == 0, "idempotent"
        assert (await move.run()).documents == 0, "a finished run is recorded"
    finally:
        await conn.close()
