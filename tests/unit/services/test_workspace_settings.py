"""Settings › Workspace over the memory twins: who reads and changes the name and time zone, what
is refused (naming the field), the creator's zone, and the audit event."""

from __future__ import annotations

import pytest

from server.domain.access import Forbidden, NotFound, Role
from server.domain.permissions import InvalidSetting
from server.domain.workspaces import WorkspaceSettings
from server.services.workspace_settings import WorkspaceSettingsService
from tests.unit.services.support import World

HERE = "10.0.0.1"


@pytest.fixture
async def world() -> World:
    return World()


async def team(world: World, zone: str | None = None):
    """A workspace "Acme" owned by "owner", with an admin and a member."""
    owner = await world.sign_up("Owner")
    workspace = await world.workspaces.create(owner, "Acme", time_zone=zone)
    people = {"owner": owner}
    for name, role in (("admin", Role.ADMIN), ("member", Role.MEMBER)):
        people[name] = await world.sign_up(name)
        async with world.begin() as unit:
            await unit.members.add(workspace.id, people[name].id, role)
    return workspace.id, people, WorkspaceSettingsService(world.begin, "UTC")


def audited(world: World, event: str) -> list[dict]:
    return [e.event.details for e in world.db.table("audit_events", list) if e.event.event == event]


async def test_a_new_workspace_takes_the_creators_zone_or_none(world):
    workspace, people, service = await team(world, "Europe/Berlin")
    plain = await world.workspaces.create(people["owner"], "Plain")
    assert await service.settings(people["member"], workspace) == WorkspaceSettings(workspace, "Acme", "Europe/Berlin")
    assert (await service.settings(people["owner"], plain.id)).time_zone is None


async def test_a_creators_zone_this_server_does_not_know_falls_back_to_the_default_at_creation(world):
    workspace, people, service = await team(world, "Europe/Atlantis")  # onboarding is not stopped by a browser's zone
    assert await service.settings(people["owner"], workspace) == WorkspaceSettings(workspace, "Acme", None)


async def test_an_admin_renames_the_workspace_and_sets_its_zone_and_members_see_both(world):
    workspace, people, service = await team(world)
    changed = await service.change(people["admin"], workspace, HERE, name="  Acme GmbH ", time_zone="America/New_York")
    assert changed == WorkspaceSettings(workspace, "Acme GmbH", "America/New_York")
    assert await service.settings(people["member"], workspace) == changed
    assert [w.name for w in await world.workspaces.list(people["member"])] == ["Acme GmbH"]
    assert audited(world, "workspace.changed") == [{"name_before": "Acme", "name_after": "Acme GmbH",
                                                   "time_zone_before": None, "time_zone_after": "America/New_York"}]


async def test_a_field_left_out_keeps_its_value_and_null_means_the_servers_zone(world):
    workspace, people, service = await team(world, "Europe/Berlin")
    assert (await service.change(people["owner"], workspace, HERE, name="Acme 2")).time_zone == "Europe/Berlin"
    assert await service.change(people["owner"], workspace, HERE, time_zone=None) == WorkspaceSettings(
        workspace, "Acme 2", None)
    assert audited(world, "workspace.changed")[-1] == {"time_zone_before": "Europe/Berlin", "time_zone_after": None}


async def test_saving_what_is_there_records_nothing(world):
    workspace, people, service = await team(world)
    await service.change(people["owner"], workspace, HERE, name="Acme", time_zone=None)
    assert audited(world, "workspace.changed") == []


async def test_members_may_read_but_not_change(world):
    workspace, people, service = await team(world)
    with pytest.raises(Forbidden, match="only a workspace admin or above"):
        await service.change(people["member"], workspace, HERE, name="Mine now")
    assert (await service.settings(people["owner"], workspace)).name == "Acme"


async def test_strangers_are_told_the_workspace_does_not_exist(world):
    workspace, _, service = await team(world)
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound, match="no such workspace"):
        await service.settings(stranger, workspace)
    with pytest.raises(NotFound, match="no such workspace"):
        await service.change(stranger, workspace, HERE, name="Taken")


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "   "}, "name"), ({"name": "x" * 101}, "name"), ({"time_zone": "Mars/Base"}, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone"), ({"time_zone": "+02:00"}, "time_zone"),
], ids=["blank name", "long name", "unknown zone", "a path", "an offset"])
async def test_bad_values_are_refused_naming_the_field(world, fields, field):
    workspace, people, service = await team(world)
    with pytest.raises(InvalidSetting) as refused:
        await service.change(people["owner"], workspace, HERE, **fields)
    assert refused.value.field == field and str(refused.value).startswith(f"{field}: expected")
    assert await service.settings(people["owner"], workspace) == WorkspaceSettings(workspace, "Acme", None)
