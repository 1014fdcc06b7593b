"""``server.services.notify`` over the memory twins: delivery as each user chose, followers of a
deal told of its changes (not its actor, nor anyone who lost the board), assignments, mentions
notified once, and the digest sent once per period."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

from server.domain.crm import CardEvent
from server.domain.notification_settings import NotificationPrefs
from server.domain.notifications import NewNotification
from server.domain.projection import ActivityRecord, DealRecord, StageRecord, Table
from server.services.mail import LoggingOutbox
from server.services.notify import (
    MAIL_ONE, activities_assigned, deals_changed, deliver, mail_one, note_mentioned, send_digests,
)
from server.storage.memory.unit import MemoryDatabase, memory_begin

AT = datetime(2026, 12, 6, 18, 2, tzinfo=timezone.utc)


def world() -> tuple:
    db = MemoryDatabase()
    workspace, board = uuid4(), uuid4()
    db.table("boards")[board] = SimpleNamespace(id=board, workspace_id=workspace, archived_at=None)
    return db, memory_begin(db), workspace, board


def member(db: MemoryDatabase, workspace: UUID) -> UUID:
    user = uuid4()
    db.table("memberships")[(workspace, user)] = "member"
    return user


def deal(owner: UUID | None, stage: UUID) -> DealRecord:
    return DealRecord(uuid4(), "Globex", None, None, owner, None, None, None, "open", None, [], {}, stage, "a0",
                      None, None, None, None)


def activity(assignee: UUID | None, created_by: UUID | None, title: str = "Call") -> ActivityRecord:
    return ActivityRecord(uuid4(), "call", title, assignee, None, None, False, None, None, None, None, None, created_by)


async def mine(begin, user: UUID) -> list:
    async with begin() as tx:
        return await tx.notifications.of_user(user)


async def test_delivery_follows_the_users_choice_for_the_kind():
    db, begin, workspace, _ = world()
    quiet, mailed, plain = uuid4(), uuid4(), uuid4()
    async with begin() as tx:
        await tx.notification_settings.put(quiet, NotificationPrefs({"mentioned": "off"}))
        await tx.notification_settings.put(mailed, NotificationPrefs({"mentioned": "email"}))
        sent = [await deliver(tx, NewNotification(uuid4(), u, workspace, "x", kind="mentioned"))
                for u in (quiet, mailed, plain)]
        jobs = await tx.jobs.waiting(MAIL_ONE)
    assert sent == [False, True, True]
    assert [await mine(begin, u) != [] for u in (quiet, mailed, plain)] == [False, True, True]
    assert len(jobs) == 1, "only the e-mail channel mails"


async def test_followers_hear_of_a_stage_change_and_a_win_but_not_the_one_who_did_it():
    db, begin, workspace, board = world()
    owner, fan, mover, gone = (member(db, workspace) for _ in range(4))
    lead, qualified, won = uuid4(), uuid4(), uuid4()
    the_deal = deal(owner, lead)
    async with begin() as tx:
        await tx.projection.upsert(Table.STAGES, board, workspace, [
            StageRecord(lead, "Lead in", "a0", 0, None, 0, "open"),
            StageRecord(qualified, "Qualified", "a1", 1, None, 0, "open"),
            StageRecord(won, "Won", "a2", 2, None, 0, "won")])
        for user in (fan, mover, gone):
            await tx.deal_follows.set(board, the_deal.id, user, True)
    del db.table("memberships")[(workspace, gone)]
    events = [CardEvent(the_deal.id, "moved", AT, mover, from_stage=lead, to_stage=qualified),
              CardEvent(the_deal.id, "moved", AT, mover, from_stage=qualified, to_stage=won),
              CardEvent(the_deal.id, "status", AT, mover, old_status="open", new_status="won"),
              CardEvent(the_deal.id, "value", AT, mover, old_value=1, new_value=2)]
    async with begin() as tx:
        assert await deals_changed(tx, workspace, board, events, {the_deal.id: the_deal}) == 4
    async with begin() as tx:  # projected again: nothing more
        assert await deals_changed(tx, workspace, board, events, {the_deal.id: the_deal}) == 0
    for user in (owner, fan):
        assert sorted(n.message for n in await mine(begin, user)) == ["Globex: moved to Qualified", "Globex: won"]
    assert await mine(begin, mover) == [] and await mine(begin, gone) == []


async def test_an_activity_given_to_someone_tells_them_once():
    db, begin, workspace, board = world()
    boss, rep = uuid4(), uuid4()
    given, own = activity(rep, boss, "Call Initech"), activity(rep, rep, "Mine")
    change = SimpleNamespace
    async with begin() as tx:
        sent = await activities_assigned(tx, workspace, board, [
            change(kind="activity", old=None, new=given), change(kind="activity", old=None, new=own),
            change(kind="deal", old=None, new=None)])
        again = await activities_assigned(tx, workspace, board, [change(kind="activity", old=given,
                                                                        new=given._replace(title="Renamed"))])
    assert (sent, again) == (1, 0)
    assert [n.message for n in await mine(begin, rep)] == ["Call Initech"]


async def test_a_note_notifies_each_mentioned_member_once_and_never_someone_without_the_board():
    db, begin, workspace, board = world()
    mia, stranger = member(db, workspace), uuid4()
    document = f"note:{uuid4()}"
    async with begin() as tx:
        assert await note_mentioned(tx, document, workspace, board, "Call notes", {mia, stranger}) == 1
    db.table("memberships")[(workspace, stranger)] = "member"  # given access later: the old mention stays quiet
    async with begin() as tx:
        assert await note_mentioned(tx, document, workspace, board, "Call notes", {mia, stranger}) == 0
    assert [n.message for n in await mine(begin, mia)] == ["“Call notes”"]
    assert await mine(begin, stranger) == []


async def test_a_digest_is_posted_once_per_period_with_the_unread_since_the_last():
    db, begin, workspace, _ = world()
    async with begin() as tx:
        account = await tx.users.add("mia@example.test", "Mia", "x")
        user = account.id
        await tx.notification_settings.put(user, NotificationPrefs({}, "hourly", 8, "Europe/Berlin"))
        await tx.notifications.add(NewNotification(uuid4(), user, workspace, "“Call notes”", kind="mentioned"))
    outbox = LoggingOutbox()
    for _ in range(2):
        async with begin() as tx:
            await send_digests(tx, outbox, AT)
    [mail] = outbox.sent
    assert (mail.to, mail.subject) == ("mia@example.test", "Tandem: 1 unread notification")
    line = r"- Mentioned you in: “Call notes” — [A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \(Europe/Berlin\)\n"
    assert re.search(line, mail.body), mail.body


async def test_a_german_users_mails_are_german_and_link_to_the_deal():
    db, begin, workspace, board = world()
    card = uuid4()
    async with begin() as tx:
        account = await tx.users.add("jan@example.test", "Jan", "x")
        await tx.users.set_locale(account.id, "de")
        await tx.notification_settings.put(account.id, NotificationPrefs({}, "hourly", 8, "Europe/Berlin"))
        new = NewNotification(uuid4(), account.id, workspace, "Globex: won", board, card, kind="deal_changed")
        await tx.notifications.add(new)
    outbox = LoggingOutbox(public_url="https://crm.example.com/")
    async with begin() as tx:
        await mail_one(tx, outbox, new.id)  # a LoggingOutbox keeps it (and answers False: nothing leaves)
        await send_digests(tx, outbox, AT)
    one, digest = outbox.sent
    deal_link = f"https://crm.example.com/w/{workspace}/boards/{board}/deals/{card}"
    assert one.subject == "Tandem: Gefolgter Deal: Globex: gewonnen"
    assert f"In Tandem öffnen: {deal_link}\n" in one.body and f'<a href="{deal_link}">In Tandem öffnen</a>' in one.html
    assert digest.subject == "Tandem: 1 ungelesene Benachrichtigung" and digest.body.startswith("Hallo Jan,")
    assert f"- Gefolgter Deal: Globex: gewonnen — " in digest.body and f"\n  {deal_link}\n" in digest.body
    assert "Tandem öffnen: https://crm.example.com/\n" in digest.body
