"""The workspace rules over the memory twins: roles and the last owner, invitations, the audit log."""

from __future__ import annotations

import pytest

from server.domain.access import Access, Forbidden, NotFound, Role
from server.domain.accounts import AccessChanged, Conflict
from server.domain.boards import workspace_document
from server.domain.workspaces import MyWorkspace
from tests.unit.services.support import World

HERE = "10.0.0.1"


@pytest.fixture
async def world() -> World:
    return World()


async def team(world: World, **roles: Role):
    """A workspace owned by "owner", with a member for each other keyword argument."""
    owner = await world.sign_up("Owner")
    workspace = await world.workspaces.create(owner, "Acme")
    people = {"owner": owner}
    for name, role in roles.items():
        people[name] = await world.sign_up(name)
        async with world.begin() as unit:
            await unit.members.add(workspace.id, people[name].id, role)
    return workspace.id, people


async def test_the_creator_owns_the_workspace_and_reads_its_document(world):
    owner = await world.sign_up("Owner")
    workspace = await world.workspaces.create(owner, "  Acme ")
    assert await world.workspaces.list(owner) == [MyWorkspace(workspace.id, "Acme", Role.OWNER)]
    assert [(m.user.id, m.role) for m in await world.workspaces.members(owner, workspace.id)] == [
        (owner.id, Role.OWNER)]
    assert await world.boards.document_access(owner.id, workspace_document(workspace.id)) is Access.READ


async def test_strangers_are_told_the_workspace_does_not_exist(world):
    workspace, _ = await team(world)
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound, match="no such workspace"):
        await world.workspaces.members(stranger, workspace)
    with pytest.raises(NotFound, match="no such document"):
        await world.boards.document_access(stranger.id, workspace_document(workspace))


async def test_an_owner_changes_a_role_and_the_member_is_re_checked(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    await world.workspaces.change_role(people["owner"], workspace, people["bob"].id, Role.ADMIN, HERE)
    async with world.begin() as unit:
        assert await unit.members.role(workspace, people["bob"].id) is Role.ADMIN
    assert world.announced()[-1] == AccessChanged(people["bob"].id, None)
    assert world.events()[-1] == "member.role_changed"


async def test_admins_manage_members_but_not_admins_or_owners(world):
    workspace, people = await team(world, admin=Role.ADMIN, bob=Role.MEMBER, eve=Role.ADMIN)
    await world.workspaces.change_role(people["admin"], workspace, people["bob"].id, Role.VIEWER, HERE)
    with pytest.raises(Forbidden, match="only an owner may grant or change the admin and owner roles"):
        await world.workspaces.change_role(people["admin"], workspace, people["bob"].id, Role.ADMIN, HERE)
    with pytest.raises(Forbidden, match="only an owner"):
        await world.workspaces.remove_member(people["admin"], workspace, people["eve"].id, HERE)


async def test_members_may_not_manage_members(world):
    workspace, people = await team(world, bob=Role.MEMBER, carol=Role.VIEWER)
    with pytest.raises(Forbidden, match="only a workspace admin or above"):
        await world.workspaces.change_role(people["bob"], workspace, people["carol"].id, Role.MEMBER, HERE)
    with pytest.raises(Forbidden, match="only a workspace admin or above"):
        await world.workspaces.remove_member(people["bob"], workspace, people["carol"].id, HERE)


async def test_the_last_owner_can_neither_step_down_nor_leave(world):
    workspace, people = await team(world)
    owner = people["owner"]
    with pytest.raises(Forbidden, match="keeps at least one owner"):
        await world.workspaces.change_role(owner, workspace, owner.id, Role.ADMIN, HERE)
    with pytest.raises(Forbidden, match="keeps at least one owner"):
        await world.workspaces.remove_member(owner, workspace, owner.id, HERE)
    assert world.announced() == []


async def test_an_owner_steps_down_once_there_is_another(world):
    workspace, people = await team(world, bob=Role.OWNER)
    await world.workspaces.change_role(people["owner"], workspace, people["owner"].id, Role.MEMBER, HERE)
    with pytest.raises(Forbidden, match="keeps at least one owner"):
        await world.workspaces.remove_member(people["bob"], workspace, people["bob"].id, HERE)


async def test_anyone_may_leave_and_then_sees_nothing(world):
    workspace, people = await team(world, carol=Role.VIEWER)
    await world.workspaces.remove_member(people["carol"], workspace, people["carol"].id, HERE)
    assert await world.workspaces.list(people["carol"]) == []
    with pytest.raises(NotFound):
        await world.workspaces.members(people["carol"], workspace)


async def test_removing_someone_who_is_not_a_member_is_not_found(world):
    workspace, people = await team(world)
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound, match="no such member"):
        await world.workspaces.remove_member(people["owner"], workspace, stranger.id, HERE)


async def test_an_invitation_is_mailed_and_accepted_once_by_its_addressee(world):
    workspace, people = await team(world, admin=Role.ADMIN)
    made = await world.workspaces.invite(people["admin"], workspace, "Dan@Example.test", Role.MEMBER, HERE)
    assert world.outbox.sent[-1].to == "dan@example.test" and world.last_token() == made.token
    dan = await world.sign_up("Dan")
    joined = await world.workspaces.accept(dan, made.token, HERE)
    assert (joined.workspace_id, joined.role) == (workspace, Role.MEMBER)
    assert await world.workspaces.list(dan) == [MyWorkspace(workspace, "Acme", Role.MEMBER)]
    assert world.announced()[-1] == AccessChanged(dan.id, None)
    with pytest.raises(NotFound, match="no such invitation"):
        await world.workspaces.accept(dan, made.token, HERE)


async def test_an_invitation_for_someone_else_stays_usable_by_them(world):
    workspace, people = await team(world)
    made = await world.workspaces.invite(people["owner"], workspace, "dan@example.test", Role.VIEWER, HERE)
    eve = await world.sign_up("Eve")
    with pytest.raises(NotFound, match="no such invitation for your e-mail address"):
        await world.workspaces.accept(eve, made.token, HERE)
    dan = await world.sign_up("Dan")
    assert (await world.workspaces.accept(dan, made.token, HERE)).role is Role.VIEWER


async def test_an_invitation_expires(world):
    workspace, people = await team(world)
    made = await world.workspaces.invite(people["owner"], workspace, "dan@example.test", Role.VIEWER, HERE)
    dan = await world.sign_up("Dan")
    world.clock.advance(3600)
    with pytest.raises(NotFound, match="or it expired"):
        await world.workspaces.accept(dan, made.token, HERE)


async def test_a_member_accepting_again_is_a_conflict(world):
    workspace, people = await team(world, bob=Role.MEMBER)
    made = await world.workspaces.invite(people["owner"], workspace, "bob@example.test", Role.ADMIN, HERE)
    with pytest.raises(Conflict, match="already a member"):
        await world.workspaces.accept(people["bob"], made.token, HERE)
    async with world.begin() as unit:
        assert await unit.members.role(workspace, people["bob"].id) is Role.MEMBER


async def test_who_may_invite_whom(world):
    workspace, people = await team(world, admin=Role.ADMIN, bob=Role.MEMBER)
    with pytest.raises(Forbidden, match="only a workspace admin or above"):
        await world.workspaces.invite(people["bob"], workspace, "x@example.test", Role.VIEWER, HERE)
    with pytest.raises(Forbidden, match="only an owner"):
        await world.workspaces.invite(people["admin"], workspace, "x@example.test", Role.OWNER, HERE)
    assert [m.to for m in world.outbox.sent] == []


async def test_admins_read_the_audit_log_members_do_not(world):
    workspace, people = await team(world, admin=Role.ADMIN, bob=Role.MEMBER)
    await world.workspaces.change_role(people["owner"], workspace, people["bob"].id, Role.VIEWER, HERE)
    events = await world.workspaces.audit(people["admin"], workspace, 2)
    assert [e.event for e in events] == ["member.role_changed", "account.created"]
    assert events[0].details == {"before": "member", "after": "viewer"}
    with pytest.raises(Forbidden, match="read the audit log"):
        await world.workspaces.audit(people["bob"], workspace, 10)
