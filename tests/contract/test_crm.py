"""The contracts of the projection's storage (``ProjectedDocuments``, ``ProjectionTables``), the note
registry (``Notes``), ``BoardReach``, ``BoardReads`` and privacy (``PermissionLevels``,
``ErasableContacts``), over memory and Postgres. The boards, members and contacts they read are
written through the account, workspace and contact ports of the same backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.documents.seed import board_seed
from server.domain.access import Role, ShareLevel
from server.domain.board_reads import NoteRecord
from server.domain.boards import BoardKind, DocumentKind, note_document, workspace_document
from server.domain.crm import CardEvent
from server.domain.permissions import DeleteLevel, ExportLevel, Permissions
from server.domain.projection import ActivityRecord, DealRecord, StageRecord, Table, WorkItemRecord
from server.storage.crm import PostgresBoardReach, PostgresBoardReads, PostgresNotes
from server.storage.memory import crm as memory_crm
from server.storage.memory.privacy import MemoryErasableContacts, MemoryPermissionLevels
from server.storage.privacy import PostgresErasableContacts, PostgresPermissionLevels
from server.storage.projection import PostgresProjectedDocuments, PostgresProjectionTables
from tests.contract import test_accounts, test_contacts
from tests.contract.test_contacts import person
from tests.support.units import backend

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_accounts.adapters(conn)), **vars(test_contacts.adapters(conn)),
                           projected_documents=PostgresProjectedDocuments(conn),
                           projection=PostgresProjectionTables(conn), notes=PostgresNotes(conn),
                           board_reach=PostgresBoardReach(conn), board_reads=PostgresBoardReads(conn),
                           permission_levels=PostgresPermissionLevels(conn),
                           erasable_contacts=PostgresErasableContacts(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_accounts.twins(db)), **vars(test_contacts.twins(db)),
                           projected_documents=memory_crm.MemoryProjectedDocuments(db),
                           projection=memory_crm.MemoryProjectionTables(db), notes=memory_crm.MemoryNotes(db),
                           board_reach=memory_crm.MemoryBoardReach(db), board_reads=memory_crm.MemoryBoardReads(db),
                           permission_levels=MemoryPermissionLevels(db),
                           erasable_contacts=MemoryErasableContacts(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


class Crm:
    """A workspace with an owner, a pipeline board (registered with its document) and its stages."""

    def __init__(self, workspace, owner, board, stages: list[StageRecord]) -> None:
        self.workspace, self.owner, self.board, self.stages = workspace, owner, board, stages


async def user(begin, name: str = "Ada") -> UUID:
    async with begin() as unit:
        return (await unit.users.add(f"{uuid4().hex[:10]}@example.test", name, "hash")).id


async def crm(begin, name: str = "Deals") -> Crm:
    owner = await user(begin, "Olivia Owner")
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, owner, Role.OWNER)
        board = await unit.boards.add(workspace.id, name, BoardKind.PIPELINE, owner)
        await unit.workspaces.add_document(board.document, workspace.id, board.id, DocumentKind.BOARD)
        stages = [StageRecord(uuid4(), n, r, i, p, rot, k) for i, (n, r, p, rot, k) in enumerate(
            [("Lead", "a", 10.0, 0, "open"), ("Won", "b", 100.0, 0, "won"), ("Lost", "c", 0.0, 0, "lost")])]
        await unit.projection.upsert(Table.STAGES, board.id, workspace.id, stages)
    return Crm(workspace.id, owner, board, stages)


def deal(stage: UUID, title: str = "Deal", rank: str = "m", **values) -> DealRecord:
    base = DealRecord(uuid4(), title, 100.0, "EUR", None, None, None, None, "open", None, [], {}, stage, rank, T0,
                      None, T0, T0)
    return base._replace(**values)


def activity(title: str, assignee: UUID | None, **values) -> ActivityRecord:
    base = ActivityRecord(uuid4(), "call", title, assignee, None, None, False, None, None, None, None, T0, None)
    return base._replace(**values)


# --- ProjectedDocuments ------------------------------------------------------------------------


async def test_a_seeded_document_reads_back_its_updates_and_its_board(begin):
    c = await crm(begin)
    # a real seed: other suites sharing the database may rebuild the projection of every document
    seed = board_seed(c.board.id, BoardKind.PIPELINE, "Deals", T0)
    async with begin() as unit:
        await unit.projected_documents.seed(c.board.document, seed)
        await unit.projected_documents.lock(c.board.document)
        assert await unit.projected_documents.stored_updates(c.board.document) == [seed]
        found = await unit.projected_documents.get(c.board.document)
        assert (found.kind, found.workspace_id, found.board_id, found.board_kind) == (
            "board", c.workspace, c.board.id, "pipeline")
        assert await unit.projected_documents.get("board:" + str(uuid4())) is None


async def test_board_and_note_documents_are_listed_the_workspace_document_is_not(begin):
    c = await crm(begin)
    note = note_document(uuid4())
    async with begin() as unit:
        await unit.workspaces.add_document(note, c.workspace, c.board.id, DocumentKind.NOTE)
        names = await unit.projected_documents.names()
        assert (await unit.projected_documents.get(note)).kind == "note"
    assert {c.board.document, note} <= set(names) and workspace_document(c.workspace) not in names
    assert names == sorted(names)


# --- ProjectionTables ------------------------------------------------------------------------


async def test_records_read_back_as_they_were_written(begin):
    c = await crm(begin)
    lead = c.stages[0].id
    written = {
        Table.DEALS: deal(lead, labels=["vip"], fields={"plan": "pro", "seats": 3}, expected_close=date(2030, 2, 1)),
        Table.WORK_ITEMS: WorkItemRecord(uuid4(), "Ship", "soon", c.owner, date(2030, 1, 5), "todo", lead, "a", T0,
                                         c.owner, T0),
        Table.ACTIVITIES: activity("Call", c.owner, due_date=date(2030, 1, 2), due_at=T0 + timedelta(days=1)),
    }
    async with begin() as unit:
        for table, record in written.items():
            await unit.projection.upsert(table, c.board.id, c.workspace, [record])
    async with begin() as unit:
        for table, record in written.items():
            assert await unit.projection.records(table, c.board.id) == {record.id: record}
        assert await unit.projection.records(Table.STAGES, c.board.id) == {s.id: s for s in c.stages}


async def test_an_upsert_replaces_a_delete_removes_only_its_keys_and_clear_empties(begin):
    c = await crm(begin)
    lead = c.stages[0].id
    a, b = deal(lead, "A"), deal(lead, "B")
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [a, b])
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [a._replace(title="A2")])
        await unit.projection.delete(Table.DEALS, c.board.id, [b.id])
        assert await unit.projection.records(Table.DEALS, c.board.id) == {a.id: a._replace(title="A2")}
        await unit.projection.clear(Table.STAGES, c.board.id)
        assert await unit.projection.records(Table.STAGES, c.board.id) == {}


async def test_card_events_read_back_oldest_first(begin):
    c = await crm(begin)
    card = uuid4()
    later = CardEvent(card, "moved", T0 + timedelta(hours=1), c.owner, c.stages[0].id, c.stages[1].id)
    first = CardEvent(card, "created", T0, c.owner, None, c.stages[0].id, None, 100.0, "EUR")
    async with begin() as unit:
        await unit.projection.add_events(c.board.id, [later, first])
        assert await unit.projection.events(c.board.id) == [first, later]


# --- Notes ------------------------------------------------------------------------------------


async def test_a_note_is_registered_read_and_retitled(begin):
    c = await crm(begin)
    note = uuid4()
    record = NoteRecord(note, note_document(note), c.workspace, c.board.id, "deal", uuid4(), "Kickoff", c.owner, T0)
    async with begin() as unit:
        await unit.workspaces.add_document(record.document, c.workspace, c.board.id, DocumentKind.NOTE)
        await unit.notes.add(record)
        await unit.notes.set_title(record.document, "Kick-off")
    async with begin() as unit:
        assert await unit.notes.get(note) == record._replace(title="Kick-off")
        assert await unit.notes.title(record.document) == "Kick-off"
        assert await unit.notes.get(uuid4()) is None


# --- BoardReach -------------------------------------------------------------------------------


async def test_members_reach_every_board_of_their_workspace_guests_the_shared_ones(begin):
    c = await crm(begin)
    member, guest, stranger = await user(begin), await user(begin), await user(begin)
    async with begin() as unit:
        await unit.members.add(c.workspace, member, Role.VIEWER)
        other = await unit.boards.add(c.workspace, "Other", BoardKind.PROJECT, c.owner)
        await unit.shares.put(c.board.id, guest, ShareLevel.READ, c.owner)
    async with begin() as unit:
        assert set(await unit.board_reach.visible_boards(member)) == {c.board.id, other.id}
        assert await unit.board_reach.visible_boards(guest) == [c.board.id]
        assert await unit.board_reach.visible_boards(stranger) == []
        assert await unit.board_reach.reaches(c.board.id, guest) and not await unit.board_reach.reaches(other.id, guest)


# --- BoardReads -------------------------------------------------------------------------------


async def test_my_tasks_are_the_callers_on_the_given_boards_open_ones_by_due_date(begin):
    c = await crm(begin)
    someone = await user(begin)
    lead = c.stages[0].id
    card = deal(lead, "Big deal")
    late = activity("b late", c.owner, due_date=date(2030, 1, 1), card=card.id)
    soon = activity("a soon", c.owner, due_date=date(2030, 1, 3))
    undated = activity("undated", c.owner)
    done = activity("done", c.owner, done=True, done_at=T0)
    theirs = activity("theirs", someone)
    item = WorkItemRecord(uuid4(), "Item", None, c.owner, None, "doing", lead, "a", T0, None, T0)
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [card])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [undated, soon, late, done, theirs])
        await unit.projection.upsert(Table.WORK_ITEMS, c.board.id, c.workspace, [item])
    async with begin() as unit:
        activities, items = await unit.board_reads.my_tasks(c.owner, [c.board.id], False)
        every, _ = await unit.board_reads.my_tasks(c.owner, [c.board.id], True)
        none = await unit.board_reads.my_tasks(c.owner, [], True)
    assert [a.title for a in activities] == ["b late", "a soon", "undated"]
    assert (activities[0].card_title, activities[0].board_name, activities[0].workspace_id) == (
        "Big deal", "Deals", c.workspace)
    assert {a.title for a in every} == {"b late", "a soon", "undated", "done"}
    assert [(i.title, i.stage_name, i.status) for i in items] == [("Item", "Lead", "doing")]
    assert none == ([], [])


async def test_a_task_names_its_contact_only_to_members_and_only_of_the_boards_workspace(begin):
    c, elsewhere = await crm(begin), await crm(begin, "Elsewhere")
    guest = await user(begin)
    async with begin() as unit:
        ours = await unit.contacts.insert(c.workspace, person("Ann", "Ours"), c.owner)
        theirs = await unit.contacts.insert(elsewhere.workspace, person("Tom", "Theirs"), elsewhere.owner)
        await unit.shares.put(c.board.id, guest, ShareLevel.EDIT, c.owner)
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [
            activity("ours", c.owner, contact=ours), activity("theirs", c.owner, contact=theirs),
            activity("guest's", guest, contact=ours)])
    async with begin() as unit:
        mine, _ = await unit.board_reads.my_tasks(c.owner, [c.board.id], False)
        guests, _ = await unit.board_reads.my_tasks(guest, [c.board.id], False)
    assert {a.title: a.contact_id for a in mine} == {"ours": ours, "theirs": None}
    assert [a.contact_id for a in guests] == [None]


async def test_deals_filter_by_owner_stage_status_and_board_in_stage_order(begin):
    c = await crm(begin)
    other = await user(begin)
    lead, won = c.stages[0].id, c.stages[1].id
    a = deal(lead, "a", rank="b", owner=c.owner, fields={"x": 1}, labels=["l"])
    b = deal(won, "b", rank="a", owner=other, status="won")
    z = deal(lead, "z", rank="a", owner=other)
    async with begin() as unit:
        organisation = await unit.organisations.insert(c.workspace, test_contacts.company("Acme"), c.owner)
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [
            a._replace(organisation=organisation, contact=uuid4()), b, z])
    boards = [c.board.id]

    async def titles(**filters) -> list[str]:
        query = {"owner": None, "stage": None, "status": None, "board": None, "limit": 100, **filters}
        async with begin() as unit:
            return [d.title for d in await unit.board_reads.deals(c.workspace, boards, **query)]

    assert await titles() == ["z", "a", "b"]
    assert await titles(owner=other) == ["z", "b"]
    assert await titles(stage=won) == ["b"]
    assert await titles(status="open", limit=1) == ["z"]
    assert await titles(board=uuid4()) == []
    async with begin() as unit:
        listed = await unit.board_reads.deals(c.workspace, boards, owner=c.owner, stage=None, status=None, board=None,
                                              limit=5)
        assert await unit.board_reads.deals(uuid4(), boards, owner=None, stage=None, status=None, board=None,
                                            limit=5) == []
    assert (listed[0].organisation_id, listed[0].contact_id) == (organisation, None)  # no such contact here
    assert (listed[0].stage_name, listed[0].probability, listed[0].fields, listed[0].labels) == (
        "Lead", 10.0, {"x": 1}, ["l"])


async def test_the_report_reads_stages_in_order_deals_and_history(begin):
    c = await crm(begin)
    d = deal(c.stages[0].id, owner=c.owner)
    created = CardEvent(d.id, "created", T0, c.owner, None, c.stages[0].id, None, 100.0, "EUR")
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [d])
        await unit.projection.add_events(c.board.id, [created])
        stages, deals, events = await unit.board_reads.report(c.board.id)
    assert [s.name for s in stages] == ["Lead", "Won", "Lost"] and str(stages[1].kind) == "won"
    assert [(f.id, f.stage, f.status, f.value, f.owner) for f in deals] == [(d.id, d.stage, "open", 100.0, c.owner)]
    assert events == [created]


async def test_a_deal_and_its_timeline_carry_the_names_they_are_shown_with(begin):
    c = await crm(begin)
    lead, won = c.stages[0].id, c.stages[1].id
    d = deal(won, "Big", created_by=c.owner)
    task = activity("Call back", c.owner, card=d.id, done=True, done_at=T0 + timedelta(hours=2))
    note = uuid4()
    async with begin() as unit:
        await unit.projection.upsert(Table.DEALS, c.board.id, c.workspace, [d])
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [task, activity("open", c.owner,
                                                                                                card=d.id)])
        await unit.projection.add_events(c.board.id, [
            CardEvent(d.id, "created", T0, c.owner, None, lead),
            CardEvent(d.id, "moved", T0 + timedelta(hours=1), c.owner, lead, won)])
        await unit.workspaces.add_document(note_document(note), c.workspace, c.board.id, DocumentKind.NOTE)
        await unit.notes.add(NoteRecord(note, note_document(note), c.workspace, c.board.id, "deal", d.id, "Notes",
                                        c.owner, T0))
    async with begin() as unit:
        summary = await unit.board_reads.deal(c.board.id, d.id)
        timeline = await unit.board_reads.timeline(c.board.id, d.id)
        assert await unit.board_reads.deal(c.board.id, uuid4()) is None
    assert (summary.title, summary.stage_name, summary.created_by_name) == ("Big", "Won", "Olivia Owner")
    assert [(h.kind, h.from_stage_name, h.to_stage_name, h.author_name) for h in timeline.history] == [
        ("moved", "Lead", "Won", "Olivia Owner")]
    assert [(t.title, t.assignee_name) for t in timeline.tasks] == [("Call back", "Olivia Owner")]
    assert [(n.id, n.title, n.created_by_name) for n in timeline.notes] == [(note, "Notes", "Olivia Owner")]


# --- PermissionLevels and ErasableContacts ----------------------------------------------------


async def test_permission_levels_are_none_until_set(begin):
    c = await crm(begin)
    levels = Permissions(DeleteLevel.ADMINS, ExportLevel.MEMBERS)
    async with begin() as unit:
        assert await unit.permission_levels.of_workspace(c.workspace) is None
        await unit.permission_levels.set(c.workspace, levels, c.owner)
    async with begin() as unit:
        assert await unit.permission_levels.of_workspace(c.workspace) == levels


async def test_erasure_reads_the_person_and_everyone_merged_into_them_and_blanks_them(begin):
    c = await crm(begin)
    async with begin() as unit:
        survivor = await unit.contacts.insert(c.workspace, person("Zelda", "Quixote", emails=["z@q.example"]), None)
        older = await unit.contacts.insert(c.workspace, person("Zelda", "Q", phones=["+49 170 5550199"]), None)
        oldest = await unit.contacts.insert(c.workspace, person("Z", "Quixote"), None)
        await unit.duplicates.merge([oldest], older)
        await unit.duplicates.merge([older], survivor)
    async with begin() as unit:
        found = await unit.erasable_contacts.lock(survivor)
        merged = await unit.erasable_contacts.merged_into(survivor)
        assert (found.workspace_id, found.first_name, found.emails) == (c.workspace, "Zelda", ("z@q.example",))
        assert {m.id for m in merged} == {older, oldest}
        assert {m.phone_digits for m in merged} == {("491705550199",), ()}
        assert await unit.erasable_contacts.erase([survivor, older, oldest]) == 3
    async with begin() as unit:
        blanked = await unit.erasable_contacts.lock(survivor)
        assert (blanked.first_name, blanked.last_name, blanked.emails) == ("", "", ())
        assert await unit.erasable_contacts.lock(uuid4()) is None


async def test_erasure_finds_the_notes_about_a_contact_and_the_boards_naming_them(begin):
    c = await crm(begin)
    async with begin() as unit:
        contact = await unit.contacts.insert(c.workspace, person("Ann", "Ours"), None)
        note = uuid4()
        await unit.workspaces.add_document(note_document(note), c.workspace, c.board.id, DocumentKind.NOTE)
        await unit.notes.add(NoteRecord(note, note_document(note), c.workspace, c.board.id, "contact", contact, "",
                                        c.owner, T0))
        await unit.projection.upsert(Table.ACTIVITIES, c.board.id, c.workspace, [activity("x", None,
                                                                                          contact=contact)])
    async with begin() as unit:
        assert await unit.erasable_contacts.notes_about([contact]) == [note_document(note)]
        assert await unit.erasable_contacts.boards_naming([contact]) == [c.board.id]
        assert await unit.erasable_contacts.boards_naming([uuid4()]) == []
