"""Activity reminders (issue 18 item 3): scheduled by the projection, fired by the job queue.

When the projection writes an activity (``server.services.projection``), in its transaction it
enqueues one ``calendar.reminder`` job per reminder still ahead, to run at the reminder's time
(``after``), keyed by the reminder's id (``server.domain.calendar.reminders``: a function of the
activity, the minutes and the instant). Moving the activity makes new reminders with new ids;
the old jobs still run, but a job fires only if its reminder is still one of the activity's
current ones — so a moved, completed, reassigned-away or deleted activity stays quiet. Firing
writes an in-app notification whose id *is* the reminder's id: a job run twice (a worker killed
after writing it, a rerun after a restart, the same reminder enqueued again) adds nothing more.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from server.domain.calendar import Reminder, Span, occurrences, reminders, zone
from server.domain.crm import now_utc
from server.domain.notifications import NewNotification
from server.domain.projection import ActivityRecord, Table
from server.services.jobs import JobKinds
from server.services.notify import deliver
from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)

REMIND = "calendar.reminder"
SWEEP = "calendar.reminders"
SWEEP_CRON = "17 * * * *"  # hourly; a repeating activity's reminders are queued a week ahead


def record_span(r: ActivityRecord) -> Span | None:
    """When a projected activity happens (the projection's columns say it all)."""
    if r.due_date is None:
        return None
    return Span(r.due_date, r.starts_at, r.ends_at, r.all_day, r.time_zone)


def record_reminders(r: ActivityRecord, now: datetime) -> list[Reminder]:
    """The reminders a projected activity has now: none when it is done or nobody's; a repeating
    one's around ``now`` (a day back to a week ahead)."""
    if r.done or r.assignee is None:
        return []
    return reminders(r.id, record_span(r), tuple(r.reminders) if r.reminders is not None else None,
                     r.recurrence, now)


def due_reminders(r: ActivityRecord, now: datetime) -> list[Reminder]:
    """Those to schedule at ``now``: every one still ahead, and — if the activity itself is still
    ahead — the latest one already passed (an activity made 10 minutes before it starts still
    reminds once, at once)."""
    every = record_reminders(r, now)
    ahead = [x for x in every if x.at > now]
    passed = [x for x in every if x.at <= now]
    start = r.starts_at if r.starts_at is not None and not r.all_day else None
    if passed and start is not None and start > now:
        ahead.insert(0, passed[-1])
    return ahead


async def schedule_reminders(tx: Unit, workspace: UUID, board: UUID, written: list[Any], now: datetime) -> int:
    """Enqueue the reminders of the activities the projection just wrote (``BoardChange``s);
    how many jobs were queued."""
    queued = 0
    for change in written:
        if change.kind == "activity" and change.new is not None:
            queued += await _queue(tx, workspace, board, change.new, now)
    return queued


async def _queue(tx: Unit, workspace: UUID, board: UUID, record: ActivityRecord, now: datetime) -> int:
    queued = 0
    for reminder in due_reminders(record, now):
        payload = {"workspace": str(workspace), "board": str(board), "activity": str(record.id),
                   "reminder": str(reminder.id)}
        after = max(reminder.at - now, timedelta(0))
        if await tx.jobs.enqueue(REMIND, payload, after=after, dedupe_key=f"reminder:{reminder.id}") is not None:
            queued += 1
    return queued


async def sweep_reminders(tx: Unit, now: datetime) -> int:
    """Queue the reminders of the coming weeks (the hourly ``calendar.reminders`` job): a series
    has no end, so its reminders are queued a week ahead, again and again; and an activity whose
    reminders were never queued — projected by a rebuild, or before migration 0024 — gets them
    in time. The dedupe key skips those already waiting and the notification id those sent."""
    first, last = (now - timedelta(days=1)).date(), (now + timedelta(days=29)).date()  # 4 weeks: the longest lead
    queued = 0
    for workspace, board, record in await tx.calendar_entries.upcoming(first, last):
        queued += await _queue(tx, workspace, board, record, now)
    return queued


def message(r: ActivityRecord) -> str:
    """``Demo with Acme · 2026-03-30 10:00 (Europe/Berlin)``: the title and when, in its own zone."""
    when = record_span(r)
    if when is None:
        return r.title
    if when.start is None or when.all_day:
        return f"{r.title} · {when.day.isoformat()}"
    tz = zone(when.zone) if when.zone else None
    local = when.start.astimezone(tz) if tz else when.start
    return f"{r.title} · {local:%Y-%m-%d %H:%M} ({when.zone or 'UTC'})"


async def remind(tx: Unit, payload: dict[str, Any]) -> bool:
    """Fire one reminder if it is still one of its activity's; True if a notification was added."""
    board, activity, reminder = UUID(payload["board"]), UUID(payload["activity"]), UUID(payload["reminder"])
    record = (await tx.projection.records(Table.ACTIVITIES, board)).get(activity)
    if not isinstance(record, ActivityRecord) or reminder not in {x.id for x in record_reminders(record, now_utc())}:
        return False  # moved, done, deleted or reassigned since: its current reminders have other jobs
    if record.recurrence and reminder in await _skipped_reminders(tx, board, record):
        return False  # its occurrence was cancelled or moved (server/domain/series.py)
    assert record.assignee is not None
    if not await tx.board_reach.reaches(board, record.assignee):
        return False  # the assignee no longer reaches the board
    return await deliver(tx, NewNotification(  # as the assignee chose: bell, e-mail or off (services/notify.py)
        reminder, record.assignee, UUID(payload["workspace"]), message(record), board, record.card, kind="reminder"))


async def _skipped_reminders(tx: Unit, board: UUID, r: ActivityRecord) -> set[UUID]:
    """The reminder ids of a series' cancelled or moved occurrences (issue 18)."""
    when = record_span(r)
    if when is None:
        return set()
    minutes = tuple(r.reminders) if r.reminders is not None else None
    out: set[UUID] = set()
    for day in await tx.series_exceptions.days(board, r.id):
        for occurrence in occurrences(when, r.recurrence, day, day):
            out |= {x.id for x in reminders(r.id, occurrence, minutes)}
    return out


def register(kinds: JobKinds, begin: Begin, sweep_cron: str = SWEEP_CRON) -> None:
    """Add ``calendar.reminder`` and the hourly ``calendar.reminders`` sweep to the worker's kinds."""

    @kinds.handle(SWEEP)
    async def sweep(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            queued = await sweep_reminders(tx, now_utc())
        log.info("reminder sweep: %d reminder(s) queued", queued)

    kinds.every(SWEEP, sweep_cron)

    @kinds.handle(REMIND)
    async def fire(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            fired = await remind(tx, payload)
        log.info("reminder %s of activity %s: %s", payload.get("reminder"), payload.get("activity"),
                 "delivered" if fired else "not due any more (or delivered before)")
