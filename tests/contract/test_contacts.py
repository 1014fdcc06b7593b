"""The contact and organisation ports (``server.services.ports.contacts``), one contract over the
memory twins and Postgres: what is stored comes back, search finds fragments of names, e-mails,
phones and company names, filters and pages agree, and nothing crosses workspaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.board_reads import NoteRecord
from server.domain.contacts import ContactValues, Filter, Indexed, OrganisationValues
from server.domain.links import LinkedDeal
from server.domain.projection import ActivityRecord, DealRecord, Table
from server.domain.references import RecordKind
from server.storage.contacts import (
    PostgresContacts, PostgresContactSearch, PostgresDuplicates, PostgresOrganisations, PostgresRecordLookups,
)
from server.storage.links import PostgresRecordLinks
from server.storage.memory.contacts import (
    MemoryContacts, MemoryContactSearch, MemoryDuplicates, MemoryOrganisations, MemoryRecordLookups,
)
from server.storage.memory.links import MemoryRecordLinks
from server.storage.memory.unit import MemoryDatabase
from tests.support.units import World, backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(contacts=PostgresContacts(conn), contact_search=PostgresContactSearch(conn),
                           organisations=PostgresOrganisations(conn), duplicates=PostgresDuplicates(conn),
                           lookups=PostgresRecordLookups(conn), links=PostgresRecordLinks(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(contacts=MemoryContacts(db), contact_search=MemoryContactSearch(db),
                           organisations=MemoryOrganisations(db), duplicates=MemoryDuplicates(db),
                           lookups=MemoryRecordLookups(db), links=MemoryRecordLinks(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def member(world: World, workspace: UUID) -> UUID:
    """A user who is a member of ``workspace``, wherever the backend keeps memberships."""
    user = await world.user()
    if world.pool is not None:
        await world.pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                                 workspace, user)
    else:
        world.db.table("memberships")[workspace, user] = "member"
    return user


def person(first: str, last: str, *, emails: list[str] = (), phones: list[str] = (), organisation: UUID | None = None,
           owner: UUID | None = None, labels: list[str] = (), fields: dict | None = None, company: str | None = None,
           job: str = "") -> Indexed:
    digits = ["".join(ch for ch in phone if ch.isdigit()) for phone in phones]
    values = ContactValues(first, last, list(emails), list(phones), digits, organisation, job, owner, list(labels),
                           {}, fields or {})
    return Indexed(values, values.sort_name(), values.lexemes(company))


def company(name: str, *, website: str = "", owner: UUID | None = None) -> OrganisationValues:
    return OrganisationValues(name, website, [], [], [], owner, [], {}, {})


def names(records) -> list[str]:
    return [getattr(r.values, "first_name", None) or r.values.name for r in records]


# --- Contacts ----------------------------------------------------------------------------------


async def test_a_contact_comes_back_as_stored_with_its_organisations_name(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as unit:
        acme = await unit.organisations.insert(workspace, company("Acme"), None)
        ada = await unit.contacts.insert(workspace, person("Ada", "Lovelace", emails=["ada@acme.test"],
                                                           organisation=acme, fields={"tier": "gold"}), None)
        [found] = await unit.contacts.by_ids([ada])
        state = await unit.contacts.state(ada)
    assert (found.id, found.workspace_id, found.organisation_name, found.sort_name) == (ada, workspace, "Acme",
                                                                                          "lovelace ada")
    assert found.values.emails == ["ada@acme.test"] and found.values.fields == {"tier": "gold"}
    assert found.name == "Ada Lovelace" and found.deleted_at is None
    assert state.workspace_id == workspace and not state.deleted


async def test_an_update_replaces_the_values_and_a_delete_retires_once(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as unit:
        ada = await unit.contacts.insert(workspace, person("Ada", "Lovelace"), None)
        await unit.contacts.update(ada, person("Ada", "King", job="Countess"))
        assert await unit.contacts.lock([ada, uuid4()]) == {ada: workspace}
        assert await unit.contacts.delete(ada) is True
        assert await unit.contacts.delete(ada) is False
        [found] = await unit.contacts.by_ids([ada])
        assert await unit.contacts.lock([ada]) == {}
        assert (await unit.contacts.state(ada)).deleted
    assert found.values.last_name == "King" and found.values.job_title == "Countess" and found.deleted_at
    async with begin() as unit:
        assert await unit.contacts.state(uuid4()) is None


async def test_a_unit_that_raises_writes_nothing(store):
    begin, world = store
    workspace = await world.workspace()
    with pytest.raises(RuntimeError):
        async with begin() as unit:
            await unit.contacts.insert(workspace, person("Ada", "Lovelace"), None)
            raise RuntimeError("abandon")
    async with begin() as unit:
        assert await unit.contact_search.contacts(workspace, Filter(), 10, 0) == []


# --- ContactSearch -----------------------------------------------------------------------------


async def fill(begin, workspace: UUID, owner: UUID | None = None) -> dict[str, UUID]:
    async with begin() as unit:
        acme = await unit.organisations.insert(workspace, company("Acme Widgets"), None)
        ids = {
            "Ada": await unit.contacts.insert(workspace, person(
                "Ada", "Lovelace", emails=["ada.lovelace@example.test"], phones=["+44 20 7946 0958"],
                organisation=acme, company="Acme Widgets", labels=["vip", "uk"], owner=owner,
                fields={"tier": "gold"}), None),
            "Charles": await unit.contacts.insert(workspace, person(
                "Charles", "Babbage", emails=["cb@engines.test"], labels=["uk"]), None),
            "Grace": await unit.contacts.insert(workspace, person(
                "Grace", "Hopper", emails=["grace@navy.test"], phones=["555 0100"], labels=["vip"],
                fields={"tier": "silver"}), None),
        }
        ids["acme"] = acme
    return ids


@pytest.mark.parametrize("q, expected", [
    ("vela", ["Ada"]), ("lovelace", ["Ada"]), ("ADA LOVE", ["Ada"]), ("engines", ["Charles"]),
    ("7946", ["Ada"]), ("+44 20 7946", ["Ada"]), ("widget", ["Ada"]), ("hopp", ["Grace"]),
    ("nobody", []), ("", ["Charles", "Grace", "Ada"]),
], ids=lambda v: repr(v) if isinstance(v, str) else None)
async def test_search_finds_fragments_of_names_emails_phones_and_company(store, q, expected):
    begin, world = store
    workspace = await world.workspace()
    await fill(begin, workspace)
    async with begin() as unit:
        found = await unit.contact_search.contacts(workspace, Filter(q=q), 10, 0)
    assert names(found) == expected  # list order: last name, then first


async def test_filters_all_hold(store):
    begin, world = store
    workspace = await world.workspace()
    owner = await member(world, workspace)
    ids = await fill(begin, workspace, owner)
    async with begin() as unit:
        search = unit.contact_search

        async def find(**where) -> list[str]:
            return names(await search.contacts(workspace, Filter(**where), 10, 0))

        assert await find(labels=("vip",)) == ["Grace", "Ada"]
        assert await find(labels=("vip", "uk")) == ["Ada"]
        assert await find(owner=owner) == ["Ada"]
        assert await find(organisation=ids["acme"]) == ["Ada"]
        assert await find(fields={"tier": "silver"}) == ["Grace"]
        assert await find(q="a", labels=("uk",)) == ["Charles", "Ada"]
        assert await find(created_since=datetime.now(timezone.utc) - timedelta(hours=1)) == ["Charles", "Grace",
                                                                                             "Ada"]
        assert await find(created_since=datetime.now(timezone.utc) + timedelta(hours=1)) == []


async def test_pages_follow_the_list_order(store):
    begin, world = store
    workspace = await world.workspace()
    await fill(begin, workspace)
    async with begin() as unit:
        first = await unit.contact_search.contacts(workspace, Filter(), 2, 0)
        second = await unit.contact_search.contacts(workspace, Filter(), 2, 2)
        walked = await unit.contact_search.contacts_after(workspace, None, 2)
        rest = await unit.contact_search.contacts_after(workspace, (walked[-1].sort_name, walked[-1].id), 2)
    assert names(first) == ["Charles", "Grace"] and names(second) == ["Ada"]
    assert names(walked) == ["Charles", "Grace"] and names(rest) == ["Ada"]


async def test_another_workspaces_records_are_never_listed(store):
    begin, world = store
    mine, theirs = await world.workspace(), await world.workspace()
    await fill(begin, theirs)
    async with begin() as unit:
        assert await unit.contact_search.contacts(mine, Filter(q="ada"), 10, 0) == []
        assert await unit.contact_search.organisations(mine, Filter(), 10, 0) == []
        assert await unit.contact_search.contacts_after(mine, None, 10) == []


async def test_a_reindexed_contact_is_found_by_its_new_words(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    async with begin() as unit:
        await unit.contact_search.reindex({ids["Charles"]: person("Charles", "Babbage", company="Engines Ltd").lexemes})
        found = await unit.contact_search.contacts(workspace, Filter(q="ltd"), 10, 0)
    assert names(found) == ["Charles"]


async def test_organisations_are_searched_and_count_their_live_contacts(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    async with begin() as unit:
        await unit.organisations.insert(workspace, company("Zeta Labs", website="zeta.example"), None)
        found = await unit.contact_search.organisations(workspace, Filter(q="widg"), 10, 0)
        by_site = await unit.contact_search.organisations(workspace, Filter(q="zeta.example"), 10, 0)
        walked = await unit.contact_search.organisations_after(workspace, None, 10)
    assert [(o.id, o.contacts_count) for o in found] == [(ids["acme"], 1)]
    assert names(by_site) == ["Zeta Labs"] and names(walked) == ["Acme Widgets", "Zeta Labs"]


# --- Organisations -----------------------------------------------------------------------------


async def test_deleting_an_organisation_unlinks_its_contacts(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    async with begin() as unit:
        assert await unit.organisations.lock(ids["acme"]) is True
        assert [c.id for c in await unit.organisations.contacts_of(ids["acme"])] == [ids["Ada"]]
        await unit.organisations.update(ids["acme"], company("Acme Gadgets"))
        [renamed] = await unit.organisations.by_ids([ids["acme"]])
        assert renamed.values.name == "Acme Gadgets" and renamed.sort_name == "acme gadgets"
        assert await unit.organisations.delete(ids["acme"]) is True
        assert await unit.organisations.delete(ids["acme"]) is False
        assert await unit.organisations.lock(ids["acme"]) is False
        assert (await unit.organisations.state(ids["acme"])).deleted
        [ada] = await unit.contacts.by_ids([ids["Ada"]])
    assert ada.values.organisation_id is None and ada.organisation_name is None


# --- Duplicates --------------------------------------------------------------------------------


async def test_duplicates_share_an_email_a_phone_or_an_organisation(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    async with begin() as unit:
        twin = await unit.contacts.insert(workspace, person("Ada", "King", emails=["ada.lovelace@example.test"]), None)
        phone = await unit.contacts.insert(workspace, person("G", "H", phones=["555-0100"]), None)
        colleague = await unit.contacts.insert(workspace, person("Bob", "Acme", organisation=ids["acme"]), None)
        [ada] = await unit.contacts.by_ids([ids["Ada"]])
        of_ada = {c.id for c in await unit.duplicates.of_contact(workspace, ada)}
        candidates = {c.id for c in await unit.duplicates.candidates(workspace)}
    assert of_ada == {twin, colleague}
    assert candidates == {ids["Ada"], twin, colleague, ids["Grace"], phone}


async def test_a_merge_retires_the_losers_and_what_was_merged_into_them(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    async with begin() as unit:
        await unit.duplicates.merge([ids["Grace"]], ids["Charles"])
        await unit.duplicates.merge([ids["Charles"]], ids["Ada"])
        states = {name: await unit.contacts.state(ids[name]) for name in ("Ada", "Charles", "Grace")}
        merged = set(await unit.links.merged_into(ids["Ada"]))
    assert not states["Ada"].deleted
    assert states["Charles"].merged_into == ids["Ada"] and states["Grace"].merged_into == ids["Ada"]
    assert merged == {ids["Charles"], ids["Grace"]}


# --- RecordLookups -----------------------------------------------------------------------------


async def test_lookups_resolve_names_emails_and_ids_of_the_workspace_only(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    ids = await fill(begin, workspace)
    theirs = await fill(begin, other)
    someone = await member(world, workspace)
    stranger = await member(world, other)
    async with begin() as unit:
        await unit.contacts.delete(ids["Grace"])
        lookups = unit.lookups
        assert await lookups.organisations_by_name(workspace, ["ACME widgets", "nope"]) == {"acme widgets": ids["acme"]}
        assert await lookups.contacts_by_email(workspace, ["cb@engines.test", "grace@navy.test"]) == {
            "cb@engines.test": ids["Charles"]}
        assert await lookups.live_contacts(workspace, [ids["Ada"], ids["Grace"], theirs["Ada"]]) == {ids["Ada"]}
        found = await lookups.records_in(workspace, [ids["Ada"], theirs["Ada"]], [ids["acme"], theirs["acme"]],
                                         [someone, stranger])
    assert found == {(RecordKind.CONTACT, ids["Ada"]), (RecordKind.ORGANISATION, ids["acme"]),
                     (RecordKind.MEMBER, someone)}


async def test_the_oldest_contact_answers_for_a_shared_email(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as unit:
        first = await unit.contacts.insert(workspace, person("A", "One", emails=["same@example.test"]), None)
    async with begin() as unit:
        await unit.contacts.insert(workspace, person("A", "Two", emails=["same@example.test"]), None)
        assert await unit.lookups.contacts_by_email(workspace, ["same@example.test"]) == {"same@example.test": first}


# --- RecordLinks -------------------------------------------------------------------------------


async def project(world: World, workspace: UUID, contact: UUID, *, updated: datetime | None, due: date | None,
                  note_at: datetime) -> tuple[UUID, UUID, UUID, UUID]:
    """A board of ``workspace`` whose projection holds a deal, an activity and a note naming ``contact``."""
    board, deal, activity, note = uuid4(), uuid4(), uuid4(), uuid4()
    stage = uuid4()
    if world.pool is not None:
        await world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                                 board, workspace)
        await world.pool.execute(
            "INSERT INTO documents (name, workspace_id, board_id, kind) VALUES ($1, $2, $3, 'note')",
            f"note:{note}", workspace, board)
        await world.pool.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank, contact_id, updated_at)"
            " VALUES ($1, $2, $3, 'Deal', 'open', $4, 'a', $5, $6)", board, deal, workspace, stage, contact, updated)
        await world.pool.execute(
            "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, done, contact_id, due_date)"
            " VALUES ($1, $2, $3, 'call', 'Call', false, $4, $5)", board, activity, workspace, contact, due)
        await world.pool.execute(
            "INSERT INTO notes (id, document, workspace_id, board_id, subject_kind, subject_id, title, created_at)"
            " VALUES ($1, $2, $3, $4, 'contact', $5, 'Note', $6)", note, f"note:{note}", workspace, board, contact,
            note_at)
        return board, deal, activity, note
    deals, activities = world.db.table(f"projected_{Table.DEALS}"), world.db.table(f"projected_{Table.ACTIVITIES}")
    deals.setdefault(board, {})[deal] = (workspace, DealRecord(
        deal, "Deal", None, None, None, contact, None, None, "open", None, [], {}, stage, "a", None, None, updated,
        None))
    activities.setdefault(board, {})[activity] = (workspace, ActivityRecord(
        activity, "call", "Call", None, due, None, False, None, None, contact, None, None, None))
    world.db.table("notes")[note] = NoteRecord(note, f"note:{note}", workspace, board, "contact", contact, "Note",
                                               None, note_at)
    return board, deal, activity, note


async def test_links_are_read_in_their_order_and_only_within_the_records_workspace(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    ids = await fill(begin, workspace)
    ada = ids["Ada"]
    early = datetime(2026, 1, 1, tzinfo=timezone.utc)
    first = await project(world, workspace, ada, updated=early, due=date(2026, 3, 1), note_at=early)
    second = await project(world, workspace, ada, updated=None, due=None, note_at=early + timedelta(days=1))
    third = await project(world, workspace, ada, updated=early + timedelta(days=2), due=date(2026, 2, 1),
                          note_at=early - timedelta(days=1))
    await project(world, other, ada, updated=early, due=None, note_at=early)  # another workspace names Ada's id
    async with begin() as unit:
        deals = await unit.links.deals_of([ada])
        activities = await unit.links.activities_of([ada])
        notes = await unit.links.notes_of("contact", [ada, ids["Grace"]])
        counts = await unit.links.notes_count("contact", [ada, ids["Grace"]])
        nothing = await unit.links.notes_count("organisation", [ada])
    assert [d.card_id for d in deals] == [third[1], first[1], second[1]]  # latest update first, none last
    assert [a.activity_id for a in activities] == [third[2], first[2], second[2]]  # soonest due first
    assert [n.id for n in notes] == [second[3], first[3], third[3]]  # newest first
    assert counts == {ada: 3} and nothing == {}
    assert deals[1] == LinkedDeal(first[0], first[1], "Deal", "open", None, None, deals[1].stage_id, ada, None, None,
                                  early)


# --- RecordLinks: an organisation's deals, and timelines ----------------------------------------


async def board_with(world: World, workspace: UUID, *, deals=(), activities=(), notes=()) -> UUID:
    """A board of ``workspace`` whose projection holds ``deals`` (id, title, contact, organisation,
    created_at), ``activities`` (id, title, contact, card, done, created_at, done_at) and ``notes``
    (id, subject_kind, subject_id, created_at), wherever the backend keeps them."""
    board, stage = uuid4(), uuid4()
    if world.pool is not None:
        await world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                                 board, workspace)
        for card, title, contact, organisation, at in deals:
            await world.pool.execute(
                "INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank, contact_id,"
                " organisation_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, 'a', $6, $7, $8, $8)",
                board, card, workspace, title, stage, contact, organisation, at)
        for activity, title, contact, card, done, at, done_at in activities:
            await world.pool.execute(
                "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, done, contact_id, card_id,"
                " created_at, done_at) VALUES ($1, $2, $3, 'call', $4, $5, $6, $7, $8, $9)",
                board, activity, workspace, title, done, contact, card, at, done_at)
        for note, kind, subject, at in notes:
            await world.pool.execute(
                "INSERT INTO documents (name, workspace_id, board_id, kind) VALUES ($1, $2, $3, 'note')",
                f"note:{note}", workspace, board)
            await world.pool.execute(
                "INSERT INTO notes (id, document, workspace_id, board_id, subject_kind, subject_id, title, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, 'Note', $7)", note, f"note:{note}", workspace, board, kind,
                subject, at)
        return board
    projected_deals = world.db.table(f"projected_{Table.DEALS}").setdefault(board, {})
    for card, title, contact, organisation, at in deals:
        projected_deals[card] = (workspace, DealRecord(
            card, title, None, None, None, contact, organisation, None, "open", None, [], {}, stage, "a", at, None,
            at, None))
    projected_activities = world.db.table(f"projected_{Table.ACTIVITIES}").setdefault(board, {})
    for activity, title, contact, card, done, at, done_at in activities:
        projected_activities[activity] = (workspace, ActivityRecord(
            activity, "call", title, None, None, None, done, done_at, card, contact, None, at, None))
    for note, kind, subject, at in notes:
        world.db.table("notes")[note] = NoteRecord(note, f"note:{note}", workspace, board, kind, subject, "Note",
                                                   None, at)
    return board


async def test_an_organisations_deals_are_its_own_and_its_peoples(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    own, peoples, strangers = uuid4(), uuid4(), uuid4()
    await board_with(world, workspace, deals=[(own, "Own", None, ids["acme"], at),
                                              (peoples, "Ada's", ids["Ada"], None, at + timedelta(hours=1)),
                                              (strangers, "Grace's", ids["Grace"], None, at)])
    await board_with(world, await world.workspace(), deals=[(uuid4(), "Elsewhere", None, ids["acme"], at)])
    async with begin() as unit:
        deals = await unit.links.organisation_deals(ids["acme"])
    assert [d.card_id for d in deals] == [peoples, own]  # latest first; another workspace's board adds nothing


async def test_a_timeline_is_everything_that_touched_the_record_newest_first_in_pages(store):
    begin, world = store
    workspace = await world.workspace()
    ids = await fill(begin, workspace)
    ada, acme = ids["Ada"], ids["acme"]
    t = [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(8)]
    deal, org_deal, other_deal = uuid4(), uuid4(), uuid4()
    call, deal_call, done_call, grace_call = uuid4(), uuid4(), uuid4(), uuid4()
    note, deal_note, org_note = uuid4(), uuid4(), uuid4()
    await board_with(
        world, workspace,
        deals=[(deal, "Engines", ada, None, t[0]), (org_deal, "Acme renewal", None, acme, t[1]),
               (other_deal, "Grace's", ids["Grace"], None, t[7])],
        activities=[(call, "Call Ada", ada, None, False, t[2], None),
                    (deal_call, "Deal call", None, deal, False, t[3], None),
                    (done_call, "Done call", ada, None, True, t[0], t[6]),
                    (grace_call, "Call Grace", ids["Grace"], None, False, t[7], None)],
        notes=[(note, "contact", ada, t[4]), (deal_note, "deal", deal, t[5]), (org_note, "organisation", acme, t[1])])
    other = await world.workspace()
    await board_with(world, other, deals=[(uuid4(), "Elsewhere", ada, acme, t[7])])
    async with begin() as unit:
        ada_all = await unit.links.timeline(workspace, [ada], None, 50, 0)
        first, second = (await unit.links.timeline(workspace, [ada], None, 3, 0),
                         await unit.links.timeline(workspace, [ada], None, 3, 3))
        acme_all = await unit.links.timeline(workspace, [ada], acme, 50, 0)
    assert [e.id for e in ada_all] == [done_call, deal_note, note, deal_call, call, deal]
    assert [e.kind for e in ada_all] == ["activity", "note", "note", "activity", "activity", "deal"]
    assert first + second == ada_all and len(first) == 3
    assert ada_all[0].status == "done" and ada_all[0].at == t[6]
    assert ada_all[1].card_id == deal and ada_all[1].document == f"note:{deal_note}"
    assert ada_all[-1].title == "Engines" and ada_all[-1].board_id is not None and ada_all[-1].card_id == deal
    assert {e.id for e in acme_all} == {*[e.id for e in ada_all], org_deal, org_note}  # its own and its people's
