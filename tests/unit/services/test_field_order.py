"""Custom field types beyond the first five, and the order admins give a workspace's fields (over the twins)."""

from __future__ import annotations

import pytest

from server.domain.access import NotFound, Role
from server.domain.accounts import InvalidInput
from server.domain.fields import Entity, FieldDefinition, FieldType, check_value, format, parse
from server.services.custom_fields import CustomFields
from tests.unit.services.support import World
from tests.unit.services.test_custom_fields import HERE, Feed
from tests.unit.services.test_workspaces import team

TAGS = FieldDefinition("tags", "Tags", FieldType.MULTI_SELECT, ("B2B", "Retail", "Public"))


@pytest.fixture
async def world() -> World:
    return World()


async def test_new_fields_go_last_and_an_admin_reorders_them_for_everyone(world):
    workspace, people = await team(world, ada=Role.ADMIN, bob=Role.MEMBER)
    fields = CustomFields(world.begin, Feed())
    made = [await fields.create(people["ada"], workspace, Entity.CONTACT, key, key.title(), FieldType.TEXT, [], HERE)
            for key in ("alpha", "beta", "gamma")]
    await fields.create(people["ada"], workspace, Entity.DEAL, "source", "Source", FieldType.TEXT, [], HERE)
    assert [f.key for f in await fields.list(people["bob"], workspace, Entity.CONTACT)] == ["alpha", "beta", "gamma"]
    wanted = [made[2].id, made[0].id, made[1].id]
    ordered = await fields.reorder(people["ada"], workspace, Entity.CONTACT, wanted, HERE)
    assert [f.key for f in ordered] == ["gamma", "alpha", "beta"]
    assert [f.key for f in await fields.list(people["bob"], workspace, Entity.CONTACT)] == ["gamma", "alpha", "beta"]
    with pytest.raises(InvalidInput, match="every contact field"):
        await fields.reorder(people["ada"], workspace, Entity.CONTACT, wanted[:2], HERE)
    with pytest.raises(InvalidInput):
        await fields.reorder(people["ada"], workspace, Entity.CONTACT, [*wanted[:2], wanted[0]], HERE)
    with pytest.raises(Exception) as refused:
        await fields.reorder(people["bob"], workspace, Entity.CONTACT, wanted, HERE)
    assert not isinstance(refused.value, NotFound), "a member sees the workspace: refused, not hidden"


def test_a_multi_select_keeps_each_option_once_in_the_options_order_and_round_trips_through_text():
    assert check_value(TAGS, ["Public", "B2B", "B2B"]) == ["B2B", "Public"]
    assert parse(TAGS, "retail; b2b") == ["B2B", "Retail"]
    assert parse(TAGS, format(TAGS, ["B2B", "Public"])) == ["B2B", "Public"]
    with pytest.raises(InvalidInput, match="a list of"):
        check_value(TAGS, ["Wholesale"])


@pytest.mark.parametrize(("kind", "good", "bad"), [
    (FieldType.URL, "https://müller-gmbh.de/kontakt", "javascript:alert(1)"),
    (FieldType.EMAIL, "anna.schmidt@beispiel.de", "anna at beispiel"),
    (FieldType.PHONE, "+49 (0)30 1234-567", "call me maybe"),
])
def test_url_email_and_phone_fields_take_what_they_name_and_refuse_the_rest(kind, good, bad):
    definition = FieldDefinition("x", "X", kind)
    assert check_value(definition, good) == good
    with pytest.raises(InvalidInput, match="custom field 'x'"):
        check_value(definition, bad)


def test_a_url_typed_without_its_scheme_is_read_as_https():
    assert parse(FieldDefinition("web", "Web", FieldType.URL), "example.com") == "https://example.com"
