"""The ``Sequences`` and ``Enrolments`` contracts (issue 17 item 6) over memory and Postgres: a
sequence's steps and window read back, a contact runs in a sequence once at a time, what stops a
running enrolment (its thread, its address — only if enrolled before the message — or its contact),
the hourly cap per mailbox, and unsubscribed addresses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import msgspec
import pytest

from server.domain.sequences import NewEnrolment, Reason, SequenceDraft, State, Step, Window
from server.storage.contacts import PostgresContacts
from server.storage.mailboxes import PostgresMailboxes
from server.storage.memory.contacts import MemoryContacts
from server.storage.memory.mailboxes import MemoryMailboxes
from server.storage.memory.sequences import MemoryEnrolments, MemorySequences
from server.storage.sequences import PostgresEnrolments, PostgresSequences
from tests.contract.test_contacts import person
from tests.contract.test_mailboxes import new_mailbox
from tests.support.units import backend

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url,
                       lambda c: SimpleNamespace(s=PostgresSequences(c), e=PostgresEnrolments(c),
                                                 mailboxes=PostgresMailboxes(c), contacts=PostgresContacts(c)),
                       lambda db: SimpleNamespace(s=MemorySequences(db), e=MemoryEnrolments(db),
                                                  mailboxes=MemoryMailboxes(db), contacts=MemoryContacts(db))
                       ) as (begin, world):
        yield begin, world


def draft(name: str = "Onboarding", steps: int = 2) -> SequenceDraft:
    return SequenceDraft(name, tuple(Step(uuid.uuid4(), n, 2) for n in range(steps)),
                         Window(8, 18, (0, 1, 2, 3, 4), "Europe/Berlin"))


async def setting(begin, world) -> SimpleNamespace:
    workspace, user = await world.workspace(), await world.user()
    async with begin() as tx:
        sequence = await tx.s.add(workspace, draft(), user)
        ann = await tx.contacts.insert(workspace, person("Ann", "A", emails=["ann@client.test"]), None)
        bo = await tx.contacts.insert(workspace, person("Bo", "B", emails=["bo@client.test"]), None)
        box = await tx.mailboxes.connect(new_mailbox(workspace, user))
    return SimpleNamespace(workspace=workspace, user=user, sequence=sequence, ann=ann, bo=bo, box=box.id)


def enrolment(s: SimpleNamespace, contact, address: str) -> NewEnrolment:
    return NewEnrolment(s.sequence.id, s.workspace, contact, s.user, address, T0)


async def test_a_sequence_reads_back_with_its_steps_and_window_one_name_per_workspace(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        made = await tx.s.add(workspace, draft(), None)
        assert await tx.s.add(workspace, draft(), None) is None
        second = await tx.s.add(workspace, draft("Alpha", 3), None)
    async with begin() as tx:
        got = await tx.s.get(workspace, made.id)
        assert (got.name, got.steps, got.window) == ("Onboarding", made.steps, made.window)
        assert got.window == Window(8, 18, (0, 1, 2, 3, 4), "Europe/Berlin")
        assert [s.id for s in await tx.s.all(workspace)] == [second.id, made.id]
        assert await tx.s.get(other, made.id) is None
        assert await tx.s.update(workspace, second.id, draft()) is None  # the name is taken
        changed = await tx.s.update(workspace, second.id, draft("Beta", 1))
        assert (changed.name, len(changed.steps)) == ("Beta", 1)
        assert await tx.s.remove(workspace, made.id) and not await tx.s.remove(workspace, made.id)


async def test_a_contact_runs_in_a_sequence_once_at_a_time_and_its_state_is_saved(store):
    begin, world = store
    s = await setting(begin, world)
    async with begin() as tx:
        first = await tx.e.enrol(enrolment(s, s.ann, "ann@client.test"))
        assert await tx.e.enrol(enrolment(s, s.ann, "ann@client.test")) is None
        assert first.state is State.ACTIVE and (first.step, first.thread, first.reason) == (0, (), None)
        await tx.e.save(msgspec.structs.replace(first, state=State.PAUSED, reason=Reason.MISSING_FIELDS,
                                                detail="contact.last_name", step=1, thread=("m1@x",),
                                                first_subject="Hello"))
    async with begin() as tx:
        got = await tx.e.get(first.id, lock=True)
        assert (got.state, got.reason, got.detail, got.step, got.thread, got.first_subject) == (
            State.PAUSED, Reason.MISSING_FIELDS, "contact.last_name", 1, ("m1@x",), "Hello")
        assert await tx.e.enrol(enrolment(s, s.ann, "ann@client.test")) is None  # paused still runs
        assert await tx.e.any_running(s.workspace) and not await tx.e.any_running(await world.workspace())
        await tx.e.save(msgspec.structs.replace(got, state=State.FINISHED))
        assert not await tx.e.any_running(s.workspace)
        again = await tx.e.enrol(enrolment(s, s.ann, "ann@client.test"))
        assert again is not None
        assert {e.id for e in await tx.e.listed(s.workspace, contact=s.ann)} == {again.id, first.id}
        assert await tx.e.listed(s.workspace, contact=s.bo) == []
        assert len(await tx.e.listed(s.workspace, sequence=s.sequence.id)) == 2


async def test_running_enrolments_stop_by_thread_by_address_enrolled_before_or_by_contact(store):
    begin, world = store
    s = await setting(begin, world)
    async with begin() as tx:
        ann = await tx.e.enrol(enrolment(s, s.ann, "Ann@Client.test"))
        bo = await tx.e.enrol(enrolment(s, s.bo, "bo@client.test"))
        await tx.e.save(msgspec.structs.replace(bo, thread=("step1@me",)))
    async with begin() as tx:
        long_ago = ann.created_at - timedelta(days=1)  # a message older than the enrolment stops nothing
        assert await tx.e.stop_running(s.workspace, Reason.REPLIED, addresses=["ann@client.test"],
                                       enrolled_before=long_ago) == []
        assert await tx.e.stop_running(s.workspace, Reason.REPLIED, thread=["step1@me"]) == [bo.id]
        assert await tx.e.stop_running(s.workspace, Reason.REPLIED, thread=["step1@me"]) == []  # stopped already
        assert await tx.e.stop_running(await world.workspace(), Reason.BOUNCED, addresses=["ann@client.test"]) == []
        assert await tx.e.stop_running(s.workspace, Reason.BOUNCED, addresses=["ANN@client.test"]) == [ann.id]
    async with begin() as tx:
        assert ((await tx.e.get(ann.id)).state, (await tx.e.get(ann.id)).reason) == (State.STOPPED, Reason.BOUNCED)
        assert (await tx.e.get(bo.id)).reason is Reason.REPLIED
        again = await tx.e.enrol(enrolment(s, s.ann, "ann@client.test"))
        assert await tx.e.stop_running(s.workspace, Reason.MEETING_BOOKED, contact=s.ann) == [again.id]
        await tx.e.forget_contacts([s.ann])  # an erasure
    async with begin() as tx:
        assert await tx.e.listed(s.workspace, contact=s.ann) == [] and await tx.e.get(ann.id) is None
        assert [e.id for e in await tx.e.listed(s.workspace, contact=s.bo)] == [bo.id]


async def test_a_mailbox_sends_at_most_its_cap_per_hour_and_learns_when_the_next_slot_frees(store):
    begin, world = store
    s = await setting(begin, world)
    async with begin() as tx:
        assert await tx.e.take_send(s.box, 2, T0) is None
        assert await tx.e.take_send(s.box, 2, T0 + timedelta(minutes=10)) is None
        assert await tx.e.take_send(s.box, 2, T0 + timedelta(minutes=20)) == T0 + timedelta(hours=1)
        assert await tx.e.take_send(s.box, 2, T0 + timedelta(minutes=61)) is None  # the first send left the hour
        assert await tx.e.take_send(s.box, 2, T0 + timedelta(minutes=62)) == T0 + timedelta(minutes=70)


async def test_a_mailbox_keeps_its_own_cap_until_it_is_dropped(store):
    begin, world = store
    s = await setting(begin, world)
    async with begin() as tx:
        assert await tx.e.cap(s.box) is None
        await tx.e.set_cap(s.box, 5)
        await tx.e.set_cap(s.box, 7)
    async with begin() as tx:
        assert await tx.e.cap(s.box) == 7
        await tx.e.set_cap(s.box, None)
        assert await tx.e.cap(s.box) is None


async def test_an_unsubscribed_address_is_remembered_per_workspace_in_any_case(store):
    begin, world = store
    s = await setting(begin, world)
    async with begin() as tx:
        await tx.e.unsubscribe(s.workspace, "Ann@Client.test")
        await tx.e.unsubscribe(s.workspace, "ann@client.test")
    async with begin() as tx:
        assert await tx.e.unsubscribed(s.workspace, ["ANN@client.test", "bo@client.test"]) == {"ann@client.test"}
        assert await tx.e.unsubscribed(await world.workspace(), ["ann@client.test"]) == set()
