"""The contract of ``Expertise`` (docs/expertise.md) over memory and Postgres — one suite, the same
answers: a workspace's tags by name, unique in any case; each member's tags; removing a tag
takes it from everyone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from server.domain.access import Role
from server.domain.expertise import Tag
from server.storage.expertise import PostgresExpertise
from server.storage.memory.expertise import MemoryExpertise
from tests.contract import test_accounts
from tests.contract.test_accounts import new_user
from tests.support.units import backend


def adapters(conn):
    found = test_accounts.adapters(conn)
    found.expertise = PostgresExpertise(conn)
    return found


def twins(db):
    found = test_accounts.twins(db)
    found.expertise = MemoryExpertise(db)
    return found


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def workspace_with(begin, *names: str):
    """A workspace, its owner and a member, and tags of ``names``."""
    owner, member = await new_user(begin, "Olga"), await new_user(begin, "Max")
    async with begin() as unit:
        ws = await unit.workspaces.add("Acme")
        await unit.members.add(ws.id, owner.id, Role.OWNER)
        await unit.members.add(ws.id, member.id, Role.MEMBER)
        tags = [Tag(uuid4(), name) for name in names]
        for tag in tags:
            assert await unit.expertise.put_tag(ws.id, tag) is True
    return ws.id, owner.id, member.id, tags


async def test_a_workspace_lists_its_tags_by_name_in_any_case(begin):
    ws, _, _, (fr, de, mb) = await workspace_with(begin, "französisch", "Deutsch", "Maschinenbau")
    other, _, _, _ = await workspace_with(begin, "Spanisch")
    async with begin() as unit:
        assert await unit.expertise.tags(ws) == [de, fr, mb]
        assert [t.name for t in await unit.expertise.tags(other)] == ["Spanisch"]
        assert await unit.expertise.tags(uuid4()) == []


async def test_a_tag_name_is_unique_in_its_workspace_in_any_case_and_a_tag_can_be_renamed(begin):
    ws, _, _, (fr, de) = await workspace_with(begin, "Französisch", "Deutsch")
    other, _, _, _ = await workspace_with(begin)
    async with begin() as unit:
        assert await unit.expertise.put_tag(ws, Tag(uuid4(), "DEUTSCH")) is False
        assert await unit.expertise.put_tag(ws, de._replace(name="Deutsch (Muttersprache)")) is True
        assert await unit.expertise.put_tag(ws, fr._replace(name="FRANZÖSISCH")) is True, "its own name, recased"
        assert await unit.expertise.put_tag(other, Tag(uuid4(), "Deutsch")) is True, "another workspace's"
    async with begin() as unit:
        assert [t.name for t in await unit.expertise.tags(ws)] == ["Deutsch (Muttersprache)", "FRANZÖSISCH"]


async def test_a_members_tags_are_replaced_and_only_the_workspaces_tags_are_kept(begin):
    ws, owner, member, (fr, de, mb) = await workspace_with(begin, "Französisch", "Deutsch", "Maschinenbau")
    other, _, _, (es,) = await workspace_with(begin, "Spanisch")
    async with begin() as unit:
        assert await unit.expertise.of_members(ws) == {}
        await unit.expertise.set_member(ws, member, [fr.id, mb.id])
        await unit.expertise.set_member(ws, owner, [de.id, es.id])  # Spanisch is another workspace's
    async with begin() as unit:
        assert await unit.expertise.of_members(ws) == {member: frozenset({fr.id, mb.id}), owner: frozenset({de.id})}
        await unit.expertise.set_member(ws, member, [de.id])
        await unit.expertise.set_member(ws, owner, [])
    async with begin() as unit:
        assert await unit.expertise.of_members(ws) == {member: frozenset({de.id})}
        assert await unit.expertise.of_members(other) == {}


async def test_removing_a_tag_takes_it_from_every_member(begin):
    ws, owner, member, (fr, de) = await workspace_with(begin, "Französisch", "Deutsch")
    other, _, _, _ = await workspace_with(begin)
    async with begin() as unit:
        await unit.expertise.set_member(ws, member, [fr.id, de.id])
        await unit.expertise.set_member(ws, owner, [fr.id])
    async with begin() as unit:
        assert await unit.expertise.remove_tag(other, fr.id) is False, "not that workspace's"
        assert await unit.expertise.remove_tag(ws, fr.id) is True
        assert await unit.expertise.remove_tag(ws, fr.id) is False
    async with begin() as unit:
        assert await unit.expertise.tags(ws) == [de]
        assert await unit.expertise.of_members(ws) == {member: frozenset({de.id})}
