"""Custom fields, segments and permission levels over the memory twins: who may define and change
what, how definitions and filters are checked, and that a segment stays in its workspace."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

import pytest

from server.domain.access import Forbidden, NotFound, Role
from server.domain.accounts import Conflict, InvalidInput
from server.domain.contacts import Filter
from server.domain.fields import Entity, FieldType
from server.domain.permissions import DeleteLevel, ExportLevel, InvalidSetting
from server.domain.references import UnknownReference
from server.services.custom_fields import FIELDS_KEY, CustomFields
from server.services.filters import Segments, resolve_filter
from server.services.permissions import WorkspacePermissions
from tests.contract.test_contacts import person
from tests.unit.services.support import World
from tests.unit.services.test_workspaces import team

HERE = "10.0.0.1"


class Feed:
    """``ChangeFeed`` that remembers what it was told."""

    def __init__(self) -> None:
        self.changes: list[tuple[UUID, list[str]]] = []

    async def changed(self, workspace: UUID, keys: Sequence[str]) -> None:
        self.changes.append((workspace, list(keys)))


@pytest.fixture
async def world() -> World:
    return World()


async def other_team(world: World) -> tuple[UUID, dict]:
    """A second workspace, owned by someone else."""
    owner = await world.sign_up("Stranger")
    return (await world.workspaces.create(owner, "Elsewhere")).id, {"owner": owner}


# --- custom fields ------------------------------------------------------------------------------


async def test_admins_define_fields_members_read_them_and_the_feed_hears_of_it(world):
    workspace, people = await team(world, ada=Role.ADMIN, bob=Role.MEMBER)
    feed = Feed()
    fields = CustomFields(world.begin, feed)
    made = await fields.create(people["ada"], workspace, Entity.CONTACT, "plan", " Plan ", FieldType.SELECT,
                               ["free", " pro", "free"], HERE)
    assert (made.key, made.label, made.options) == ("plan", "Plan", ("free", "pro"))
    assert [f.key for f in await fields.list(people["bob"], workspace, None)] == ["plan"]
    assert feed.changes == [(workspace, [FIELDS_KEY])]
    assert "custom_field.created" in world.events()
    with pytest.raises(Forbidden):
        await fields.create(people["bob"], workspace, Entity.CONTACT, "size", "Size", FieldType.NUMBER, [], HERE)


async def test_a_definition_is_checked_and_its_key_is_unique_per_entity(world):
    workspace, people = await team(world)
    fields, owner = CustomFields(world.begin, Feed()), people["owner"]
    with pytest.raises(InvalidInput, match="non-empty options for a select field"):
        await fields.create(owner, workspace, Entity.CONTACT, "plan", "Plan", FieldType.SELECT, [], HERE)
    with pytest.raises(InvalidInput, match="only select and multi_select fields have options"):
        await fields.create(owner, workspace, Entity.CONTACT, "size", "Size", FieldType.NUMBER, ["1"], HERE)
    with pytest.raises(InvalidInput, match="field key"):
        await fields.create(owner, workspace, Entity.CONTACT, "Bad Key", "Bad", FieldType.TEXT, [], HERE)
    await fields.create(owner, workspace, Entity.CONTACT, "size", "Size", FieldType.NUMBER, [], HERE)
    await fields.create(owner, workspace, Entity.ORGANISATION, "size", "Size", FieldType.NUMBER, [], HERE)
    with pytest.raises(Conflict, match="exists already"):
        await fields.create(owner, workspace, Entity.CONTACT, "size", "Again", FieldType.TEXT, [], HERE)


async def test_a_select_fields_options_change_but_must_stay_non_empty(world):
    workspace, people = await team(world)
    fields, owner = CustomFields(world.begin, Feed()), people["owner"]
    plan = await fields.create(owner, workspace, Entity.CONTACT, "plan", "Plan", FieldType.SELECT, ["a"], HERE)
    changed = await fields.update(owner, plan.id, None, ["a", "b"], HERE)
    assert (changed.label, changed.options, changed.type) == ("Plan", ("a", "b"), FieldType.SELECT)
    assert (await fields.update(owner, plan.id, "Tier", None, HERE)).options == ("a", "b")
    with pytest.raises(InvalidInput):
        await fields.update(owner, plan.id, None, [], HERE)


async def test_another_workspaces_field_is_not_found_and_a_deleted_one_takes_its_values(world):
    workspace, people = await team(world)
    other, others = await other_team(world)
    feed = Feed()
    fields, owner = CustomFields(world.begin, feed), people["owner"]
    plan = await fields.create(owner, workspace, Entity.CONTACT, "plan", "Plan", FieldType.TEXT, [], HERE)
    with pytest.raises(NotFound, match="no such custom field"):
        await fields.update(others["owner"], plan.id, "Mine", None, HERE)
    with pytest.raises(NotFound, match="no such custom field"):
        await fields.delete(owner, uuid4(), HERE)
    async with world.begin() as unit:
        contact = await unit.contacts.insert(workspace, person("Ann", "Lee", fields={"plan": "pro", "x": 1}), None)
    await fields.delete(owner, plan.id, HERE)
    async with world.begin() as unit:
        [stored] = await unit.contacts.by_ids([contact])
    assert stored.values.fields == {"x": 1}
    assert feed.changes[-1] == (workspace, [FIELDS_KEY, "contact:*"])
    assert await fields.list(owner, workspace, Entity.CONTACT) == []


# --- segments -------------------------------------------------------------------------------------


async def test_a_segment_filters_on_the_workspaces_own_fields_and_members(world):
    workspace, people = await team(world, bob=Role.MEMBER, vic=Role.VIEWER)
    other, others = await other_team(world)
    await CustomFields(world.begin, Feed()).create(people["owner"], workspace, Entity.CONTACT, "plan", "Plan",
                                                   FieldType.SELECT, ["free", "pro"], HERE)
    segments = Segments(world.begin)
    saved = await segments.create(people["bob"], workspace, Entity.CONTACT, " Pros ",
                                  Filter(owner=people["owner"].id, fields={"plan": "pro"}))
    assert (saved.name, saved.filter.fields, saved.created_by) == ("Pros", {"plan": "pro"}, people["bob"].id)
    with pytest.raises(InvalidInput, match="one of 'free', 'pro'"):
        await segments.create(people["bob"], workspace, Entity.CONTACT, "bad", Filter(fields={"plan": "team"}))
    with pytest.raises(InvalidInput, match="unknown custom field 'size'"):
        await segments.create(people["bob"], workspace, Entity.CONTACT, "bad", Filter(fields={"size": 1}))
    with pytest.raises(UnknownReference):
        await segments.create(people["bob"], workspace, Entity.CONTACT, "bad", Filter(owner=others["owner"].id))
    with pytest.raises(InvalidInput, match="contacts or organisations"):
        await segments.create(people["bob"], workspace, Entity.DEAL, "deals", Filter())
    with pytest.raises(Forbidden):
        await segments.create(people["vic"], workspace, Entity.CONTACT, "viewer's", Filter())
    assert [s.name for s in await segments.list(people["vic"], workspace)] == ["Pros"]


async def test_segment_names_are_unique_and_a_rename_keeps_the_filter(world):
    workspace, people = await team(world)
    segments, owner = Segments(world.begin), people["owner"]
    first = await segments.create(owner, workspace, Entity.CONTACT, "a", Filter(labels=("vip",)))
    second = await segments.create(owner, workspace, Entity.CONTACT, "b", Filter())
    with pytest.raises(Conflict, match="already has a contact segment named 'a'"):
        await segments.update(owner, second.id, "a", None)
    renamed = await segments.update(owner, first.id, "c", None)
    assert (renamed.name, renamed.filter) == ("c", Filter(labels=("vip",)))
    await segments.delete(owner, second.id)
    with pytest.raises(NotFound):
        await segments.get(owner, second.id)


async def test_a_list_uses_a_segment_only_of_its_own_workspace_and_entity(world):
    workspace, people = await team(world)
    other, others = await other_team(world)
    segments = Segments(world.begin)
    theirs = await segments.create(others["owner"], other, Entity.CONTACT, "theirs", Filter(q="x"))
    ours = await segments.create(people["owner"], workspace, Entity.ORGANISATION, "orgs", Filter(q="acme"))
    with pytest.raises(NotFound, match="no such segment"):
        await segments.get(people["owner"], theirs.id)
    async with world.begin() as unit:
        with pytest.raises(NotFound, match="no such segment"):
            await resolve_filter(unit, workspace, Entity.CONTACT, Filter(), theirs.id)
        with pytest.raises(NotFound, match="no such segment"):
            await resolve_filter(unit, workspace, Entity.CONTACT, Filter(), ours.id)
        combined = await resolve_filter(unit, workspace, Entity.ORGANISATION, Filter(q="ltd"), ours.id)
    assert combined.q == "acme ltd"


# --- permission levels ------------------------------------------------------------------------


async def test_admins_change_the_levels_members_read_them_and_guests_do_not(world):
    workspace, people = await team(world, ada=Role.ADMIN, bob=Role.MEMBER)
    permissions = WorkspacePermissions(world.begin)
    assert (await permissions.get(people["bob"], workspace)).permissions.delete is DeleteLevel.MEMBERS_OWN
    changed = await permissions.change(people["ada"], workspace, {"export": "members"}, HERE)
    assert changed.permissions.export is ExportLevel.MEMBERS
    assert (await permissions.get(people["bob"], workspace)).permissions.export is ExportLevel.MEMBERS
    assert world.events().count("workspace.permissions_changed") == 1
    await permissions.change(people["ada"], workspace, {"export": "members"}, HERE)  # no change: not audited
    assert world.events().count("workspace.permissions_changed") == 1
    with pytest.raises(Forbidden):
        await permissions.change(people["bob"], workspace, {"delete": "members"}, HERE)
    with pytest.raises(InvalidSetting):
        await permissions.change(people["ada"], workspace, {"delete": "everyone"}, HERE)
    stranger = await world.sign_up("Stranger")
    with pytest.raises(NotFound):
        await permissions.get(stranger, workspace)
