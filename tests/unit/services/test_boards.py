"""Boards over the memory twins: creation, who manages shares, what guests see, the socket gate.

Most tests register boards through the twins (``board_in``): ``Boards.create`` also seeds and
projects the board document, which the CRM's twins cover.
"""

from __future__ import annotations

import pytest

from server.domain.access import Access, Forbidden, NotFound, Role, ShareLevel
from server.domain.accounts import AccessChanged, InvalidInput, Unauthenticated
from server.domain.boards import Board, BoardKind, DocumentKind
from server.services.sockets import Gate
from tests.unit.services.support import World
from tests.unit.services.test_workspaces import team

HERE = "10.0.0.1"


@pytest.fixture
async def world() -> World:
    return World()


async def board_in(world: World, workspace, by, name: str = "Deals") -> Board:
    async with world.begin() as unit:
        board = await unit.boards.add(workspace, name, BoardKind.PIPELINE, by.id)
        await unit.workspaces.add_document(board.document, workspace, board.id, DocumentKind.BOARD)
    return board


async def test_members_reach_every_board_by_their_role(world):
    workspace, people = await team(world, bob=Role.MEMBER, carol=Role.VIEWER)
    first, second = await board_in(world, workspace, people["owner"]), await board_in(world, workspace, people["bob"])
    views = await world.boards.visible(people["carol"], workspace)
    assert [(v.board.id, v.access, v.role) for v in views] == [(first.id, Access.READ, Role.VIEWER),
                                                              (second.id, Access.READ, Role.VIEWER)]
    assert (await world.boards.get(people["bob"], first.id)).access is Access.WRITE


async def test_a_guest_sees_only_what_is_shared_and_as_shared(world):
    workspace, people = await team(world, admin=Role.ADMIN)
    shown, hidden = await board_in(world, workspace, people["owner"]), await board_in(world, workspace, people["owner"])
    guest = await world.sign_up("Guest")
    shared = await world.boards.share(people["admin"], shown.id, "GUEST@example.test", ShareLevel.READ, HERE)
    assert (shared.user.id, shared.invitation) == (guest.id, None)
    assert [(v.board.id, v.access, v.role) for v in await world.boards.visible(guest, workspace)] == [
        (shown.id, Access.READ, None)]
    with pytest.raises(NotFound, match="no such board"):
        await world.boards.get(guest, hidden.id)
    assert await world.boards.document_access(guest.id, shown.document) is Access.READ
    with pytest.raises(NotFound, match="no such document"):
        await world.boards.document_access(guest.id, hidden.document)
    assert world.announced()[-1] == AccessChanged(guest.id, None)


async def test_an_edit_share_lets_a_guest_write_and_a_viewer_too(world):
    workspace, people = await team(world, carol=Role.VIEWER)
    board = await board_in(world, workspace, people["owner"])
    guest = await world.sign_up("Guest")
    for email in ("guest@example.test", "carol@example.test"):
        await world.boards.share(people["owner"], board.id, email, ShareLevel.EDIT, HERE)
    assert await world.boards.document_access(guest.id, board.document) is Access.WRITE
    assert await world.boards.document_access(people["carol"].id, board.document) is Access.WRITE


async def test_only_admins_and_owners_manage_shares(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    board = await board_in(world, workspace, people["owner"])
    guest = await world.sign_up("Guest")
    await world.boards.share(people["owner"], board.id, "guest@example.test", ShareLevel.EDIT, HERE)
    with pytest.raises(Forbidden, match="only a workspace admin or above may share boards with guests"):
        await world.boards.shares(people["bob"], board.id)
    with pytest.raises(Forbidden, match="you are a guest"):
        await world.boards.share(guest, board.id, "bob@example.test", ShareLevel.READ, HERE)
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound, match="no such board"):
        await world.boards.shares(stranger, board.id)


async def test_sharing_with_an_address_without_account_invites_it_and_shares_nothing_yet(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "nobody@example.test", ShareLevel.READ, HERE)
    assert (shared.user, shared.invitation.email, shared.invitation.access) == (
        None, "nobody@example.test", ShareLevel.READ)
    assert await world.boards.shares(people["owner"], board.id) == []


async def test_an_unshared_guest_loses_the_board_and_is_re_checked(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    guest = await world.sign_up("Guest")
    await world.boards.share(people["owner"], board.id, "guest@example.test", ShareLevel.READ, HERE)
    assert [(s.user.id, s.access) for s in await world.boards.shares(people["owner"], board.id)] == [
        (guest.id, ShareLevel.READ)]
    await world.boards.unshare(people["owner"], board.id, guest.id, HERE)
    with pytest.raises(NotFound):
        await world.boards.document_access(guest.id, board.document)
    assert world.announced()[-1] == AccessChanged(guest.id, None)
    with pytest.raises(NotFound, match="not shared with that user"):
        await world.boards.unshare(people["owner"], board.id, guest.id, HERE)


async def test_a_guest_lists_the_workspace_and_a_stranger_does_not(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    guest, stranger = await world.sign_up("Guest"), await world.sign_up("Stranger")
    await world.boards.share(people["owner"], board.id, "guest@example.test", ShareLevel.READ, HERE)
    assert [(w.id, w.role) for w in await world.workspaces.list(guest)] == [(workspace, None)]
    with pytest.raises(NotFound, match="no such workspace"):
        await world.boards.visible(stranger, workspace)
    with pytest.raises(NotFound):
        await world.workspaces.members(guest, workspace)


async def test_a_created_board_is_registered_and_written_by_members(world):
    workspace, people = await team(world, carol=Role.VIEWER)
    created = await world.boards.create(people["owner"], workspace, " Deals ", BoardKind.PIPELINE, "EUR")
    assert (created.board.name, created.access, created.role) == ("Deals", Access.WRITE, Role.OWNER)
    assert await world.boards.get(people["carol"], created.board.id) == created._replace(
        access=Access.READ, role=Role.VIEWER)
    assert await world.boards.document_access(people["owner"].id, created.board.document) is Access.WRITE
    assert world.events()[-1] == "board.created"


async def test_viewers_may_not_create_boards_and_bad_input_creates_nothing(world):
    workspace, people = await team(world, carol=Role.VIEWER)
    with pytest.raises(Forbidden, match="may create boards"):
        await world.boards.create(people["carol"], workspace, "Deals", BoardKind.PIPELINE)
    with pytest.raises(InvalidInput, match="board name"):
        await world.boards.create(people["owner"], workspace, " ", BoardKind.PROJECT)
    assert await world.boards.visible(people["owner"], workspace) == []


async def test_the_gate_admits_a_live_session_with_its_access_and_refuses_an_ended_one(world):
    workspace, people = await team(world, carol=Role.VIEWER)
    board = await board_in(world, workspace, people["owner"])
    gate = Gate(world.accounts, world.boards)
    admitted = await gate.admit(people["carol"].session, board.document)
    assert (admitted.identity.id, admitted.access) == (people["carol"].id, Access.READ)
    await world.accounts.sign_out(people["carol"], HERE)
    with pytest.raises(Unauthenticated):
        await gate.admit(people["carol"].session, board.document)
    with pytest.raises(NotFound):
        await gate.admit(people["owner"].session, "board:unknown")
