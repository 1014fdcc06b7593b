"""The contact, organisation and CSV import/export use cases over the memory twins: who may do
what, what is refused, what a merge keeps, and that an import writes all of its rows or none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from server.domain.access import Forbidden, NotFound, Role
from server.domain.accounts import InvalidInput
from server.domain.contacts import Filter
from server.domain.references import UnknownReference
from server.services.accounts import Caller
from server.services.contacts import Contacts
from server.services.links import Links
from server.services.organisations import Organisations
from server.services.transfer import ImportOptions, Transfer
from server.storage.memory.unit import MemoryDatabase, memory_begin

ADDRESS = "203.0.113.9"


class Feed:
    """A ``ChangeFeed`` that remembers what it was told."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def changed(self, workspace: UUID, keys: Sequence[str]) -> None:
        self.keys += keys


class Crm:
    """One workspace with an owner, an admin, two members and a viewer; another with a stranger."""

    def __init__(self) -> None:
        self.db = MemoryDatabase()
        self.begin = memory_begin(self.db)
        self.feed = Feed()
        self.contacts = Contacts(self.begin, self.feed)
        self.organisations = Organisations(self.begin, self.feed)
        self.transfer = Transfer(self.begin, self.feed)
        self.links = Links(self.begin)

    async def start(self) -> Crm:
        async with self.begin() as unit:
            self.workspace = (await unit.workspaces.add("Acme CRM")).id
            self.other = (await unit.workspaces.add("Elsewhere")).id
            self.owner = await self._person(unit, "owner", self.workspace, Role.OWNER)
            self.admin = await self._person(unit, "admin", self.workspace, Role.ADMIN)
            self.member = await self._person(unit, "member", self.workspace, Role.MEMBER)
            self.colleague = await self._person(unit, "colleague", self.workspace, Role.MEMBER)
            self.viewer = await self._person(unit, "viewer", self.workspace, Role.VIEWER)
            self.stranger = await self._person(unit, "stranger", self.other, Role.OWNER)
        return self

    async def _person(self, unit, name: str, workspace: UUID, role: Role) -> Caller:
        account = await unit.users.add(f"{name}@example.test", name.title(), "x")
        await unit.members.add(workspace, account.id, role)
        return Caller(account.id, account.email, account.name, b"session", datetime.now(timezone.utc) + timedelta(1))

    async def audit(self) -> list[str]:
        async with self.begin() as unit:
            return [event.event for event in await unit.audit.for_workspace(self.workspace, 100)]

    async def count(self, workspace: UUID | None = None) -> int:
        async with self.begin() as unit:
            return len(await unit.contact_search.contacts(workspace or self.workspace, Filter(), 1000, 0))


@pytest.fixture
async def crm() -> Crm:
    return await Crm().start()


# --- create, validation, references ---------------------------------------------------------------


async def test_a_member_creates_a_contact_they_own_and_the_workspace_hears_of_it(crm):
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "last_name": "Lovelace",
                                                                "emails": ["Ada@Example.TEST"]})
    assert ada.values.owner_id == crm.member.id and ada.values.emails == ["ada@example.test"]
    assert crm.feed.keys == [f"contact:{ada.id}"]
    assert (await crm.contacts.get(crm.viewer, ada.id)).name == "Ada Lovelace"


async def test_a_viewer_may_not_write_and_a_stranger_is_told_nothing_exists(crm):
    with pytest.raises(Forbidden):
        await crm.contacts.create(crm.viewer, crm.workspace, {"first_name": "Ada"})
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada"})
    with pytest.raises(NotFound, match="no such contact"):
        await crm.contacts.get(crm.stranger, ada.id)
    with pytest.raises(NotFound):
        await crm.contacts.list(crm.stranger, crm.workspace, Filter(), None, 10, 0)


@pytest.mark.parametrize("changes, words", [
    ({}, "expected a first or a last name"),
    ({"first_name": "Ada", "phones": ["call me"]}, "expected a phone number"),
    ({"first_name": "Ada", "emails": ["not an address"]}, "e-mail"),
    ({"first_name": "Ada", "nickname": "A"}, "unknown field"),
])
async def test_an_invalid_contact_is_refused_and_nothing_is_written(crm, changes, words):
    with pytest.raises(InvalidInput, match=words):
        await crm.contacts.create(crm.member, crm.workspace, changes)
    assert await crm.count() == 0 and crm.feed.keys == []


async def test_owners_and_organisations_must_be_the_workspaces_own(crm):
    theirs = await crm.organisations.create(crm.stranger, crm.other, {"name": "Elsewhere Inc"})
    with pytest.raises(UnknownReference):
        await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "organisation_id": theirs.id})
    with pytest.raises(UnknownReference):
        await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "owner_id": crm.stranger.id})
    assert await crm.count() == 0


async def test_a_contact_is_found_by_its_company_and_follows_a_rename(crm):
    acme = await crm.organisations.create(crm.member, crm.workspace, {"name": "Acme Widgets"})
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "organisation_id": acme.id})
    assert ada.organisation_name == "Acme Widgets"
    assert [c.id for c in await crm.contacts.list(crm.member, crm.workspace, Filter(q="widg"), None, 10, 0)] == [ada.id]
    await crm.organisations.update(crm.member, acme.id, {"name": "Zenith Gadgets"})
    assert await crm.contacts.list(crm.member, crm.workspace, Filter(q="widg"), None, 10, 0) == []
    assert [c.id for c in await crm.contacts.list(crm.member, crm.workspace, Filter(q="zenith"), None, 10, 0)] == [
        ada.id]
    assert f"contact:{ada.id}" in crm.feed.keys  # the rename noted the contact too


async def test_deleting_an_organisation_unlinks_its_contacts(crm):
    acme = await crm.organisations.create(crm.member, crm.workspace, {"name": "Acme"})
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "organisation_id": acme.id})
    await crm.organisations.delete(crm.member, acme.id, ADDRESS)
    assert (await crm.contacts.get(crm.member, ada.id)).values.organisation_id is None
    with pytest.raises(NotFound, match="no such organisation"):
        await crm.organisations.get(crm.member, acme.id)
    assert "organisation.deleted" in await crm.audit()


# --- delete: the level an admin set -----------------------------------------------------------------


async def test_members_delete_only_what_they_own_by_default_and_admins_anything(crm):
    mine = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Mine"})
    theirs = await crm.contacts.create(crm.colleague, crm.workspace, {"first_name": "Theirs"})
    with pytest.raises(Forbidden, match="only records they own|only contacts they own"):
        await crm.contacts.delete(crm.member, theirs.id, ADDRESS)
    await crm.contacts.delete(crm.member, mine.id, ADDRESS)
    await crm.contacts.delete(crm.admin, theirs.id, ADDRESS)
    with pytest.raises(NotFound):
        await crm.contacts.get(crm.member, mine.id)
    assert (await crm.audit()).count("contact.deleted") == 2


async def test_a_viewer_may_not_delete(crm):
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada"})
    with pytest.raises(Forbidden):
        await crm.contacts.delete(crm.viewer, ada.id, ADDRESS)
    assert await crm.count() == 1


# --- duplicates and merge -----------------------------------------------------------------------------


async def test_duplicates_are_found_and_a_merge_keeps_everyones_details(crm):
    ada = await crm.contacts.create(crm.member, crm.workspace, {
        "first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.test"], "labels": ["vip"]})
    again = await crm.contacts.create(crm.member, crm.workspace, {
        "first_name": "Ada", "last_name": "King", "emails": ["ada@example.test", "countess@example.test"],
        "phones": ["+44 20 7946 0958"], "job_title": "Countess", "labels": ["uk"]})
    assert [(c.id, reason) for c, reason in await crm.contacts.duplicates_of(crm.member, ada.id)] == [
        (again.id, "same email ada@example.test")]
    assert await crm.contacts.duplicates(crm.member, crm.workspace) == [
        (*sorted([ada.id, again.id], key=str), "same email ada@example.test")]
    kept = await crm.contacts.merge(crm.member, ada.id, [again.id], ADDRESS)
    assert kept.values.last_name == "Lovelace" and kept.values.job_title == "Countess"
    assert kept.values.emails == ["ada@example.test", "countess@example.test"]
    assert kept.values.labels == ["vip", "uk"] and kept.values.phone_digits == ["442079460958"]
    with pytest.raises(NotFound, match=f"merged into {ada.id}"):
        await crm.contacts.get(crm.member, again.id)
    assert (await crm.links.of_contact(crm.member, ada.id)).aliases == [ada.id, again.id]
    assert "contact.merged" in await crm.audit()


async def test_a_merge_with_another_workspaces_contact_changes_nothing(crm):
    ada = await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada"})
    theirs = await crm.contacts.create(crm.stranger, crm.other, {"first_name": "Ada"})
    with pytest.raises(NotFound, match=str(theirs.id)):
        await crm.contacts.merge(crm.member, ada.id, [theirs.id], ADDRESS)
    assert (await crm.contacts.get(crm.stranger, theirs.id)).deleted_at is None
    with pytest.raises(InvalidInput, match="not including it"):
        await crm.contacts.merge(crm.member, ada.id, [ada.id], ADDRESS)
    with pytest.raises(InvalidInput):
        await crm.contacts.merge(crm.member, ada.id, [uuid4() for _ in range(11)], ADDRESS)


# --- import and export --------------------------------------------------------------------------------


async def test_an_import_with_one_bad_row_writes_nothing_and_reports_every_problem(crm):
    text = ("first_name,last_name,emails,phones,organisation\n"
            "Ada,Lovelace,ada@example.test,,Acme\n"
            ",,,,\n"
            "Grace,Hopper,grace@example.test,not a phone,Navy\n"
            ",,nobody@example.test,,\n")
    report = await crm.transfer.import_csv(crm.member, crm.workspace, "contacts", text.encode(),
                                           ImportOptions(dry_run=False), address=ADDRESS)
    assert not report.imported and [(p.line, p.column) for p in report.problems] == [
        (4, "phones"), (5, "first_name/last_name")]
    assert await crm.count() == 0 and crm.feed.keys == []
    async with crm.begin() as unit:
        assert await unit.lookups.organisations_by_name(crm.workspace, ["Acme", "Navy"]) == {}


async def test_an_import_creates_every_row_and_the_organisations_they_name(crm):
    text = ("first_name,last_name,emails,organisation,owner\n"
            "Ada,Lovelace,ada@example.test,Acme,colleague@example.test\n"
            "Charles,Babbage,cb@example.test,acme,\n")
    dry = await crm.transfer.import_csv(crm.member, crm.workspace, "contacts", text.encode(),
                                        ImportOptions(dry_run=True), address=ADDRESS)
    assert (dry.imported, dry.created, dry.organisations_created) == (False, 2, ["Acme"])
    assert await crm.count() == 0
    report = await crm.transfer.import_csv(crm.member, crm.workspace, "contacts", text.encode(),
                                           ImportOptions(dry_run=False), address=ADDRESS)
    assert report.imported and report.created == 2
    found = await crm.contacts.list(crm.member, crm.workspace, Filter(q="acme"), None, 10, 0)
    assert [(c.name, c.values.owner_id) for c in found] == [("Charles Babbage", None),
                                                          ("Ada Lovelace", crm.colleague.id)]
    assert len({c.values.organisation_id for c in found}) == 1  # "Acme" and "acme" are one organisation
    assert crm.feed.keys == ["contact:*", "organisation:*"] and "import" in await crm.audit()


async def test_an_organisation_import_skips_names_that_exist_or_repeat_in_the_file(crm):
    await crm.organisations.create(crm.member, crm.workspace, {"name": "Acme"})
    report = await crm.transfer.import_csv(crm.member, crm.workspace, "organisations", b"name\nZeta\nACME\nzeta\n",
                                           ImportOptions(dry_run=False), address=ADDRESS)
    assert report.imported and not report.problems
    assert (report.created, report.skipped) == (1, 2), "skipping duplicates is the default"
    async with crm.begin() as unit:
        found = await unit.lookups.organisations_by_name(crm.workspace, ["Zeta", "Acme"])
    assert len(found) == 2, "Zeta once, and the Acme that was there"


async def test_only_admins_export_by_default(crm):
    await crm.contacts.create(crm.member, crm.workspace, {"first_name": "Ada", "last_name": "Lovelace",
                                                          "phones": ["+44 20 7946 0958"]})
    with pytest.raises(Forbidden):
        await crm.transfer.export_csv(crm.member, crm.workspace, "contacts")
    lines = "".join([chunk async for chunk in await crm.transfer.export_csv(crm.admin, crm.workspace, "contacts")])
    header, row = lines.splitlines()[:2]
    assert header.startswith("id,first_name,last_name,emails,phones,organisation,job_title,owner")
    assert ",Ada,Lovelace,,'+44 20 7946 0958,,,member@example.test," in row
