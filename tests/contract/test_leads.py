"""The contract of ``Leads`` and ``LeadForms`` (docs/leads.md) over memory and Postgres: a lead reads
back as stored, lists filter and count alike, archive keeps the status to restore, and forms come
and go per workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.domain.leads import Lead, LeadFilter, LeadForm, LeadSource, LeadStatus
from server.storage.leads import PostgresLeadForms, PostgresLeads
from server.storage.memory.leads import MemoryLeadForms, MemoryLeads
from tests.contract import test_contacts
from tests.contract.test_contacts import person
from tests.support.units import backend

T0 = datetime(2031, 5, 1, 9, 0, tzinfo=timezone.utc)


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_contacts.adapters(conn)), leads=PostgresLeads(conn),
                           lead_forms=PostgresLeadForms(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_contacts.twins(db)), leads=MemoryLeads(db), lead_forms=MemoryLeadForms(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


def lead(workspace: UUID, title: str, *, minutes: int = 0, owner: UUID | None = None,
         source: LeadSource = LeadSource.MANUAL, email: str = "", organisation: str = "") -> Lead:
    return Lead(uuid4(), workspace, title, "Ann Lee", email, "+49 30 1234", organisation, 1200.0, "EUR", source,
                owner, ["hot"], "met at the fair", LeadStatus.NEW, T0 + timedelta(minutes=minutes))


async def test_a_lead_reads_back_as_stored_and_nothing_crosses_workspaces(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    owner = await world.user()
    made = lead(workspace, "Acme rollout", owner=owner, email="ann@acme.test", organisation="Acme")
    async with begin() as unit:
        await unit.leads.add(made)
    async with begin() as unit:
        assert await unit.leads.get(made.id, lock=True) == made
        assert await unit.leads.get(uuid4()) is None
        assert await unit.leads.list(other, LeadFilter(), 50, 0) == []


async def test_lists_filter_by_status_owner_source_and_text_newest_first_and_counts_agree(store):
    begin, world = store
    workspace = await world.workspace()
    owner = await world.user()
    a = lead(workspace, "Acme rollout", minutes=1, owner=owner, email="ann@acme.test")
    b = lead(workspace, "Globex pilot", minutes=2, source=LeadSource.WEB_FORM, organisation="Globex")
    c = lead(workspace, "Initech", minutes=3, source=LeadSource.WEB_FORM)._replace(status=LeadStatus.QUALIFIED)
    async with begin() as unit:
        for one in (a, b, c):
            await unit.leads.add(one)
    async with begin() as unit:
        listed = unit.leads.list
        assert [x.title for x in await listed(workspace, LeadFilter(), 50, 0)] == ["Initech", "Globex pilot",
                                                                                    "Acme rollout"]
        assert [x.title for x in await listed(workspace, LeadFilter(status=LeadStatus.NEW), 50, 0)] == [
            "Globex pilot", "Acme rollout"]
        assert [x.id for x in await listed(workspace, LeadFilter(owner=owner), 50, 0)] == [a.id]
        assert [x.id for x in await listed(workspace, LeadFilter(source=LeadSource.WEB_FORM), 1, 1)] == [b.id]
        assert [x.id for x in await listed(workspace, LeadFilter(text="GLOBEX"), 50, 0)] == [b.id]
        assert [x.id for x in await listed(workspace, LeadFilter(text="ann@acme"), 50, 0)] == [a.id]
        assert await unit.leads.counts(workspace, LeadFilter()) == {"new": 2, "qualified": 1}
        assert await unit.leads.counts(workspace, LeadFilter(source=LeadSource.WEB_FORM)) == {"new": 1,
                                                                                            "qualified": 1}


async def test_archiving_keeps_the_status_to_restore_and_leaves_converted_leads_alone(store):
    begin, world = store
    workspace = await world.workspace()
    fresh = lead(workspace, "Fresh")
    vouched = lead(workspace, "Vouched", minutes=1)._replace(status=LeadStatus.QUALIFIED)
    done = lead(workspace, "Done", minutes=2)._replace(status=LeadStatus.CONVERTED)
    async with begin() as unit:
        for one in (fresh, vouched, done):
            await unit.leads.add(one)
    async with begin() as unit:
        changed = await unit.leads.archive(workspace, [fresh.id, vouched.id, done.id], True)
        assert sorted(changed) == sorted([fresh.id, vouched.id])
        assert await unit.leads.archive(await world.workspace(), [done.id], True) == []
    async with begin() as unit:
        assert await unit.leads.list(workspace, LeadFilter(), 50, 0) == []
        archived = await unit.leads.list(workspace, LeadFilter(status=LeadStatus.ARCHIVED), 50, 0)
        assert {x.id for x in archived} == {fresh.id, vouched.id}
        assert sorted(await unit.leads.archive(workspace, [fresh.id, vouched.id], False)) == sorted(
            [fresh.id, vouched.id])
    async with begin() as unit:
        assert (await unit.leads.get(fresh.id)).status == LeadStatus.NEW
        assert (await unit.leads.get(vouched.id)).status == LeadStatus.QUALIFIED
        assert await unit.leads.delete(fresh.id) and not await unit.leads.delete(fresh.id)
        assert await unit.leads.get(fresh.id) is None


async def test_a_converted_lead_keeps_its_links_and_is_found_by_its_contact_and_deal(store):
    begin, world = store
    workspace = await world.workspace()
    made = lead(workspace, "Acme rollout")
    deal = uuid4()
    async with begin() as unit:
        await unit.leads.add(made)
        contact = await unit.contacts.insert(workspace, person("Ann", "Lee"), None)
    converted = made._replace(status=LeadStatus.CONVERTED, contact_id=contact, deal_id=deal, title="Acme, 2 seats",
                              converted_at=T0 + timedelta(days=1))
    async with begin() as unit:
        await unit.leads.put(converted)
    async with begin() as unit:
        assert await unit.leads.get(made.id) == converted
        assert [x.id for x in await unit.leads.list(workspace, LeadFilter(status=LeadStatus.CONVERTED, deal=deal),
                                                    50, 0)] == [made.id]
        assert [x.id for x in await unit.leads.list(workspace, LeadFilter(status=LeadStatus.CONVERTED,
                                                                          contact=contact), 50, 0)] == [made.id]


async def test_forms_are_kept_per_workspace_changed_and_deleted(store):
    begin, world = store
    workspace = await world.workspace()
    owner = await world.user()
    first = LeadForm(uuid4(), workspace, "Contact us", ["person_name", "email"], owner, None, b"k" * 32, T0)
    second = first._replace(id=uuid4(), name="Demo request", created_at=T0 + timedelta(hours=1))
    async with begin() as unit:
        await unit.lead_forms.add(first)
        await unit.lead_forms.add(second)
    changed = first._replace(name="Talk to sales", fields=["email", "note"], redirect_url="https://example.com/t")
    async with begin() as unit:
        await unit.lead_forms.put(changed)
        assert await unit.lead_forms.of_workspace(workspace) == [changed, second]
        assert await unit.lead_forms.of_workspace(await world.workspace()) == []
    async with begin() as unit:
        assert await unit.lead_forms.delete(second.id)
        assert not await unit.lead_forms.delete(second.id)
        assert await unit.lead_forms.get(first.id) == changed
        assert await unit.lead_forms.get(second.id) is None
