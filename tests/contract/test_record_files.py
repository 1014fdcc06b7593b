"""The ``RecordFiles`` contract over memory and Postgres: a record's files newest first with their
uploader's name, kept apart per record kind, board and workspace; removal; a contact's and
organisation's files for their timeline."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from server.domain.files import RecordKind, RecordRef, StoredFile
from server.storage.memory.record_files import MemoryRecordFiles
from server.storage.record_files import PostgresRecordFiles
from tests.support.units import backend

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, lambda conn: SimpleNamespace(f=PostgresRecordFiles(conn)),
                       lambda db: SimpleNamespace(f=MemoryRecordFiles(db))) as (begin, world):
        yield begin, world


def a_file(workspace, record, uploader, minutes=0, name="offer.pdf") -> StoredFile:
    return StoredFile(id=uuid.uuid4(), workspace_id=workspace, record=record, name=name,
                      content_type="application/pdf", size=1234, sha256="ab" * 32, uploaded_by=uploader,
                      created_at=T0 + timedelta(minutes=minutes))


async def test_a_records_files_read_back_newest_first_with_the_uploaders_name(store):
    begin, world = store
    workspace, ada = await world.workspace(), await world.user("Ada")
    contact = RecordRef(RecordKind.CONTACT, uuid.uuid4())
    older, newer = a_file(workspace, contact, ada, 0, "a.pdf"), a_file(workspace, contact, ada, 5, "b.pdf")
    async with begin() as tx:
        await tx.f.add(older)
        await tx.f.add(newer)
    async with begin() as tx:
        files = await tx.f.of_record(workspace, contact)
        assert [f.id for f in files] == [newer.id, older.id]
        assert files[0].uploaded_by_name == "Ada"
        got = await tx.f.get(older.id)
        assert (got.name, got.size, got.sha256, got.record, got.content_type) == (
            "a.pdf", 1234, "ab" * 32, contact, "application/pdf")
        assert await tx.f.get(uuid.uuid4()) is None


async def test_files_stay_with_their_own_record_board_and_workspace(store):
    begin, world = store
    workspace, other, ada = await world.workspace(), await world.workspace(), await world.user()
    record = uuid.uuid4()
    board, elsewhere = uuid.uuid4(), uuid.uuid4()
    deal = RecordRef(RecordKind.DEAL, record, board)
    async with begin() as tx:
        on_deal = a_file(workspace, deal, ada)
        await tx.f.add(on_deal)
        await tx.f.add(a_file(workspace, RecordRef(RecordKind.CONTACT, record), ada))
        await tx.f.add(a_file(other, deal, ada))
    async with begin() as tx:
        assert [f.id for f in await tx.f.of_record(workspace, deal)] == [on_deal.id]
        assert await tx.f.of_record(workspace, RecordRef(RecordKind.DEAL, record, elsewhere)) == []
        assert len(await tx.f.of_record(workspace, RecordRef(RecordKind.CONTACT, record))) == 1


async def test_a_removed_file_is_answered_once_and_then_gone(store):
    begin, world = store
    workspace, ada = await world.workspace(), await world.user("Ada")
    file = a_file(workspace, RecordRef(RecordKind.ORGANISATION, uuid.uuid4()), ada)
    async with begin() as tx:
        await tx.f.add(file)
    async with begin() as tx:
        removed = await tx.f.remove(file.id)
        assert removed.id == file.id and removed.uploaded_by_name == "Ada"
        assert await tx.f.remove(file.id) is None
        assert await tx.f.get(file.id) is None


async def test_a_contacts_and_organisations_files_are_read_together_for_the_timeline(store):
    begin, world = store
    workspace, ada = await world.workspace(), await world.user()
    person, someone_else, company = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    on_person = a_file(workspace, RecordRef(RecordKind.CONTACT, person), ada, 1)
    on_company = a_file(workspace, RecordRef(RecordKind.ORGANISATION, company), ada, 2)
    async with begin() as tx:
        for file in (on_person, on_company, a_file(workspace, RecordRef(RecordKind.CONTACT, someone_else), ada, 3)):
            await tx.f.add(file)
    async with begin() as tx:
        assert [f.id for f in await tx.f.on_records(workspace, [person], company, 10)] == [on_company.id, on_person.id]
        assert [f.id for f in await tx.f.on_records(workspace, [person], None, 10)] == [on_person.id]
        assert len(await tx.f.on_records(workspace, [person], company, 1)) == 1


async def test_removing_the_files_on_records_or_a_board_takes_only_those_rows(store):
    begin, world = store
    workspace, ada = await world.workspace(), await world.user()
    board, other_board = uuid.uuid4(), uuid.uuid4()
    card, other_card = uuid.uuid4(), uuid.uuid4()
    contact, organisation = uuid.uuid4(), uuid.uuid4()
    on_deal = a_file(workspace, RecordRef(RecordKind.DEAL, card, board), ada)
    on_other_deal = a_file(workspace, RecordRef(RecordKind.DEAL, other_card, board), ada)
    elsewhere = a_file(workspace, RecordRef(RecordKind.DEAL, card, other_board), ada)
    on_contact = a_file(workspace, RecordRef(RecordKind.CONTACT, contact), ada)
    on_organisation = a_file(workspace, RecordRef(RecordKind.ORGANISATION, organisation), ada)
    everything = [on_deal, on_other_deal, elsewhere, on_contact, on_organisation]
    async with begin() as tx:
        for file in everything:
            await tx.f.add(file)
    async with begin() as tx:
        assert [f.id for f in await tx.f.remove_on(workspace, RecordKind.DEAL, [card], board)] == [on_deal.id]
        assert [f.id for f in await tx.f.remove_on(workspace, RecordKind.CONTACT, [contact])] == [on_contact.id]
        assert await tx.f.remove_on(workspace, RecordKind.CONTACT, [organisation]) == []  # kinds kept apart
        assert await tx.f.present([f.id for f in everything]) == {on_other_deal.id, elsewhere.id, on_organisation.id}
        assert [f.id for f in await tx.f.remove_on_board(board)] == [on_other_deal.id]
        assert await tx.f.present([f.id for f in everything]) == {elsewhere.id, on_organisation.id}
