"""Notifications from what happens (issue 18 item 3), delivered as each user chose.

``deliver`` is the one door: it reads the user's setting for the kind — ``off`` writes nothing,
``in_app`` writes the bell's notification, ``email`` writes it and queues a
``notifications.email`` job that mails it at once. What calls it, all in the projection's
transaction (``server.services.projection``), live changes only:

- ``note_mentioned``: a note's @mentions not seen before (``NoteMentions``: the users it has ever
  mentioned) notify each mentioned user who reaches the note's board, once — a guest the board is
  not shared with, or a removed member, gets nothing, then or later;
- ``deals_changed``: a deal's stage change, won or lost notifies its followers (those who chose to
  follow, and its owner unless they chose not to) who reach the board, never the one who made it;
- ``activities_assigned``: an activity given to someone notifies them (not when they made it
  for themselves).

Each notification's id is a function of what it is about, so a projection run again adds nothing.
The ``notifications.digest`` job (every hour) mails each user with a digest their unread
notifications since the last one, once per period (``mark_digested`` is the compare-and-set).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from server.domain.crm import CardEvent, now_utc
from server.domain.notification_settings import EMAIL, OFF, channel, digest_period, followers
from server.domain.notifications import NewNotification, Notification
from server.domain.projection import ActivityRecord, DealRecord, Table
from server.domain.system_mail import Count, Item, Moment, locale_of, notification_line, render, spoken
from server.services.jobs import JobKinds
from server.services.mail import Mail, Outbox
from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)

MAIL_ONE = "notifications.email"
DIGEST = "notifications.digest"
DIGEST_CRON = "2 * * * *"  # hourly: the hourly digests, and each daily one in the hour its user chose
IDS = UUID("6f1d2b8e-9a57-4c1e-8b0a-18e1c0de7a11")  # the namespace of the ids derived below


async def deliver(tx: Unit, new: NewNotification) -> bool:
    """Write ``new`` where its user wants it; True if it was added (not off, not there already)."""
    where = channel(await tx.notification_settings.get(new.user_id), new.kind)
    if where == OFF or not await tx.notifications.add(new):
        return False
    if where == EMAIL:
        await tx.jobs.enqueue(MAIL_ONE, {"notification": str(new.id)}, dedupe_key=f"notification-mail:{new.id}")
    return True


async def note_mentioned(tx: Unit, document: str, workspace: UUID, board: UUID, title: str,
                         mentioned: set[UUID], author: UUID | None = None) -> int:
    """Notify the users the note mentions for the first time; how many were notified. ``author``:
    who wrote the change that brought them (the projection's last editor of the note, if known) —
    named in the notification (``actor``), and never told of their own mention."""
    new = mentioned - await tx.note_mentions.seen(document)
    if not new:
        return 0
    await tx.note_mentions.add(document, new)  # seen, delivered or not: access is judged now, once
    deal = await _deal_of_note(tx, document)
    what = f"“{title}”" if title.strip() else "a note"
    person = await tx.users.by_id(author) if author is not None else None
    actor = person.name if person is not None else None
    sent = 0
    for user in sorted(new - {author}, key=str):
        if await tx.board_reach.reaches(board, user):
            sent += await deliver(tx, NewNotification(
                uuid5(IDS, f"mention:{document}:{user}"), user, workspace, what, board, deal, kind="mentioned",
                actor=actor))
    return sent


async def _deal_of_note(tx: Unit, document: str) -> UUID | None:
    """The deal a note (``note:<id>``) is about, if it is about one: the notification links to it."""
    try:
        note = await tx.notes.get(UUID(document.partition(":")[2]))
    except ValueError:
        return None
    return note.subject_id if note is not None and note.subject_kind == "deal" else None


async def deals_changed(tx: Unit, workspace: UUID, board: UUID, events: Iterable[CardEvent],
                        deals: Mapping[UUID, Any]) -> int:
    """Notify the followers of deals that changed stage or were won or lost (not who did it)."""
    stages: dict[UUID, Any] | None = None
    sent = 0
    for event in events:
        deal = deals.get(event.card)
        if not isinstance(deal, DealRecord) or event.reconciled:
            continue
        if stages is None:
            stages = await tx.projection.records(Table.STAGES, board)
        what = _change(event, stages)
        if what is None:
            continue
        for user in sorted(followers(deal.owner, await tx.deal_follows.choices(board, deal.id)) - {event.author},
                           key=str):
            if await tx.board_reach.reaches(board, user):
                sent += await deliver(tx, NewNotification(
                    uuid5(IDS, f"deal:{deal.id}:{event.kind}:{event.at.isoformat()}:{user}"), user, workspace,
                    f"{deal.title}: {what}", board, deal.id, kind="deal_changed"))
    return sent


def _change(event: CardEvent, stages: Mapping[UUID, Any]) -> str | None:
    """What a followed deal's event says, or None if it says nothing worth a notification. A move
    into a Won or Lost column comes with its status event, which speaks for both."""
    if event.kind == "status" and event.new_status in ("won", "lost") and event.old_status != event.new_status:
        return event.new_status
    if event.kind == "moved" and event.to_stage is not None and event.from_stage != event.to_stage:
        stage = stages.get(event.to_stage)
        if stage is not None and getattr(stage, "kind", "open") == "open":
            return f"moved to {stage.name}"
    return None


async def activities_assigned(tx: Unit, workspace: UUID, board: UUID, changes: Iterable[Any]) -> int:
    """Notify whoever an activity was just given to (``BoardChange``s of the projection)."""
    sent = 0
    for change in changes:
        old, new = change.old, change.new
        if change.kind != "activity" or not isinstance(new, ActivityRecord) or new.assignee is None or new.done:
            continue
        if (old is not None and old.assignee == new.assignee) or (old is None and new.created_by == new.assignee):
            continue
        sent += await deliver(tx, NewNotification(
            uuid5(IDS, f"assigned:{new.id}:{new.assignee}:{old.assignee if old else None}"), new.assignee,
            workspace, new.title, board, new.card, kind="assigned"))
    return sent


# --- e-mail ------------------------------------------------------------------------------------
# In the user's language (``users.locale``), times in the zone of their notification settings, with
# a link to the deal (or board) it is about: server/domain/system_mail.py.


def said(n: Notification, locale: str | None = None) -> str:
    """``Mentioned you in: “Call notes”`` (``Ada Lovelace mentioned you in: …`` when the author is
    known): the notification as a line of text in ``locale`` (English when None)."""
    return notification_line(n.kind, n.message, n.actor, locale)


def link_path(n: Notification) -> str:
    """Where the notification leads in the web app: its deal, else its board, else its workspace."""
    workspace = f"/w/{n.workspace_id}"
    if n.board_id is None:
        return workspace
    board = f"{workspace}/boards/{n.board_id}"
    return f"{board}/deals/{n.card_id}" if n.card_id is not None else board


def _items(found: list[Notification], outbox: Outbox, locale: str | None, zone: str) -> list[Item]:
    """One line per notification, with when it came in the user's own zone, and its link."""
    return [Item(f"{said(n, locale)} — {spoken(Moment(n.created_at, zone), locale_of(locale))}",
                 outbox.link(link_path(n))) for n in found]


async def mail_one(tx: Unit, outbox: Outbox, notification: UUID) -> bool:
    """Mail one notification to its user (the ``email`` channel); whether it was handed over."""
    found = await tx.notifications.get(notification)
    account = None if found is None else await tx.users.by_id(found.user_id)
    if found is None or account is None or account.disabled_at is not None:
        return False
    zone = (await tx.notification_settings.get(account.id)).time_zone
    fields = {"line": said(found, account.locale), "at": Moment(found.created_at, zone)}
    return await outbox.post(tx, Mail.of(account.email, render("notification", account.locale, fields,
                                                               outbox.link(link_path(found)))))


async def send_digests(tx: Unit, outbox: Outbox, now: datetime) -> int:
    """Mail each user whose digest is due their unread notifications since the last one; how many
    digests were posted. A period whose digest was sent (or had nothing to send) is not sent again."""
    posted = 0
    for user, prefs, last in await tx.notification_settings.digesting():
        period = digest_period(prefs, now)
        if period is None or period == last.period:
            continue
        unread = await tx.notifications.unread_since(user, last.at)
        if not await tx.notification_settings.mark_digested(user, period, now) or not unread:
            continue
        account = await tx.users.by_id(user)
        if account is None or account.disabled_at is not None:
            continue
        fields = {"name": account.name, "count": Count(len(unread), "unread")}
        posted += await outbox.post(tx, Mail.of(account.email, render(
            "digest", account.locale, fields, outbox.link("/"), _items(unread, outbox, account.locale,
                                                                        prefs.time_zone))))
    return posted


def register(kinds: JobKinds, begin: Begin, outbox: Outbox, digest_cron: str = DIGEST_CRON) -> None:
    """Add ``notifications.email`` and the hourly ``notifications.digest`` to the worker's kinds."""

    @kinds.handle(MAIL_ONE)
    async def mail(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            sent = await mail_one(tx, outbox, UUID(payload["notification"]))
        log.info("notification %s by e-mail: %s", payload.get("notification"), "posted" if sent else "not sent")

    @kinds.handle(DIGEST)
    async def digest(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            posted = await send_digests(tx, outbox, now_utc())
        log.info("notification digests: %d posted", posted)

    kinds.every(DIGEST, digest_cron)
