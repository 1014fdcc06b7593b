"""The ``GuestInvitations`` contract (boards shared by link with addresses that have no account
yet; migration 0008), over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.domain.access import ShareLevel
from server.storage.guests import PostgresGuestInvitations
from server.storage.memory.guests import MemoryGuestInvitations
from tests.contract.test_accounts import adapters as account_adapters, new_user, twins as account_twins
from tests.contract.test_workspaces import new_board
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(account_adapters(conn)), guest_invitations=PostgresGuestInvitations(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(account_twins(db)), guest_invitations=MemoryGuestInvitations(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def setting(begin):
    owner = await new_user(begin, "Olivia")
    async with begin() as unit:
        workspace = await unit.workspaces.add("Northwind")
    return owner, await new_board(begin, workspace.id, owner.id, "Launch")


async def test_an_invitation_names_its_board_workspace_and_inviter_and_is_taken_once(begin):
    owner, board = await setting(begin)
    guest = await new_user(begin)
    token = uuid4().bytes
    async with begin() as unit:
        made = await unit.guest_invitations.add(token, board.id, "gil@partner.test", ShareLevel.EDIT, owner.id, 3600)
    assert (made.board_id, made.workspace_id, made.board_name, made.workspace_name, made.email, made.access,
            made.invited_by, made.inviter_name) == (board.id, board.workspace_id, "Launch", "Northwind",
                                                    "gil@partner.test", ShareLevel.EDIT, owner.id, "Olivia")
    async with begin() as unit:
        assert await unit.guest_invitations.find(token) == made
        assert await unit.guest_invitations.open(board.id) == [made]
        assert await unit.guest_invitations.take(token, guest.id) == made
    async with begin() as unit:
        assert await unit.guest_invitations.take(token, guest.id) is None
        assert await unit.guest_invitations.find(token) is None
        assert await unit.guest_invitations.open(board.id) == []
        assert await unit.guest_invitations.revoke(board.id, made.id) is False


async def test_expired_revoked_and_unknown_invitations_are_refused(begin):
    owner, board = await setting(begin)
    old, cancelled = uuid4().bytes, uuid4().bytes
    async with begin() as unit:
        await unit.guest_invitations.add(old, board.id, "old@partner.test", ShareLevel.READ, owner.id, -1)
        made = await unit.guest_invitations.add(cancelled, board.id, "x@partner.test", ShareLevel.READ, owner.id, 60)
    async with begin() as unit:
        assert await unit.guest_invitations.revoke(uuid4(), made.id) is False  # another board's
        assert await unit.guest_invitations.revoke(board.id, made.id) is True
    async with begin() as unit:
        assert await unit.guest_invitations.open(board.id) == []
        for token in (old, cancelled, b"unknown"):
            assert await unit.guest_invitations.find(token) is None
            assert await unit.guest_invitations.take(token, owner.id) is None


async def test_a_new_invitation_replaces_the_open_one_of_the_same_board_and_address(begin):
    owner, board = await setting(begin)
    first, second = uuid4().bytes, uuid4().bytes
    async with begin() as unit:
        await unit.guest_invitations.add(first, board.id, "gil@partner.test", ShareLevel.READ, owner.id, 60)
    async with begin() as unit:
        made = await unit.guest_invitations.add(second, board.id, "gil@partner.test", ShareLevel.EDIT, owner.id, 60)
    async with begin() as unit:
        assert await unit.guest_invitations.open(board.id) == [made]
        assert await unit.guest_invitations.find(first) is None
