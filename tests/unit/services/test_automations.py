"""Automation rules over the memory twins (issue 16): what the service checks against the workspace
for the later triggers and actions, the signing secret a call_webhook rule gets, and that making a
contact queues its contact_created event in the same unit of work only when a rule waits for it."""

from __future__ import annotations

from uuid import uuid4

import pytest

from server.domain.access import Role
from server.domain.automations import InvalidRule
from server.domain.boards import BoardKind
from server.domain.fields import Entity, FieldType
from server.services.automation_events import RECORD
from server.services.automations import Automations
from server.services.contacts import Contacts
from server.services.custom_fields import CustomFields
from tests.unit.services.support import World
from tests.unit.services.test_custom_fields import Feed
from tests.unit.services.test_workspaces import team


class Sealer:
    """Reversible and visibly not clear text."""

    def seal(self, secret: bytes) -> bytes:
        return b"sealed:" + secret[::-1]

    def unseal(self, sealed: bytes) -> bytes:
        return sealed.removeprefix(b"sealed:")[::-1]


NOTIFY = {"type": "notify", "user": None, "message": "Hello"}


@pytest.fixture
async def world() -> World:
    return World()


async def pipeline(world: World, workspace, caller) -> str:
    """A new pipeline board of the workspace."""
    return str((await world.boards.create(caller, workspace, "Deals", BoardKind.PIPELINE)).board.id)


def refused(field: str):
    class Refused:
        def __enter__(self):
            self.raised = pytest.raises(InvalidRule)
            self.caught = self.raised.__enter__()
            return self.caught

        def __exit__(self, *exc):
            handled = self.raised.__exit__(*exc)
            assert self.caught.value.field == field, str(self.caught.value)
            return handled

    return Refused()


async def test_workspace_triggers_need_no_board_and_named_users_must_be_members(world):
    workspace, people = await team(world, member=Role.MEMBER)
    rules = Automations(world.begin)
    owner, member = people["owner"], people["member"]
    made = await rules.create(owner, workspace, "Greet", {"type": "contact_created"},
                              [{**NOTIFY, "user": str(member.id)}])
    assert made.rule.trigger == {"type": "contact_created"} and made.secret is None
    with refused("actions[0].user"):
        await rules.create(owner, workspace, "Stranger", {"type": "schedule", "cron": "0 9 * * 1"},
                           [{**NOTIFY, "user": str(uuid4())}])
    with refused("actions[0].assignee.round_robin[1]"):
        await rules.create(owner, workspace, "Rotate", {"type": "deal_created",
                                                        "board": await pipeline(world, workspace, owner)},
                           [{"type": "create_task", "title": "Call", "assignee": {"round_robin": [
                               str(member.id), str(uuid4())]}}])


async def test_a_watched_custom_field_must_be_a_deal_field_of_the_workspace(world):
    workspace, people = await team(world)
    owner = people["owner"]
    fields = CustomFields(world.begin, Feed())
    contact_field = await fields.create(owner, workspace, Entity.CONTACT, "vip", "VIP", FieldType.BOOL, (), "x")
    deal_field = await fields.create(owner, workspace, Entity.DEAL, "tier", "Tier", FieldType.TEXT, (), "x")
    trigger = {"type": "field_changed", "board": await pipeline(world, workspace, owner)}
    rules = Automations(world.begin)
    for wrong in (contact_field.id, uuid4()):
        with refused("trigger.field"):
            await rules.create(owner, workspace, "VIP", {**trigger, "field": f"custom:{wrong}"},
                               [{"type": "add_label", "label": "vip"}])
    made = await rules.create(owner, workspace, "Tier", {**trigger, "field": f"custom:{deal_field.id}"},
                              [{"type": "add_label", "label": "tiered"}])
    assert made.rule.trigger["field"] == f"custom:{deal_field.id}"


async def test_a_rule_that_calls_a_webhook_gets_a_sealed_secret_once_and_a_new_one_on_request(world):
    workspace, people = await team(world, member=Role.MEMBER)
    owner = people["owner"]
    call = [{"type": "call_webhook", "url": "https://hooks.example.com/tandem"}]
    with refused("actions"):
        await Automations(world.begin).create(owner, workspace, "No key", {"type": "schedule", "cron": "0 0 * * *"},
                                              call)
    rules = Automations(world.begin, Sealer())
    made = await rules.create(owner, workspace, "Ping", {"type": "schedule", "cron": "0 9 * * 1"}, call)
    assert made.secret and made.secret.startswith("whsec_")
    async with world.begin() as tx:
        stored = await tx.automation_rules.secret(made.rule.id)
    assert made.secret.encode() not in stored and Sealer().unseal(stored) == made.secret.encode()
    again = await rules.update(owner, workspace, made.rule.id, {"name": "Ping weekly"})
    assert again.secret is None and again.rule.name == "Ping weekly"
    renewed = await rules.new_secret(owner, workspace, made.rule.id)
    assert renewed != made.secret
    async with world.begin() as tx:
        assert Sealer().unseal(await tx.automation_rules.secret(made.rule.id)) == renewed.encode()


async def test_making_a_contact_queues_contact_created_only_when_an_enabled_rule_waits_for_it(world):
    workspace, people = await team(world, member=Role.MEMBER)
    owner, member = people["owner"], people["member"]
    contacts = Contacts(world.begin, Feed())
    jobs = world.db.table("jobs", list)
    await contacts.create(member, workspace, {"first_name": "Before"})
    assert [j for j in jobs if j.kind == RECORD] == []
    rules = Automations(world.begin)
    made = await rules.create(owner, workspace, "Greet", {"type": "organisation_created"},
                              [{**NOTIFY, "user": str(member.id)}])
    await contacts.create(member, workspace, {"first_name": "Still none"})  # the rule waits for organisations
    assert [j for j in jobs if j.kind == RECORD] == []
    await rules.update(owner, workspace, made.rule.id, {"trigger": {"type": "contact_created"}})
    ada = await contacts.create(member, workspace, {"first_name": "Ada", "job_title": "CEO"})
    [queued] = [j for j in jobs if j.kind == RECORD]
    assert queued.payload["kind"] == "contact" and queued.payload["workspace"] == str(workspace)
    assert queued.payload["data"]["id"] == str(ada.id) and queued.payload["data"]["job_title"] == "CEO"
    await rules.update(owner, workspace, made.rule.id, {"enabled": False})
    await contacts.create(member, workspace, {"first_name": "Disabled"})
    assert len([j for j in jobs if j.kind == RECORD]) == 1


class Resolver:
    """``Receivers.resolve`` as a fixed table; posts nothing."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.table.get(host, [])

    async def post(self, *args: object) -> None:
        raise AssertionError("saving a rule sends nothing")


async def test_a_call_webhook_address_on_a_private_network_is_refused_when_saved_unless_allowed(world):
    workspace, people = await team(world)
    owner = people["owner"]
    names = Resolver({"hooks.example.com": ["93.184.215.14"], "inside.example.com": ["10.0.0.7"]})
    trigger = {"type": "schedule", "cron": "0 9 * * 1"}
    strict = Automations(world.begin, Sealer(), names)
    outside = await strict.create(owner, workspace, "Out", trigger,
                                  [{"type": "call_webhook", "url": "https://hooks.example.com/in"}])
    names.table["127.0.0.1"] = ["127.0.0.1"]
    for url in ("https://inside.example.com/in", "http://127.0.0.1:8080/"):
        with refused("actions[1].url"):
            await strict.create(owner, workspace, "In", trigger,
                                [{**NOTIFY, "user": str(owner.id)}, {"type": "call_webhook", "url": url}])
    with refused("actions[0].url"):
        await strict.update(owner, workspace, outside.rule.id,
                            {"actions": [{"type": "call_webhook", "url": "https://inside.example.com/in"}]})
    later = await strict.create(owner, workspace, "Not yet", trigger,  # resolves nowhere yet: the runner decides
                                [{"type": "call_webhook", "url": "https://soon.example.com/in"}])
    assert later.rule.actions[0]["url"] == "https://soon.example.com/in"
    allowed = Automations(world.begin, Sealer(), names, allow_private=True)
    made = await allowed.create(owner, workspace, "In", trigger,
                                [{"type": "call_webhook", "url": "https://inside.example.com/in"}])
    assert made.rule.actions[0]["url"] == "https://inside.example.com/in"


async def test_a_round_robin_team_must_be_a_team_of_the_workspace(world):
    from server.storage.memory.forecast import MemoryTeams

    workspace, people = await team(world, member=Role.MEMBER)
    stranger = await world.sign_up("Stranger")
    elsewhere = (await world.workspaces.create(stranger, "Elsewhere")).id
    teams = MemoryTeams(world.db)
    sales = await teams.add(workspace, "Sales", [people["member"].id])
    foreign = await teams.add(elsewhere, "Sales", [stranger.id])
    owner = people["owner"]
    rules = Automations(world.begin)
    trigger = {"type": "deal_created", "board": await pipeline(world, workspace, owner)}
    task = {"type": "create_task", "title": "Call"}
    made = await rules.create(owner, workspace, "Sales calls", trigger,
                              [{**task, "assignee": {"round_robin_team": str(sales.id)}}])
    assert made.rule.actions[0]["assignee"] == {"round_robin_team": str(sales.id)}
    for wrong in (foreign.id, uuid4()):
        with refused("actions[0].assignee.round_robin_team"):
            await rules.create(owner, workspace, "Theirs", trigger, [{**task, "assignee": {"round_robin_team": str(wrong)}}])


async def test_a_schedule_without_a_zone_gets_its_authors_and_keeps_it_when_edited(world):
    from server.domain.notification_settings import NotificationPrefs

    workspace, people = await team(world, admin=Role.ADMIN)
    owner, admin = people["owner"], people["admin"]
    async with world.begin() as tx:
        await tx.notification_settings.put(owner.id, NotificationPrefs({}, time_zone="Europe/Berlin"))
    rules = Automations(world.begin)
    every_monday = {"type": "schedule", "cron": "0 9 * * 1"}
    made = (await rules.create(owner, workspace, "Weekly", every_monday, [{**NOTIFY, "user": str(owner.id)}])).rule
    assert made.trigger["time_zone"] == "Europe/Berlin"
    unset = (await rules.create(admin, workspace, "Weekly UTC", every_monday, [{**NOTIFY, "user": str(owner.id)}]))
    assert unset.rule.trigger["time_zone"] == "UTC"  # the admin chose no zone
    edited = await rules.update(admin, workspace, made.id, {"trigger": {**every_monday, "cron": "0 10 * * 1"}})
    assert edited.rule.trigger == {"type": "schedule", "cron": "0 10 * * 1", "time_zone": "Europe/Berlin"}
    zoned = await rules.update(admin, workspace, made.id, {"trigger": {**every_monday, "time_zone": "America/New_York"}})
    assert zoned.rule.trigger["time_zone"] == "America/New_York"


async def test_the_schedule_preview_answers_the_next_three_runs_in_utc(world):
    from datetime import datetime, timezone

    workspace, people = await team(world, member=Role.MEMBER)
    rules = Automations(world.begin)
    monday = datetime(2026, 3, 24, tzinfo=timezone.utc)
    runs = await rules.next_runs(people["member"], workspace, "0 9 * * 1", "Europe/Berlin", now=monday)
    assert [r.isoformat() for r in runs] == ["2026-03-30T07:00:00+00:00", "2026-04-06T07:00:00+00:00",
                                             "2026-04-13T07:00:00+00:00"]
    with refused("time_zone"):
        await rules.next_runs(people["member"], workspace, "0 9 * * 1", "Berlin")
    with refused("cron"):
        await rules.next_runs(people["member"], workspace, "0 25 * * *", "UTC")
