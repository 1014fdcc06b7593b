"""The contract of ``ServiceRequests``, ``RequestMessages`` and ``ServiceSettingsStore`` (docs/service.md)
over memory and Postgres: a request reads back as stored, queues filter, sort by due and count alike,
conversations keep their order and a Message-ID once, a record's timeline reads its requests, and settings
default until set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.domain.service_requests import (
    Channel, MessageKind, Priority, RequestFilter, RequestMessage, RequestStatus, ServiceRequest, ServiceSettings,
)
from server.storage.memory.service_requests import MemoryRequestMessages, MemoryServiceRequests, MemoryServiceSettings
from server.storage.service_requests import PostgresRequestMessages, PostgresServiceRequests, PostgresServiceSettings
from tests.contract import test_contacts
from tests.contract.test_contacts import company, person
from tests.support.units import backend

T0 = datetime(2031, 5, 1, 9, 0, tzinfo=timezone.utc)


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_contacts.adapters(conn)), requests=PostgresServiceRequests(conn),
                           messages=PostgresRequestMessages(conn), settings=PostgresServiceSettings(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_contacts.twins(db)), requests=MemoryServiceRequests(db),
                           messages=MemoryRequestMessages(db), settings=MemoryServiceSettings(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


def request(workspace: UUID, subject: str, *, due_hours: int = 24, assignee: UUID | None = None,
            priority: Priority = Priority.NORMAL, status: RequestStatus = RequestStatus.NEW) -> ServiceRequest:
    return ServiceRequest(uuid4(), workspace, subject, None, None, Channel.EMAIL, status, priority, assignee,
                          T0, T0 + timedelta(hours=due_hours), T0)


def message(req: ServiceRequest, body: str, *, minutes: int, kind: MessageKind = MessageKind.INBOUND,
            message_id: str | None = None) -> RequestMessage:
    return RequestMessage(uuid4(), req.id, req.workspace_id, kind, None, "ann@acme.test", body,
                          T0 + timedelta(minutes=minutes), message_id)


async def test_a_request_reads_back_as_stored_and_changes_by_put(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    assignee = await world.user()
    made = request(workspace, "Printer on fire", assignee=assignee)
    async with begin() as unit:
        await unit.requests.add(made)
    async with begin() as unit:
        assert await unit.requests.get(made.id, lock=True) == made
        assert await unit.requests.get(uuid4()) is None
        assert await unit.requests.list(other, RequestFilter(), 50, 0) == []
        changed = made._replace(status=RequestStatus.SOLVED, priority=Priority.URGENT, subject="Printer fixed",
                                first_response_at=T0 + timedelta(hours=1), solved_at=T0 + timedelta(hours=2),
                                updated_at=T0 + timedelta(hours=2), assignee_id=None)
        await unit.requests.put(changed)
    async with begin() as unit:
        assert await unit.requests.get(made.id) == changed


async def test_queues_filter_sort_by_due_and_count_alike(store):
    begin, world = store
    workspace = await world.workspace()
    alice = await world.user()
    late = request(workspace, "late", due_hours=1, assignee=alice, priority=Priority.URGENT)
    soon = request(workspace, "soon", due_hours=4)
    answered = request(workspace, "answered", due_hours=2, status=RequestStatus.WAITING)._replace(
        first_response_at=T0 + timedelta(minutes=30))
    done = request(workspace, "done", due_hours=3, status=RequestStatus.SOLVED)
    async with begin() as unit:
        for one in (soon, done, answered, late):
            await unit.requests.add(one)
    at = T0 + timedelta(hours=3)
    async with begin() as unit:
        listed = unit.requests.list
        assert [r.subject for r in await listed(workspace, RequestFilter(), 50, 0)] == ["late", "answered", "soon"]
        assert [r.subject for r in await listed(workspace, RequestFilter(everything=True), 50, 0)] == [
            "late", "answered", "done", "soon"]
        assert [r.subject for r in await listed(workspace, RequestFilter(status=RequestStatus.SOLVED), 50, 0)] == [
            "done"]
        assert [r.id for r in await listed(workspace, RequestFilter(assignee=alice), 50, 0)] == [late.id]
        assert [r.id for r in await listed(workspace, RequestFilter(unassigned=True), 1, 1)] == [soon.id]
        assert [r.id for r in await listed(workspace, RequestFilter(priority=Priority.URGENT), 50, 0)] == [late.id]
        assert [r.id for r in await listed(workspace, RequestFilter(overdue_at=at), 50, 0)] == [late.id]
        assert await unit.requests.counts(workspace, RequestFilter()) == {"new": 2, "waiting": 1, "solved": 1}
        assert await unit.requests.counts(workspace, RequestFilter(unassigned=True)) == {
            "new": 1, "waiting": 1, "solved": 1}
        assert await unit.requests.counts(workspace, RequestFilter(overdue_at=at)) == {"new": 1}


async def test_a_conversation_keeps_its_order_and_each_message_id_once_per_workspace(store):
    begin, world = store
    workspace = await world.workspace()
    first, second = request(workspace, "one"), request(workspace, "two")
    async with begin() as unit:
        await unit.requests.add(first)
        await unit.requests.add(second)
        assert await unit.messages.add(message(first, "hello", minutes=1, message_id="<a@acme.test>"))
        assert await unit.messages.add(message(first, "internal", minutes=2, kind=MessageKind.NOTE))
        assert await unit.messages.add(message(first, "answer", minutes=3, kind=MessageKind.REPLY,
                                               message_id="<b@tandem.test>"))
        assert not await unit.messages.add(message(second, "again", minutes=4, message_id="<a@acme.test>"))
    async with begin() as unit:
        assert [m.body for m in await unit.messages.of_request(first.id)] == ["hello", "internal", "answer"]
        assert await unit.messages.of_request(second.id) == []
        assert await unit.messages.request_of(workspace, ["<x@y>", "<b@tandem.test>"]) == first.id
        assert await unit.messages.request_of(workspace, ["<x@y>"]) is None
        assert await unit.messages.request_of(await world.workspace(), ["<a@acme.test>"]) is None


async def test_settings_are_the_defaults_until_set_and_name_their_support_mailboxes(store):
    begin, world = store
    workspace = await world.workspace()
    mailbox = uuid4()
    async with begin() as unit:
        assert await unit.settings.get(workspace) == ServiceSettings.default()
        assert await unit.settings.support_workspace(mailbox) is None
        await unit.settings.put(workspace, ServiceSettings({**ServiceSettings.default().targets, Priority.LOW: 96},
                                                           [mailbox]))
    async with begin() as unit:
        got = await unit.settings.get(workspace)
        assert got.targets[Priority.LOW] == 96 and got.targets[Priority.URGENT] == 1
        assert got.support_mailboxes == [mailbox]
        assert await unit.settings.support_workspace(mailbox) == workspace


async def test_a_records_timeline_reads_its_peoples_and_its_own_requests_newest_first(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as unit:
        organisation = await unit.organisations.insert(workspace, company("Acme"), None)
        ann = await unit.contacts.insert(workspace, person("Ann", "Lee"), None)
        bob = await unit.contacts.insert(workspace, person("Bob", "Stone", organisation=organisation), None)
    older = request(workspace, "older")._replace(contact_id=ann)
    newer = request(workspace, "newer")._replace(contact_id=bob, organisation_id=organisation,
                                                 created_at=T0 + timedelta(hours=1))
    nobodys = request(workspace, "nobody's")
    async with begin() as unit:
        for one in (older, newer, nobodys):
            await unit.requests.add(one)
    async with begin() as unit:
        assert [r.subject for r in await unit.requests.on_records(workspace, [ann, bob], None, 10)] == [
            "newer", "older"]
        assert [r.subject for r in await unit.requests.on_records(workspace, [], organisation, 10)] == ["newer"]
        assert [r.subject for r in await unit.requests.on_records(workspace, [ann, bob], None, 1)] == ["newer"]
        assert await unit.requests.on_records(await world.workspace(), [ann], None, 10) == []
