"""The calendar (issue 18): one's own and colleagues' activities over a range of days, and the
private iCalendar feed.

Entries come from the SQL projection of every board the *caller* reaches (archived ones left
out): choosing a colleague shows their activities only where the caller could see them anyway.
Rescheduling is an ordinary activity edit (``Crm.update_activity``), so it reaches everyone
with the board open at once. A feed's token is random (256 bits) and only its SHA-256 is kept:
the database never holds a working URL; making a new one replaces (revokes) the old.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from server.domain.access import NotFound, require_write
from server.domain.accounts import InvalidInput
from server.domain.calendar import CalendarEntry, Span, occurrences
from server.domain.crm import Activity, now_utc
from server.domain.series import MAX_EXCEPTIONS, moved_values, occurrence
from server.domain.ical import feed
from server.domain.team_tasks import DEFAULT_WEEK_HOURS, Filters
from server.services.accounts import Caller
from server.services import attendees
from server.services.boards import Boards
from server.services.crm import Crm
from server.services.feed import ChangeFeed
from server.services.ports.attendees import Attendees
from server.services.ports.series import SeriesException
from server.services.ports.unit import Begin
from server.services.team_tasks import TeamBoard, team_tasks

MAX_DAYS = 62  # a month view with its leading and trailing weeks, and then some
MAX_PEOPLE = 20
FEED_PAST, FEED_AHEAD = timedelta(days=90), timedelta(days=400)


def expand(entries: list[CalendarEntry], first: date, last: date,
           skipped: Mapping[tuple[UUID, UUID], Collection[date]] | None = None,
           cancelled: Mapping[tuple[UUID, UUID], Collection[date]] | None = None) -> list[CalendarEntry]:
    """Each repeating entry as its occurrences from ``first`` to ``last`` (each names the series'
    own start, ``series_due``), without those on its exception days (``skipped``, by (board,
    activity): cancelled or moved one by one) — but those on ``cancelled`` days stay, marked
    ``cancelled``; by day, all-day first."""
    out = []
    for e in entries:
        if not e.recurrence:
            out.append(e)
            continue
        series = e.start if e.start is not None and not e.all_day else e.day
        when = Span(e.day, e.start, e.end, e.all_day, e.time_zone)
        out_days, ghosts = (skipped or {}).get((e.board, e.id), ()), (cancelled or {}).get((e.board, e.id), ())
        out += [e._replace(day=s.day, start=s.start, end=s.end, series_due=series, cancelled=s.day in ghosts)
                for s in occurrences(when, e.recurrence, first, last) if s.day in ghosts or s.day not in out_days]
    return sorted(out, key=lambda e: (e.day, not e.all_day, e.start.isoformat() if e.start else "", e.title, str(e.id)))


def exceptions_of(rows: Iterable[SeriesException]) -> tuple[dict[tuple[UUID, UUID], set[date]],
                                                           dict[tuple[UUID, UUID], set[date]],
                                                           dict[tuple[UUID, UUID], tuple[UUID, date]]]:
    """Exception rows as (every exception day, the cancelled days) by (board, series), and the
    moved ones by (board, the activity that replaced them) -> (series, day)."""
    days: dict[tuple[UUID, UUID], set[date]] = {}
    cancelled: dict[tuple[UUID, UUID], set[date]] = {}
    replacements: dict[tuple[UUID, UUID], tuple[UUID, date]] = {}
    for r in rows:
        days.setdefault((r.board, r.activity), set()).add(r.day)
        if r.replaced_by is None:
            cancelled.setdefault((r.board, r.activity), set()).add(r.day)
        else:
            replacements[(r.board, r.replaced_by)] = (r.activity, r.day)
    return days, cancelled, replacements


async def _series(boards: Boards, crm: Crm, caller: Caller, board: UUID, activity: UUID) -> tuple[Any, Activity]:
    view = await boards.get(caller, board)
    require_write(view.access)
    found = await crm.activity(caller, board, activity)
    if found is None:
        raise NotFound("no such activity on this board")
    return view, found


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class CalendarService:
    """Calendar reads and the caller's feed."""

    def __init__(self, begin: Begin, feed: ChangeFeed | None = None) -> None:
        self._begin = begin
        self._feed = feed  # changes kept in SQL only (exceptions, attendees) reach open calendars

    async def _touched(self, workspace: UUID, board: UUID) -> None:
        if self._feed is not None:
            await self._feed.changed(workspace, [f"activities:{board}"])

    async def entries(self, caller: Caller, workspace: UUID, first: date, last: date,
                      people: Sequence[UUID] = (), with_cancelled: bool = False) -> list[CalendarEntry]:
        """Activities of ``people`` (default: the caller) in ``workspace`` from ``first`` to ``last``;
        ``with_cancelled``: cancelled occurrences too (marked, so they can be restored)."""
        if last < first or (last - first).days >= MAX_DAYS:
            raise InvalidInput(f"end: expected a day from {first} up to {MAX_DAYS} days later, got {last}")
        if len(people) > MAX_PEOPLE:
            raise InvalidInput(f"people: expected at most {MAX_PEOPLE}, got {len(people)}")
        async with self._begin() as tx:
            boards = await tx.board_reach.visible_boards(caller.id)
            found = await tx.calendar_entries.between(boards, list(people) or [caller.id], first, last)
            skipped, cancelled, replacements = exceptions_of(await tx.series_exceptions.rows(boards))
        mine = [e._replace(moved_from=replacements.get((e.board, e.id))) for e in found if e.workspace == workspace]
        return expand(mine, first, last, skipped, cancelled if with_cancelled else None)

    async def team_tasks(self, caller: Caller, workspace: UUID, filters: Filters, today: date,
                         now: datetime, expertise: Sequence[UUID] = ()) -> TeamBoard:
        """The team to-do list and the workload strip (``server.services.team_tasks``)."""
        return await team_tasks(self._begin, caller, workspace, filters, today, now, expertise)

    async def attendees(self, caller: Caller, boards: Boards, crm: Crm, board: UUID, activity: UUID) -> Attendees:
        """Who attends the activity (``server.services.attendees``)."""
        return await attendees.attendees(self._begin, boards, crm, caller, board, activity)

    async def set_attendees(self, caller: Caller, boards: Boards, crm: Crm, board: UUID, activity: UUID,
                            wanted: Attendees) -> Attendees:
        found = await attendees.set_attendees(self._begin, boards, crm, caller, board, activity, wanted)
        view = await boards.get(caller, board)
        await self._touched(view.board.workspace_id, board)  # the attendees' calendars change
        return found

    async def cancel_occurrence(self, caller: Caller, boards: Boards, crm: Crm, board: UUID, activity: UUID,
                                day: date) -> None:
        """Take one occurrence (its local ``day``) out of a repeating activity (edit access)."""
        view, series = await _series(boards, crm, caller, board, activity)
        occurrence(series, day)
        async with self._begin() as tx:
            if len(await tx.series_exceptions.days(board, activity)) >= MAX_EXCEPTIONS:
                raise InvalidInput(f"expected at most {MAX_EXCEPTIONS} exceptions to one series")
            if not await tx.series_exceptions.add(view.board.workspace_id, board, activity, day, None):
                raise NotFound(f"the occurrence on {day.isoformat()} was already cancelled or moved")
        await self._touched(view.board.workspace_id, board)

    async def move_occurrence(self, caller: Caller, boards: Boards, crm: Crm, board: UUID, activity: UUID,
                              day: date, start: date | datetime, end: datetime | None) -> Activity:
        """Move one occurrence: it leaves the series and a single activity takes its place at
        ``start`` (``end``: its end; None keeps the occurrence's length). Returns the new one."""
        view, series = await _series(boards, crm, caller, board, activity)
        occurrence(series, day)
        async with self._begin() as tx:
            if day in await tx.series_exceptions.days(board, activity):
                raise NotFound(f"the occurrence on {day.isoformat()} was already cancelled or moved")
        made = await crm.create_activity(caller, board, moved_values(series, start, end))
        async with self._begin() as tx:
            await tx.series_exceptions.add(view.board.workspace_id, board, activity, day, made.id)
        await self._touched(view.board.workspace_id, board)
        return made

    async def restore_occurrence(self, caller: Caller, boards: Boards, crm: Crm, board: UUID, activity: UUID,
                                 day: date) -> None:
        """Put a cancelled or moved occurrence back into its series (edit access): the exception
        goes, and so does the single activity a move made — the series' occurrence is that day's."""
        view, _ = await _series(boards, crm, caller, board, activity)
        async with self._begin() as tx:
            found = await tx.series_exceptions.days(board, activity)
        if day not in found:
            raise NotFound(f"the occurrence on {day.isoformat()} is neither cancelled nor moved")
        replaced_by = found[day]
        if replaced_by is not None:  # first, so a failure leaves the exception (no day twice)
            await crm.delete_activity(caller, board, replaced_by)
        async with self._begin() as tx:
            await tx.series_exceptions.remove(board, activity, day)
        await self._touched(view.board.workspace_id, board)

    async def work_week(self, caller: Caller) -> float:
        """The caller's working week in hours (40 unless they set it)."""
        async with self._begin() as tx:
            return (await tx.work_weeks.hours([caller.id])).get(caller.id, DEFAULT_WEEK_HOURS)

    async def set_work_week(self, caller: Caller, hours: float) -> float:
        if not 1 <= hours <= 168:
            raise InvalidInput(f"weekly_hours: expected 1 to 168 hours, got {hours}")
        async with self._begin() as tx:
            await tx.work_weeks.set(caller.id, round(hours, 2))
        return round(hours, 2)

    async def feed_created(self, caller: Caller) -> datetime | None:
        async with self._begin() as tx:
            return await tx.calendar_feeds.created(caller.id)

    async def new_feed(self, caller: Caller) -> str:
        """A new secret token for the caller's feed (shown once); any earlier one stops working."""
        token = secrets.token_urlsafe(32)
        async with self._begin() as tx:
            await tx.calendar_feeds.put(caller.id, token_hash(token))
        return token

    async def revoke_feed(self, caller: Caller) -> None:
        async with self._begin() as tx:
            if not await tx.calendar_feeds.drop(caller.id):
                raise NotFound("no calendar feed to revoke")

    async def feed(self, token: str, name: str = "Tandem") -> bytes:
        """The iCalendar text of the feed ``token`` opens; ``NotFound`` for any other token."""
        if not 20 <= len(token) <= 100:
            raise NotFound("no such calendar feed")
        now = now_utc()
        async with self._begin() as tx:
            user = await tx.calendar_feeds.user_of(token_hash(token))
            if user is None:
                raise NotFound("no such calendar feed")
            boards = await tx.board_reach.visible_boards(user)
            entries = await tx.calendar_entries.between(boards, [user], (now - FEED_PAST).date(),
                                                        (now + FEED_AHEAD).date())
            skipped = await tx.series_exceptions.of_boards(boards)
        return feed(name, entries, now, skipped)
