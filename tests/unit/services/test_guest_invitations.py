"""Guests invited by link over the memory twins: an admin shares a board with an address that has
no account yet; whoever signs up with that address from the link gets the board, once, before
the link expires, unless the admin cancelled it (issue 14, item 5)."""

from __future__ import annotations

import pytest

from server.domain.access import Access, Forbidden, NotFound, Role, ShareLevel
from server.domain.accounts import AccessChanged
from server.services.accounts import Caller
from tests.unit.services.support import PASSWORD, World
from tests.unit.services.test_boards import board_in
from tests.unit.services.test_workspaces import team

HERE = "10.0.0.1"


@pytest.fixture
async def world() -> World:
    return World()


def token_of(link: str) -> str:
    assert link.startswith("/guest/"), link
    return link.removeprefix("/guest/")


async def sign_up_as(world: World, email: str, name: str = "Gil Partner") -> Caller:
    return (await world.accounts.sign_up(email, PASSWORD, name, HERE)).caller


async def test_an_invited_address_signs_up_and_reaches_the_board_as_shared(world):
    workspace, people = await team(world, admin=Role.ADMIN)
    board, other = await board_in(world, workspace, people["owner"], "Launch"), await board_in(world, workspace,
                                                                                            people["owner"])
    shared = await world.boards.share(people["admin"], board.id, "Gil@Partner.test", ShareLevel.EDIT, HERE)
    preview = await world.boards.invitation(shared.token)
    assert (preview.email, preview.board_name, preview.inviter_name) == ("gil@partner.test", "Launch", "admin")
    assert [i.email for i in await world.boards.invitations(people["owner"], board.id)] == ["gil@partner.test"]

    guest = await sign_up_as(world, "gil@partner.test")
    view = await world.boards.accept(guest, shared.token, HERE)
    assert (view.board.id, view.access, view.role) == (board.id, Access.WRITE, None)
    assert [v.board.id for v in await world.boards.visible(guest, workspace)] == [board.id]
    assert world.announced()[-1] == AccessChanged(guest.id, None)
    assert await world.boards.invitations(people["owner"], board.id) == []
    assert "guest.joined" in world.events()
    with pytest.raises(NotFound):
        await world.boards.get(guest, other.id)


async def test_the_invitation_is_mailed_with_its_link(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"], "Launch")
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    mail = world.outbox.sent[-1]
    assert mail.to == "gil@partner.test" and "Launch" in mail.subject
    assert f"Open the invitation: /guest/{shared.token}\n" in mail.body
    assert f"(/guest/{shared.token})" in mail.html, "no public URL set: the path, not an anchor"


async def test_a_link_is_used_once(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    guest = await sign_up_as(world, "gil@partner.test")
    await world.boards.accept(guest, shared.token, HERE)
    with pytest.raises(NotFound, match="no such invitation"):
        await world.boards.accept(guest, shared.token, HERE)
    with pytest.raises(NotFound, match="no such invitation"):
        await world.boards.invitation(shared.token)


async def test_a_link_expires(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    world.clock.advance(8 * 24 * 3600)  # the default lifetime is a week
    guest = await sign_up_as(world, "gil@partner.test")
    with pytest.raises(NotFound, match="expired"):
        await world.boards.accept(guest, shared.token, HERE)
    assert await world.boards.invitations(people["owner"], board.id) == []


async def test_cancelling_before_acceptance_kills_the_link(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    await world.boards.revoke(people["owner"], board.id, shared.invitation.id, HERE)
    guest = await sign_up_as(world, "gil@partner.test")
    with pytest.raises(NotFound, match="cancelled"):
        await world.boards.accept(guest, shared.token, HERE)
    with pytest.raises(NotFound):
        await world.boards.document_access(guest.id, board.document)
    with pytest.raises(NotFound, match="no open invitation"):
        await world.boards.revoke(people["owner"], board.id, shared.invitation.id, HERE)


async def test_inviting_again_replaces_the_open_link(world):
    workspace, people = await team(world)
    board = await board_in(world, workspace, people["owner"])
    first = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    second = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.EDIT, HERE)
    assert [(i.id, i.access) for i in await world.boards.invitations(people["owner"], board.id)] == [
        (second.invitation.id, ShareLevel.EDIT)]
    with pytest.raises(NotFound):
        await world.boards.invitation(first.token)


async def test_only_the_invited_address_may_use_the_link_and_a_wrong_one_does_not_spend_it(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    with pytest.raises(Forbidden, match="this invitation is for gil@partner.test"):
        await world.boards.accept(people["bob"], shared.token, HERE)
    guest = await sign_up_as(world, "gil@partner.test")
    assert (await world.boards.accept(guest, shared.token, HERE)).access is Access.READ


async def test_members_may_not_see_or_cancel_invitations(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    board = await board_in(world, workspace, people["owner"])
    shared = await world.boards.share(people["owner"], board.id, "gil@partner.test", ShareLevel.READ, HERE)
    with pytest.raises(Forbidden):
        await world.boards.invitations(people["bob"], board.id)
    with pytest.raises(Forbidden):
        await world.boards.revoke(people["bob"], board.id, shared.invitation.id, HERE)
