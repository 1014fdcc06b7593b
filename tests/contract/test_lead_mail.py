"""The contract of ``LeadMail`` (docs/leads.md, "By e-mail") over memory and Postgres: one leads
address per workspace (made once, replaced on regenerate, found by its hash), and the Message-IDs of
a lead's mail: remembered once per workspace, found in the order asked; the owner of leads from mail,
kept once there is an address and through a new one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.storage.lead_mail import PostgresLeadMail
from server.storage.memory.lead_mail import MemoryLeadMail
from tests.contract import test_leads
from tests.contract.test_leads import lead
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_leads.adapters(conn)), lead_mail=PostgresLeadMail(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_leads.twins(db)), lead_mail=MemoryLeadMail(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def test_a_workspace_has_one_address_until_it_is_replaced(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as unit:
        assert await unit.lead_mail.sealed(workspace) is None
        assert await unit.lead_mail.put(workspace, b"h1", b"s1", replace=False)
        assert not await unit.lead_mail.put(workspace, b"h2", b"s2", replace=False)
        assert (await unit.lead_mail.sealed(workspace), await unit.lead_mail.workspace_of(b"h1")) == (b"s1", workspace)
        assert await unit.lead_mail.put(workspace, b"h3", b"s3", replace=True)
        assert await unit.lead_mail.workspace_of(b"h1") is None
        assert await unit.lead_mail.workspace_of(b"h3") == workspace


async def test_a_message_id_belongs_to_one_lead_per_workspace_and_is_found_in_order(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    first, second = lead(workspace, "A"), lead(workspace, "B")
    async with begin() as unit:
        await unit.leads.add(first)
        await unit.leads.add(second)
        assert await unit.lead_mail.remember(workspace, "m1@x", first.id)
        assert not await unit.lead_mail.remember(workspace, "m1@x", second.id)
        assert await unit.lead_mail.remember(workspace, "m2@x", second.id)
    async with begin() as unit:
        assert await unit.lead_mail.lead_of(workspace, ["nope@x", "m2@x", "m1@x"]) == second.id
        assert await unit.lead_mail.lead_of(workspace, []) is None
        assert await unit.lead_mail.lead_of(other, ["m1@x"]) is None
        assert await unit.lead_mail.lead_of(workspace, [str(uuid4())]) is None


async def test_the_addresss_owner_is_kept_once_there_is_an_address_and_survives_a_new_one(store):
    begin, world = store
    workspace, user, other = await world.workspace(), await world.user("Mia"), await world.user("Vic")
    async with begin() as unit:
        assert not await unit.lead_mail.set_owner(workspace, user)  # no address yet
        assert await unit.lead_mail.owner(workspace) is None
        await unit.lead_mail.put(workspace, b"o1", b"s1", replace=False)
        assert await unit.lead_mail.owner(workspace) is None
        assert await unit.lead_mail.set_owner(workspace, user)
        assert await unit.lead_mail.set_owner(workspace, other)
        await unit.lead_mail.put(workspace, b"o2", b"s2", replace=True)
        assert await unit.lead_mail.owner(workspace) == other
