"""The workspace ports' contracts (``Workspaces``, ``Members``, ``Invitations``, ``Boards``, ``Shares``),
over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from uuid import uuid4

import pytest

from server.domain.access import Role, ShareLevel
from server.domain.boards import Board, BoardKind, DocumentKind, workspace_document
from server.domain.workspaces import MyWorkspace, WorkspaceSettings
from tests.contract.test_accounts import adapters, new_user, twins
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def new_board(begin, workspace, by, name: str = "Deals") -> Board:
    async with begin() as unit:
        board = await unit.boards.add(workspace, name, BoardKind.PIPELINE, by)
        await unit.workspaces.add_document(board.document, workspace, board.id, DocumentKind.BOARD)
    return board


# --- Workspaces ------------------------------------------------------------------------------


async def test_a_workspace_is_seen_by_its_members_with_their_role(begin):
    owner, stranger = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, owner.id, Role.OWNER)
    async with begin() as unit:
        mine = await unit.workspaces.workspace_view(workspace.id, owner.id)
        theirs = await unit.workspaces.workspace_view(workspace.id, stranger.id)
        assert await unit.workspaces.workspace_view(uuid4(), owner.id) is None
    assert (workspace.name, workspace.created_at <= datetime.now(timezone.utc)) == ("Acme", True)
    assert (mine.id, mine.name, mine.role, mine.guest) == (workspace.id, "Acme", Role.OWNER, False)
    assert (theirs.role, theirs.guest) == (None, False)


async def test_a_workspace_keeps_its_zone_and_changes_name_and_zone_together(begin):
    owner = await new_user(begin)
    async with begin() as unit:
        plain = await unit.workspaces.add("Plain")
        berlin = await unit.workspaces.add("Acme", "Europe/Berlin")
        await unit.members.add(berlin.id, owner.id, Role.OWNER)
    async with begin() as unit:
        assert await unit.workspaces.settings(plain.id) == WorkspaceSettings(plain.id, "Plain", None)
        assert await unit.workspaces.settings(berlin.id) == WorkspaceSettings(berlin.id, "Acme", "Europe/Berlin")
        assert await unit.workspaces.settings(uuid4()) is None
        await unit.workspaces.change_settings(berlin.id, "Acme GmbH", "America/New_York")
        await unit.workspaces.change_settings(plain.id, "Plain", None)
    async with begin() as unit:
        assert await unit.workspaces.settings(berlin.id) == WorkspaceSettings(berlin.id, "Acme GmbH",
                                                                              "America/New_York")
        assert [w.name for w in await unit.workspaces.of_user(owner.id)] == ["Acme GmbH"]
        assert (await unit.workspaces.workspace_view(berlin.id, owner.id)).name == "Acme GmbH"
        await unit.workspaces.change_settings(berlin.id, "Acme GmbH", None)
    async with begin() as unit:
        assert (await unit.workspaces.settings(berlin.id)).time_zone is None


async def test_a_user_lists_member_and_guest_workspaces_by_name(begin):
    user, owner = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        zeta, alpha, shared, unrelated = [await unit.workspaces.add(n) for n in ("Zeta", "Alpha", "Mid", "None")]
        await unit.members.add(zeta.id, user.id, Role.VIEWER)
        await unit.members.add(alpha.id, user.id, Role.ADMIN)
        await unit.members.add(shared.id, owner.id, Role.OWNER)
    board = await new_board(begin, shared.id, owner.id)
    async with begin() as unit:
        await unit.shares.put(board.id, user.id, ShareLevel.READ, owner.id)
    async with begin() as unit:
        listed = await unit.workspaces.of_user(user.id)
        view = await unit.workspaces.workspace_view(shared.id, user.id)
    assert listed == [MyWorkspace(alpha.id, "Alpha", Role.ADMIN), MyWorkspace(shared.id, "Mid", None),
                      MyWorkspace(zeta.id, "Zeta", Role.VIEWER)]
    assert (view.role, view.guest) == (None, True)


async def test_the_workspace_document_is_read_by_members_only(begin):
    member, stranger = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, member.id, Role.VIEWER)
        await unit.workspaces.lock(workspace.id)
        await unit.workspaces.add_document(workspace_document(workspace.id), workspace.id, None,
                                           DocumentKind.WORKSPACE)
    async with begin() as unit:
        mine = await unit.boards.document_grant(workspace_document(workspace.id), member.id)
        theirs = await unit.boards.document_grant(workspace_document(workspace.id), stranger.id)
        assert await unit.boards.document_grant("workspace:unknown", member.id) is None
    assert (mine.workspace_id, mine.board_id, mine.kind, mine.role, mine.share) == (
        workspace.id, None, DocumentKind.WORKSPACE, Role.VIEWER, None)
    assert (theirs.role, theirs.share) == (None, None)


# --- Members ---------------------------------------------------------------------------------


async def test_a_member_joins_once_and_keeps_the_first_role(begin):
    user = await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        assert await unit.members.add(workspace.id, user.id, Role.MEMBER) is True
        assert await unit.members.add(workspace.id, user.id, Role.OWNER) is False
        assert await unit.members.role(workspace.id, user.id) is Role.MEMBER
        assert await unit.members.role(workspace.id, uuid4()) is None


async def test_members_list_in_the_order_they_joined(begin):
    first, second = await new_user(begin, "First"), await new_user(begin, "Second")
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, first.id, Role.OWNER)
    async with begin() as unit:
        await unit.members.add(workspace.id, second.id, Role.VIEWER)
    async with begin() as unit:
        members = await unit.members.all(workspace.id)
    assert [(m.user, m.role) for m in members] == [(first.user, Role.OWNER), (second.user, Role.VIEWER)]
    assert members[0].joined_at <= members[1].joined_at


async def test_roles_change_owners_are_counted_and_members_leave(begin):
    a, b = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, a.id, Role.OWNER)
        await unit.members.add(workspace.id, b.id, Role.MEMBER)
        assert await unit.members.count_owners(workspace.id) == 1
        await unit.members.set_role(workspace.id, b.id, Role.OWNER)
        assert await unit.members.count_owners(workspace.id) == 2
        await unit.members.remove(workspace.id, a.id)
        await unit.members.remove(workspace.id, a.id)
    async with begin() as unit:
        assert [m.user.id for m in await unit.members.all(workspace.id)] == [b.id]
        assert await unit.members.count_owners(workspace.id) == 1


# --- Invitations -----------------------------------------------------------------------------


async def test_an_invitation_is_taken_once(begin):
    owner, guest = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        made = await unit.invitations.add(b"i1", workspace.id, "x@example.test", Role.ADMIN, owner.id, 3600)
    async with begin() as unit:
        taken = await unit.invitations.take(b"i1", guest.id)
    async with begin() as unit:
        assert await unit.invitations.take(b"i1", guest.id) is None
    assert taken == made
    assert (made.workspace_id, made.email, made.role) == (workspace.id, "x@example.test", Role.ADMIN)
    assert made.expires_at > datetime.now(timezone.utc)


async def test_expired_and_unknown_invitations_are_refused(begin):
    owner = await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.invitations.add(b"old", workspace.id, "x@example.test", Role.MEMBER, owner.id, -1)
    async with begin() as unit:
        assert await unit.invitations.take(b"old", owner.id) is None
        assert await unit.invitations.take(b"unknown", owner.id) is None


# --- Boards ----------------------------------------------------------------------------------


async def test_a_board_is_granted_by_role_share_or_not_at_all(begin):
    owner, guest, stranger = await new_user(begin), await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, owner.id, Role.OWNER)
    board = await new_board(begin, workspace.id, owner.id)
    async with begin() as unit:
        await unit.shares.put(board.id, guest.id, ShareLevel.EDIT, owner.id)
    async with begin() as unit:
        grants = [await unit.boards.grant(board.id, u.id) for u in (owner, guest, stranger)]
        assert await unit.boards.grant(uuid4(), owner.id) is None
    assert board.document == f"board:{board.id}" and board.kind is BoardKind.PIPELINE
    assert [g.board for g in grants] == [board] * 3
    assert [(g.role, g.share) for g in grants] == [(Role.OWNER, None), (None, ShareLevel.EDIT), (None, None)]


async def test_members_see_every_board_guests_the_shared_ones_oldest_first(begin):
    owner, guest = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, owner.id, Role.OWNER)
    first = await new_board(begin, workspace.id, owner.id, "First")
    second = await new_board(begin, workspace.id, owner.id, "Second")
    async with begin() as unit:
        await unit.shares.put(second.id, guest.id, ShareLevel.READ, owner.id)
    async with begin() as unit:
        owners = await unit.boards.visible(workspace.id, owner.id)
        guests = await unit.boards.visible(workspace.id, guest.id)
        assert await unit.boards.visible(uuid4(), owner.id) == []
    assert [g.board.name for g in owners] == ["First", "Second"] and first.created_at <= second.created_at
    assert [(g.board.name, g.role, g.share) for g in guests] == [("Second", None, ShareLevel.READ)]


async def test_a_board_document_carries_its_board_and_the_callers_share(begin):
    owner, guest = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
        await unit.members.add(workspace.id, owner.id, Role.OWNER)
    board = await new_board(begin, workspace.id, owner.id)
    async with begin() as unit:
        await unit.shares.put(board.id, guest.id, ShareLevel.READ, owner.id)
        grant = await unit.boards.document_grant(board.document, guest.id)
    assert (grant.name, grant.workspace_id, grant.board_id, grant.kind, grant.role, grant.share) == (
        board.document, workspace.id, board.id, DocumentKind.BOARD, None, ShareLevel.READ)


# --- Shares ----------------------------------------------------------------------------------


async def test_a_share_is_put_changed_listed_and_removed_once(begin):
    owner, guest = await new_user(begin), await new_user(begin, "Guest")
    async with begin() as unit:
        workspace = await unit.workspaces.add("Acme")
    board = await new_board(begin, workspace.id, owner.id)
    async with begin() as unit:
        await unit.shares.put(board.id, guest.id, ShareLevel.READ, owner.id)
        await unit.shares.put(board.id, guest.id, ShareLevel.EDIT, owner.id)
    async with begin() as unit:
        shares = await unit.shares.all(board.id)
        assert await unit.shares.remove(board.id, guest.id) is True
        assert await unit.shares.remove(board.id, guest.id) is False
        assert await unit.shares.all(board.id) == []
    assert [(s.user, s.access) for s in shares] == [(guest.user, ShareLevel.EDIT)]
