"""Reminders and the calendar over the memory twins (issue 18): what the projection queues, when a
reminder fires (once, and only while still its activity's), the calendar read within the caller's
reach, and the feed's token."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from icalendar import Calendar

from server.domain.access import NotFound, Role
from server.domain.accounts import InvalidInput
from server.domain.boards import BoardKind
from server.domain.projection import ActivityRecord, Table
from server.services.calendar import CalendarService
from server.services.reminders import REMIND, remind, schedule_reminders, sweep_reminders
from server.services.webhooks import BoardChange
from tests.unit.services.support import World
from tests.unit.services.test_workspaces import team

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
async def world() -> World:
    return World()


def timed(assignee: UUID, start: datetime, **values) -> ActivityRecord:
    return ActivityRecord(uuid4(), "meeting", "Demo", assignee, start.date(), start, False, None, None, None, None,
                          None, None, start, start + timedelta(hours=1), False, "Europe/Berlin", **values)


async def board_of(world: World):
    workspace, people = await team(world, member=Role.MEMBER)
    view = await world.boards.create(people["owner"], workspace, "Deals", BoardKind.PIPELINE)
    return workspace, view.board.id, people


async def queue(world: World, workspace, board, record: ActivityRecord, now: datetime = NOW):
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [record])
        queued = await schedule_reminders(unit, workspace, board, [BoardChange("activity", None, record)], now)
        jobs = [j for j in await unit.jobs.waiting(REMIND) if j.payload["activity"] == str(record.id)]
    return queued, jobs


async def test_a_timed_activity_queues_a_day_and_15_minutes_before_at_their_times(world):
    workspace, board, people = await board_of(world)
    start = datetime(2030, 1, 9, 10, 0, tzinfo=timezone.utc)
    world.clock.at = NOW  # the queue's clock is the projection's
    record = timed(people["member"].id, start)
    queued, jobs = await queue(world, workspace, board, record)
    assert queued == 2
    runs = sorted(j.run_after for j in jobs)
    for run, wanted in zip(runs, [start - timedelta(days=1), start - timedelta(minutes=15)]):
        assert abs(run - wanted) < timedelta(seconds=1), (run, wanted)
    assert all(j.dedupe_key == f"reminder:{j.payload['reminder']}" for j in jobs)
    again, _ = await queue(world, workspace, board, record)
    assert again == 0, "the same reminders are still waiting: nothing is queued twice"


async def test_an_activity_starting_in_ten_minutes_reminds_at_once_and_a_past_or_done_one_not_at_all(world):
    workspace, board, people = await board_of(world)
    soon = timed(people["member"].id, NOW + timedelta(minutes=10))
    queued, [job] = await queue(world, workspace, board, soon)
    assert queued == 1 and job.run_after <= world.db.now() + timedelta(seconds=1)
    assert (await queue(world, workspace, board, timed(people["member"].id, NOW - timedelta(hours=1))))[0] == 0
    done = timed(people["member"].id, NOW + timedelta(days=2))._replace(done=True)
    assert (await queue(world, workspace, board, done))[0] == 0
    nobody = timed(None, NOW + timedelta(days=2))  # type: ignore[arg-type]
    assert (await queue(world, workspace, board, nobody))[0] == 0


async def test_a_reminder_fires_once_and_not_after_its_activity_moved_or_its_assignee_left(world):
    workspace, board, people = await board_of(world)
    member = people["member"].id
    record = timed(member, NOW + timedelta(days=2))
    _, jobs = await queue(world, workspace, board, record)
    async with world.begin() as unit:
        assert await remind(unit, jobs[0].payload) is True
        assert await remind(unit, jobs[0].payload) is False, "a rerun adds nothing"
        [note] = await unit.notifications.of_user(member)
    assert (note.kind, note.board_id, str(note.id)) == ("reminder", board, jobs[0].payload["reminder"])
    assert note.message.startswith("Demo · 2030-01-09 09:00 (Europe/Berlin)")

    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace,
                                     [record._replace(starts_at=record.starts_at + timedelta(hours=1))])
        assert await remind(unit, jobs[1].payload) is False, "moved: the old reminder stays quiet"
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [record])
        await unit.members.remove(workspace, member)
        assert await remind(unit, jobs[1].payload) is False, "the assignee no longer reaches the board"


async def test_the_calendar_shows_only_boards_the_caller_reaches_and_limits_the_range(world):
    workspace, board, people = await board_of(world)
    stranger = await world.sign_up("Stranger")
    record = timed(people["member"].id, datetime(2030, 1, 9, 10, 0, tzinfo=timezone.utc))
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [record])
    calendar = CalendarService(world.begin)
    week = (date(2030, 1, 7), date(2030, 1, 13))
    [entry] = await calendar.entries(people["owner"], workspace, *week, [people["member"].id])
    assert entry.id == record.id and entry.start == record.starts_at
    assert await calendar.entries(people["owner"], workspace, *week) == [], "the owner's own: none"
    assert await calendar.entries(stranger, workspace, *week, [people["member"].id]) == []
    with pytest.raises(InvalidInput, match="^end: "):
        await calendar.entries(people["owner"], workspace, date(2030, 1, 1), date(2030, 6, 1))
    with pytest.raises(InvalidInput, match="^people: "):
        await calendar.entries(people["owner"], workspace, *week, [uuid4() for _ in range(21)])


async def test_a_feed_token_opens_the_feed_until_a_new_one_or_a_revocation(world):
    workspace, board, people = await board_of(world)
    owner = people["owner"]
    record = timed(owner.id, datetime.now(timezone.utc) + timedelta(days=3))
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [record])
    calendar = CalendarService(world.begin)
    token = await calendar.new_feed(owner)
    [event] = Calendar.from_ical(await calendar.feed(token)).walk("VEVENT")
    assert str(event["uid"]) == f"{record.id}@tandem"
    newer = await calendar.new_feed(owner)
    with pytest.raises(NotFound):
        await calendar.feed(token)
    await calendar.revoke_feed(owner)
    for gone in (newer, "short", "x" * 43):
        with pytest.raises(NotFound):
            await calendar.feed(gone)
    with pytest.raises(NotFound):
        await calendar.revoke_feed(owner)


async def test_the_hourly_sweep_queues_a_repeating_meetings_coming_reminders_once(world):
    workspace, board, people = await board_of(world)
    start = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # Monday 10:00 in Berlin
    weekly = timed(people["member"].id, start)._replace(recurrence="FREQ=WEEKLY;BYDAY=MO", reminders=[15])
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [weekly])
        now = world.clock.at = datetime(2030, 1, 20, 12, 0, tzinfo=timezone.utc)  # the queue's clock too
        assert await sweep_reminders(unit, now) == 2  # Monday 21 and Monday 28 January, 15 minutes before
        assert await sweep_reminders(unit, now) == 0, "already waiting"
        runs = sorted(j.run_after for j in await unit.jobs.waiting(REMIND))
    assert [r.date() for r in runs] == [date(2030, 1, 21), date(2030, 1, 28)]


async def test_the_calendar_shows_each_occurrence_of_a_repeating_activity_with_its_series_start(world):
    workspace, board, people = await board_of(world)
    start = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    weekly = timed(people["owner"].id, start)._replace(recurrence="FREQ=WEEKLY;COUNT=3")
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [weekly])
    found = await CalendarService(world.begin).entries(people["owner"], workspace, date(2030, 1, 10),
                                                       date(2030, 2, 28))
    assert [(e.day, e.start, e.series_due) for e in found] == [
        (date(2030, 1, 14), start + timedelta(days=7), start), (date(2030, 1, 21), start + timedelta(days=14), start)]


async def test_the_sweep_queues_reminders_a_rebuild_never_queued_and_skips_done_and_far_ones(world):
    workspace, board, people = await board_of(world)
    now = world.clock.at = datetime(2030, 1, 20, 12, 0, tzinfo=timezone.utc)
    member = people["member"].id
    missed = timed(member, now + timedelta(days=3))  # written without scheduling (a rebuild)
    done = timed(member, now + timedelta(days=3))._replace(done=True)
    far = timed(member, now + timedelta(days=60))
    async with world.begin() as unit:
        await unit.projection.upsert(Table.ACTIVITIES, board, workspace, [missed, done, far])
        assert await sweep_reminders(unit, now) == 2
        queued = {j.payload["activity"] for j in await unit.jobs.waiting(REMIND)}
    assert queued == {str(missed.id)}
