"""The ``EmailTriggers`` contract over memory and Postgres: what a mail event is about (its live
contacts in the order the mail names them, its deals, the rule that sent it), which stored mail of
a workspace was sent, and one mail per run and action of a rule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import asyncpg
import msgspec
import pytest

from server.domain.automations import check_rule
from server.domain.mailboxes import Direction, Filing
from server.services.ports.email_automations import SentByRule
from server.storage.automations import PostgresAutomationRules, PostgresAutomationRuns
from server.storage.contacts import PostgresContacts
from server.storage.email_automations import PostgresEmailTriggers
from server.storage.mailboxes import PostgresEmailMessages
from server.storage.memory.automations import MemoryAutomationRules, MemoryAutomationRuns
from server.storage.memory.contacts import MemoryContacts
from server.storage.memory.email_automations import MemoryEmailTriggers
from server.storage.memory.mailboxes import MemoryEmailMessages
from server.storage.memory.unit import MemoryDatabase
from tests.contract.test_contacts import person
from tests.contract.test_mailboxes import email, incoming
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(triggers=PostgresEmailTriggers(conn), emails=PostgresEmailMessages(conn),
                           contacts=PostgresContacts(conn), rules=PostgresAutomationRules(conn),
                           runs=PostgresAutomationRuns(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(triggers=MemoryEmailTriggers(db), emails=MemoryEmailMessages(db),
                           contacts=MemoryContacts(db), rules=MemoryAutomationRules(db), runs=MemoryAutomationRuns(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


def sent(message) -> object:
    return msgspec.structs.replace(message, direction=Direction.OUT)


async def test_facts_name_the_live_contacts_in_the_mails_order_and_who_sent_it(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        bo = await tx.contacts.insert(workspace, person("Bo", "B", emails=["bo@client.test"]), None)
        ann = await tx.contacts.insert(workspace, person("Ann", "A", emails=["ann@client.test"]), None)
        mail = msgspec.structs.replace(email("m1@x.test", sender="ann@client.test"), to=["bo@client.test"])
        stored = await tx.emails.file(incoming(workspace, None, owner, mail), Filing(contacts=[bo, ann]))
        rule = await tx.rules.add(workspace, check_rule("r", {"type": "email_opened"},
                                                        [{"type": "notify", "user": str(owner), "message": "m"}]), None)
        run = await tx.runs.start(rule.id, "opened:x:email_opened", {}, {}, 0)
    async with begin() as tx:
        facts = await tx.triggers.facts(stored)
        assert (facts.workspace_id, facts.direction, facts.from_address, facts.contacts, facts.deals, facts.sent_by) == (
            workspace, "in", "ann@client.test", [ann, bo], [], None)  # From names Ann first
        assert await tx.triggers.mark_sent(stored, SentByRule(rule.id, run.id, 2), 0)
        assert not await tx.triggers.mark_sent(stored, SentByRule(rule.id, run.id, 2), 1)  # the mail is taken
        assert await tx.triggers.facts(uuid4()) is None
    async with begin() as tx:
        assert (await tx.triggers.facts(stored)).sent_by == SentByRule(rule.id, run.id, 2)


async def test_one_mail_per_run_and_action_and_only_sent_mail_is_among_the_sent(store):
    begin, world = store
    workspace, other, owner = await world.workspace(), await world.workspace(), await world.user()
    async with begin() as tx:
        received = await tx.emails.file(incoming(workspace, None, owner, email("in@x.test")), Filing())
        first = await tx.emails.file(sent(incoming(workspace, None, owner, email("out1@x.test"))), Filing())
        second = await tx.emails.file(sent(incoming(workspace, None, owner, email("out2@x.test"))), Filing())
        await tx.emails.file(sent(incoming(other, None, owner, email("out1@x.test"))), Filing())
        rule = await tx.rules.add(workspace, check_rule("r", {"type": "email_opened"},
                                                        [{"type": "notify", "user": str(owner), "message": "m"}]), None)
        run = await tx.runs.start(rule.id, "e:email_opened", {}, {}, 0)
    async with begin() as tx:
        assert await tx.triggers.sent_among(workspace, ["in@x.test", "out1@x.test", "nope@x.test"]) == [first]
        assert await tx.triggers.sent_among(workspace, []) == []
        assert received is not None
        assert await tx.triggers.mark_sent(first, SentByRule(rule.id, run.id, 1), 0)
        assert not await tx.triggers.mark_sent(second, SentByRule(rule.id, run.id, 1), 0)  # that action sent one
        assert await tx.triggers.mark_sent(second, SentByRule(rule.id, run.id, 1), 1)
