"""The calendar over HTTP (issue 18): a workspace's activities over a range of days for chosen
people, your private iCalendar feed (made, shown once, revoked), and the feed itself at
``/ical/<token>.ics`` — no session: the token is the key, and any other answers 404."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from server.api import calendar_types as types
from server.api.auth import CallerDep
from server.api.boards import BoardsDep
from server.api.crm import CrmDep
from server.domain.access import NotFound
from server.domain.accounts import InvalidInput
from server.domain.calendar import CalendarEntry
from server.domain.crm import now_utc, parse_due
from server.domain.series import parse_day
from server.domain.team_tasks import is_overdue, parse_filters, week_of
from server.services.calendar import CalendarService
from server.services.ports.attendees import Attendees

CalendarDep = NamedDependency[CalendarService]


def _entry(e: CalendarEntry) -> types.CalendarEntry:
    return types.CalendarEntry(
        id=e.id, board=e.board, board_name=e.board_name, workspace=e.workspace, type=e.type, title=e.title,
        assignee=e.assignee, day=e.day, start=e.start, end=e.end, all_day=e.all_day, time_zone=e.time_zone,
        location=e.location, done=e.done, card=e.card, card_title=e.card_title, outcome=e.outcome,
        recurrence=e.recurrence, series_due=msgspec.to_builtins(e.series_due) if e.series_due else None,
        cancelled=e.cancelled,
        moved_from=types.MovedFrom(series=e.moved_from[0], day=e.moved_from[1]) if e.moved_from else None)


def _people(raw: str) -> list[UUID]:
    try:
        return [UUID(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"people: expected user ids separated by commas, got {raw[:80]!r}") from None


def _ids(name: str, raw: str) -> list[UUID]:
    try:
        return [UUID(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"{name}: expected ids separated by commas, got {raw[:80]!r}") from None


def _day(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name}: expected a date YYYY-MM-DD, got {raw[:20]!r}") from None


class CalendarController(Controller):
    path = "/api"
    tags = ["calendar"]

    @get("/workspaces/{workspace:uuid}/calendar",
         summary="Activities of chosen people (default: you) from one day to another, on the boards you reach")
    async def calendar_entries(self, workspace: FromPath[UUID], caller: CallerDep, calendar: CalendarDep,
                               start: FromQuery[str], end: FromQuery[str], people: FromQuery[str] = "",
                               cancelled: FromQuery[bool] = False) -> types.Calendar:
        found = await calendar.entries(caller, workspace, _day("start", start), _day("end", end), _people(people),
                                       cancelled)
        return types.Calendar(entries=[_entry(e) for e in found])

    @get("/workspaces/{workspace:uuid}/team-tasks",
         summary="The team to-do list (filtered by assignee, type, due, done) and each member's load this week")
    async def team_tasks(self, workspace: FromPath[UUID], caller: CallerDep, calendar: CalendarDep,
                         assignee: FromQuery[str] = "anyone", type: FromQuery[str] = "", due: FromQuery[str] = "any",
                         done: FromQuery[bool] = False, today: FromQuery[str] = "",
                         expertise: FromQuery[str] = "") -> types.TeamTasks:
        day = _day("today", today) if today else now_utc().date()
        now = now_utc()
        found = await calendar.team_tasks(caller, workspace, parse_filters(caller.id, assignee, type, due, done),
                                          day, now, _ids("expertise", expertise))
        return types.TeamTasks(
            as_of=day, week_start=week_of(day)[0],
            tasks=[types.TeamTask(
                id=t.id, board=t.board, board_name=t.board_name, type=t.type, title=t.title, assignee=t.assignee,
                assignee_name=found.names.get(t.assignee) if t.assignee else None, day=t.day, start=t.start,
                end=t.end, all_day=t.all_day, time_zone=t.time_zone, done=t.done,
                overdue=is_overdue(t, day, now), card=t.card, card_title=t.card_title, recurrence=t.recurrence)
                for t in found.tasks],
            workload=[types.Workload(person=w.person, name=found.names.get(w.person, ""), this_week=w.this_week,
                                     overdue=w.overdue, hours=w.hours, capacity=w.capacity) for w in found.loads])

    @get("/boards/{board:uuid}/activities/{activity:uuid}/attendees",
         summary="Who attends an activity: colleagues and (for members) contacts")
    async def activity_attendees(self, board: FromPath[UUID], activity: FromPath[UUID], caller: CallerDep,
                                 boards: BoardsDep, crm: CrmDep, calendar: CalendarDep) -> types.ActivityAttendees:
        found = await calendar.attendees(caller, boards, crm, board, activity)
        return types.ActivityAttendees(users=list(found.users), contacts=list(found.contacts))

    @put("/boards/{board:uuid}/activities/{activity:uuid}/attendees",
         summary="Set who attends an activity (edit access; contacts: members only)")
    async def set_activity_attendees(self, board: FromPath[UUID], activity: FromPath[UUID],
                                     data: JSONBody[types.AttendeesBody], caller: CallerDep, boards: BoardsDep,
                                     crm: CrmDep, calendar: CalendarDep) -> types.ActivityAttendees:
        found = await calendar.set_attendees(caller, boards, crm, board, activity,
                                             Attendees(tuple(data.users), tuple(data.contacts)))
        return types.ActivityAttendees(users=list(found.users), contacts=list(found.contacts))

    @delete("/boards/{board:uuid}/activities/{activity:uuid}/occurrences/{day:str}", status_code=204,
            summary="Cancel one occurrence of a repeating activity (its local day; the series stays)")
    async def cancel_occurrence(self, board: FromPath[UUID], activity: FromPath[UUID], day: FromPath[str],
                                caller: CallerDep, boards: BoardsDep, crm: CrmDep, calendar: CalendarDep) -> None:
        await calendar.cancel_occurrence(caller, boards, crm, board, activity, parse_day(day))

    @post("/boards/{board:uuid}/activities/{activity:uuid}/occurrences/{day:str}/move", status_code=201,
          summary="Move one occurrence of a repeating activity: a single activity takes its place")
    async def move_occurrence(self, board: FromPath[UUID], activity: FromPath[UUID], day: FromPath[str],
                              data: JSONBody[types.OccurrenceMove], caller: CallerDep, boards: BoardsDep,
                              crm: CrmDep, calendar: CalendarDep) -> types.MovedOccurrence:
        when = parse_day(day)
        made = await calendar.move_occurrence(caller, boards, crm, board, activity, when, parse_due(data.due),
                                              data.end)
        return types.MovedOccurrence(id=made.id, board=board, series=activity, day=when)

    @post("/boards/{board:uuid}/activities/{activity:uuid}/occurrences/{day:str}/restore", status_code=204,
          summary="Restore a cancelled or moved occurrence to its series (a move's single activity is deleted)")
    async def restore_occurrence(self, board: FromPath[UUID], activity: FromPath[UUID], day: FromPath[str],
                                 caller: CallerDep, boards: BoardsDep, crm: CrmDep, calendar: CalendarDep) -> None:
        await calendar.restore_occurrence(caller, boards, crm, board, activity, parse_day(day))

    @get("/me/work-week", summary="Your working week: the hours the team workload strip measures you against")
    async def work_week(self, caller: CallerDep, calendar: CalendarDep) -> types.WorkWeek:
        return types.WorkWeek(weekly_hours=await calendar.work_week(caller))

    @put("/me/work-week", summary="Set your working week (1 to 168 hours; default 40)")
    async def set_work_week(self, data: JSONBody[types.WorkWeek], caller: CallerDep,
                            calendar: CalendarDep) -> types.WorkWeek:
        return types.WorkWeek(weekly_hours=await calendar.set_work_week(caller, data.weekly_hours))

    @get("/me/calendar-feed", summary="Whether you have a private calendar feed")
    async def calendar_feed(self, caller: CallerDep, calendar: CalendarDep) -> types.CalendarFeed:
        created = await calendar.feed_created(caller)
        return types.CalendarFeed(active=created is not None, created_at=created)

    @post("/me/calendar-feed", status_code=201,
          summary="Make a new private calendar feed URL (shown once; any earlier one stops working)")
    async def new_calendar_feed(self, request: Request, caller: CallerDep, calendar: CalendarDep) -> types.CalendarFeed:
        token = await calendar.new_feed(caller)
        created = await calendar.feed_created(caller)
        return types.CalendarFeed(active=True, created_at=created, url=str(request.url_for("ical_feed", token=f"{token}.ics")))

    @delete("/me/calendar-feed", status_code=204, summary="Revoke your private calendar feed")
    async def revoke_calendar_feed(self, caller: CallerDep, calendar: CalendarDep) -> None:
        await calendar.revoke_feed(caller)


@get("/ical/{token:str}", name="ical_feed", summary="A private calendar feed (iCalendar); its token is the key",
     tags=["calendar"], media_type="text/calendar")
async def ical_feed(token: FromPath[str], calendar: CalendarDep) -> Response[bytes]:
    if not token.endswith(".ics"):
        raise NotFound("no such calendar feed")
    body = await calendar.feed(token.removesuffix(".ics"))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"})
