"""Service requests over the memory twins: status moves stamp the first response and the solve, due-by
follows the workspace's response target for the priority, bad input is refused naming the field, a
closed request stays closed, assignment notifies the assignee, and only the workspace's people see
requests; mail to a support mailbox becomes a request, and an answer joins it by its thread."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from server.domain.access import Forbidden, NotFound
from server.domain.accounts import Conflict
from server.domain.mailboxes import Email
from server.domain.service_requests import InvalidRequest, RequestFilter, RequestStatus, ServiceSettings
from server.services import service_mail
from server.services.service_requests import ServiceRequestsService
from tests.unit.services.test_contacts import Crm

T0 = datetime(2031, 5, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def desk():
    world = await Crm().start()
    clock = Clock()
    return world, ServiceRequestsService(world.begin, clock=clock), clock


async def test_replying_and_solving_stamp_the_first_response_and_the_solve_and_reopening_clears_it(desk):
    w, service, clock = desk
    made = (await service.create(w.member, w.workspace, {"subject": "Printer on fire", "body": "help"})).request
    assert made.status is RequestStatus.NEW and made.first_response_at is None
    clock.now = T0 + timedelta(minutes=5)
    opened = (await service.update(w.member, made.id, {"status": "open"})).request
    assert opened.first_response_at is None  # taking it up is no answer
    clock.now = T0 + timedelta(minutes=20)
    replied = await service.add_message(w.member, made.id, "reply", "Unplug it.", status="waiting")
    assert replied.request.status is RequestStatus.WAITING
    assert replied.request.first_response_at == T0 + timedelta(minutes=20)
    assert [m.kind.value for m in replied.messages] == ["inbound", "reply"]
    clock.now = T0 + timedelta(hours=2)
    solved = (await service.update(w.member, made.id, {"status": "solved"})).request
    assert solved.solved_at == T0 + timedelta(hours=2) and solved.first_response_at == T0 + timedelta(minutes=20)
    reopened = (await service.update(w.member, made.id, {"status": "open"})).request
    assert reopened.solved_at is None
    closed = (await service.update(w.member, made.id, {"status": "closed"})).request
    assert closed.solved_at == T0 + timedelta(hours=2)
    with pytest.raises(Conflict, match="closed"):
        await service.update(w.member, made.id, {"status": "open"})
    with pytest.raises(Conflict, match="closed"):
        await service.add_message(w.member, made.id, "reply", "hello?")


async def test_solving_without_a_reply_counts_as_the_first_response(desk):
    w, service, clock = desk
    made = (await service.create(w.member, w.workspace, {"subject": "Password reset"})).request
    clock.now = T0 + timedelta(minutes=7)
    solved = (await service.update(w.member, made.id, {"status": "solved"})).request
    assert solved.first_response_at == solved.solved_at == T0 + timedelta(minutes=7)


async def test_due_by_follows_the_workspaces_target_for_the_priority_and_overdue_filters(desk):
    w, service, clock = desk
    await service.put_settings(w.admin, w.workspace, {"targets": {"urgent": 2, "normal": 8}})
    urgent = (await service.create(w.member, w.workspace, {"subject": "Down", "priority": "urgent"})).request
    normal = (await service.create(w.member, w.workspace, {"subject": "Question"})).request
    assert urgent.due_at == T0 + timedelta(hours=2) and normal.due_at == T0 + timedelta(hours=8)
    raised = (await service.update(w.member, normal.id, {"priority": "high"})).request
    assert raised.due_at == T0 + timedelta(hours=4)  # the default for high, from when it was made
    late = T0 + timedelta(hours=3)
    assert [r.id for r in (await service.queue(w.member, w.workspace, RequestFilter(overdue_at=late))).requests] == [
        urgent.id]
    queue = await service.queue(w.member, w.workspace, RequestFilter())
    assert [r.id for r in queue.requests] == [urgent.id, normal.id] and queue.counts == {"new": 2}


async def test_bad_input_is_refused_naming_the_field(desk):
    w, service, _ = desk
    cases = [({"subject": "  "}, "subject"), ({"subject": "x", "priority": "asap"}, "priority"),
             ({"subject": "x", "channel": "fax"}, "channel"), ({"subject": "x", "contact": str(uuid4())}, "contact"),
             ({"subject": "x", "assignee": str(w.stranger.id)}, "assignee"),
             ({"subject": "x", "deal": str(uuid4())}, "deal")]
    for raw, field in cases:
        with pytest.raises(InvalidRequest) as caught:
            await service.create(w.member, w.workspace, raw)
        assert caught.value.field == field, raw
    made = (await service.create(w.member, w.workspace, {"subject": "x"})).request
    with pytest.raises(InvalidRequest, match="status"):
        await service.update(w.member, made.id, {"status": "done"})
    with pytest.raises(InvalidRequest, match="kind"):
        await service.add_message(w.member, made.id, "inbound", "pretending to be the customer")
    with pytest.raises(InvalidRequest, match="targets.low"):
        await service.put_settings(w.admin, w.workspace, {"targets": {"low": 0}})
    with pytest.raises(InvalidRequest, match="support_mailboxes"):
        await service.put_settings(w.admin, w.workspace, {"support_mailboxes": [str(uuid4())]})


async def test_the_customer_and_their_organisation_come_with_the_contact(desk):
    w, service, _ = desk
    acme = await w.organisations.create(w.member, w.workspace, {"name": "Acme"})
    ann = await w.contacts.create(w.member, w.workspace, {"first_name": "Ann", "organisation_id": acme.id})
    made = await service.create(w.member, w.workspace, {"subject": "Invoice", "contact": str(ann.id)})
    assert (made.request.contact_id, made.request.organisation_id) == (ann.id, acme.id)
    assert made.names == {ann.id: "Ann"}
    mine = await service.queue(w.member, w.workspace, RequestFilter(organisation=acme.id, everything=True))
    assert [r.id for r in mine.requests] == [made.request.id]


async def test_assigning_notifies_the_assignee_but_not_who_took_it_themselves(desk):
    w, service, _ = desk
    made = (await service.create(w.member, w.workspace, {"subject": "Refund"})).request
    await service.update(w.member, made.id, {"assignee": str(w.colleague.id)})
    await service.update(w.member, made.id, {"assignee": str(w.member.id)})
    async with w.begin() as unit:
        told = await unit.notifications.of_user(w.colleague.id, 10)
        mine = await unit.notifications.of_user(w.member.id, 10)
    assert [n.message for n in told] == ["Request assigned to you: Refund"] and mine == []


async def test_viewers_read_strangers_and_guests_see_nothing_and_only_admins_change_settings(desk):
    w, service, _ = desk
    made = (await service.create(w.member, w.workspace, {"subject": "Private"})).request
    assert (await service.get(w.viewer, made.id)).request.id == made.id
    with pytest.raises(Forbidden):
        await service.update(w.viewer, made.id, {"status": "open"})
    for outsider in (w.stranger,):
        with pytest.raises(NotFound, match="no such request"):
            await service.get(outsider, made.id)
        with pytest.raises(NotFound):
            await service.queue(outsider, w.workspace, RequestFilter())
    with pytest.raises(Forbidden):
        await service.put_settings(w.member, w.workspace, {"targets": {"low": 5}})


def mail(message_id: str, *, sender: str = "bob@globex.test", replying_to: str | None = None) -> Email:
    return Email(message_id, message_id, replying_to, [replying_to] if replying_to else [], sender, "Bob Stone",
                 ["help@acme.test"], [], "Broken widget", T0, "It broke", "It broke.\n", "")


async def test_support_mail_becomes_a_request_its_sender_a_contact_and_an_answer_joins_it(desk):
    w, service, clock = desk
    mailbox = type("Mailbox", (), {"id": uuid4(), "workspace_id": w.workspace, "owner_id": w.member.id,
                                   "address": "help@acme.test"})()
    async with w.begin() as unit:
        await unit.service_settings.put(w.workspace, ServiceSettings(ServiceSettings.default().targets, [mailbox.id]))
        first = await service_mail.take(unit, mailbox, mail("a1@globex.test"), clock())
        again = await service_mail.take(unit, mailbox, mail("a1@globex.test"), clock())
    assert first is not None and again is None
    clock.now = T0 + timedelta(minutes=1)
    await service.add_message(w.member, first, "reply", "On it", status="waiting")
    clock.now = T0 + timedelta(minutes=2)
    async with w.begin() as unit:
        joined = await service_mail.take(unit, mailbox, mail("a2@globex.test", replying_to="a1@globex.test"),
                                          clock())
    found = await service.get(w.member, first)
    assert joined == first and found.request.status is RequestStatus.OPEN
    assert [m.kind.value for m in found.messages] == ["inbound", "reply", "inbound"]
    assert found.names[found.request.contact_id] == "Bob Stone"
    await service.update(w.member, first, {"status": "closed"})
    async with w.begin() as unit:
        fresh = await service_mail.take(unit, mailbox, mail("a3@globex.test", replying_to="a2@globex.test"),
                                         clock())
    assert fresh not in (None, first)  # mail on a closed request starts a new one, for the same contact
    assert (await service.get(w.member, fresh)).request.contact_id == found.request.contact_id


async def test_sending_a_reply_needs_a_way_out_and_an_address(desk):
    w, service, _ = desk
    made = (await service.create(w.member, w.workspace, {"subject": "No customer"})).request
    with pytest.raises(Conflict, match="send"):
        await service.add_message(w.member, made.id, "reply", "hello", send=True)  # no EmailSending
    mailing = ServiceRequestsService(w.begin, sending=object())  # type: ignore[arg-type]  # never reached
    with pytest.raises(InvalidRequest) as caught:
        await mailing.add_message(w.member, made.id, "reply", "hello", send=True)
    assert caught.value.field == "send"
    assert (await service.get(w.member, made.id)).messages == []  # nothing recorded when nothing was sent
