"""The team to-do list's filters and the workload per person (issue 18), pure rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from server.domain.accounts import InvalidInput
from server.domain.team_tasks import Due, Filters, TeamTask, parse_filters, team_list, week_of, workload

ANA, BEN = uuid4(), uuid4()
BOARD, WS = uuid4(), uuid4()
TODAY = date(2030, 3, 27)  # a Wednesday; Europe/Berlin switches to summer time on Sunday the 31st
NOW = datetime(2030, 3, 27, 12, 0, tzinfo=timezone.utc)


def task(title: str, who=ANA, day: date | None = TODAY, start: datetime | None = None, hours: float = 0,
         kind: str = "todo", done: bool = False, rule: str | None = None, zone: str | None = None) -> TeamTask:
    end = start + timedelta(hours=hours) if start and hours else None
    return TeamTask(uuid4(), BOARD, "Deals", WS, kind, title, who, day, start, end, start is None, zone, done,
                    None, None, rule)


def titles(tasks) -> list[str]:
    return [t.title for t in tasks]


def test_the_week_runs_monday_to_sunday():
    assert week_of(TODAY) == (date(2030, 3, 25), date(2030, 3, 31))
    assert week_of(date(2030, 3, 25)) == (date(2030, 3, 25), date(2030, 3, 31))


def test_filters_keep_by_assignee_type_and_due_and_leave_done_ones_out_unless_asked():
    at = datetime(2030, 3, 27, 9, 0, tzinfo=timezone.utc)
    tasks = [task("Late call", day=date(2030, 3, 26), kind="call"), task("Started meeting", start=at, kind="meeting"),
             task("Later today", start=NOW + timedelta(hours=2)), task("Friday", day=date(2030, 3, 29), who=BEN),
             task("Next week", day=date(2030, 4, 2)), task("Someday", day=None, who=None),
             task("Finished", day=date(2030, 3, 20), done=True)]
    every = team_list(tasks, Filters(), TODAY, NOW)
    assert titles(every) == ["Late call", "Started meeting", "Later today", "Friday", "Next week", "Someday"]
    assert titles(team_list(tasks, Filters(due=Due.OVERDUE), TODAY, NOW)) == ["Late call", "Started meeting"]
    assert titles(team_list(tasks, Filters(due=Due.TODAY), TODAY, NOW)) == ["Started meeting", "Later today"]
    assert titles(team_list(tasks, Filters(due=Due.WEEK), TODAY, NOW)) == [
        "Late call", "Started meeting", "Later today", "Friday"]
    assert titles(team_list(tasks, Filters(due=Due.NONE), TODAY, NOW)) == ["Someday"]
    assert titles(team_list(tasks, Filters(assignees=frozenset({BEN})), TODAY, NOW)) == ["Friday"]
    assert titles(team_list(tasks, Filters(assignees=frozenset({None})), TODAY, NOW)) == ["Someday"]
    assert titles(team_list(tasks, Filters(types=frozenset({"call", "meeting"})), TODAY, NOW)) == [
        "Late call", "Started meeting"]
    assert "Finished" in titles(team_list(tasks, Filters(done=True), TODAY, NOW))


def test_workload_counts_the_weeks_open_activities_the_overdue_and_the_hours_booked():
    nine = datetime(2030, 3, 28, 9, 0, tzinfo=timezone.utc)
    tasks = [task("Late", day=date(2030, 3, 20)), task("Demo", start=nine, day=date(2030, 3, 28), hours=1.5),
             task("Call", start=nine + timedelta(hours=3), day=date(2030, 3, 28), hours=0.5),
             task("No length", start=nine, day=date(2030, 3, 29)), task("Friday", day=date(2030, 3, 29), who=BEN),
             task("Done", day=TODAY, done=True, hours=4), task("Someday", day=None),
             task("Stranger's", who=uuid4())]
    ana, ben = workload(tasks, [ANA, BEN], TODAY, NOW)
    assert (ana.person, ana.this_week, ana.overdue, ana.hours) == (ANA, 3, 1, 2.0)
    assert (ben.this_week, ben.overdue, ben.hours) == (1, 0, 0.0)


def test_a_daily_meeting_counts_each_occurrence_of_the_week_with_its_length_across_the_dst_switch():
    # 10:00 Berlin daily from Monday: 09:00 UTC until Saturday, 08:00 UTC on Sunday (summer time)
    monday = datetime(2030, 3, 25, 9, 0, tzinfo=timezone.utc)
    standup = task("Stand-up", start=monday, day=date(2030, 3, 25), hours=0.25, rule="FREQ=DAILY",
                   zone="Europe/Berlin")
    [ana] = workload([standup], [ANA], TODAY, NOW)
    assert (ana.this_week, ana.hours, ana.overdue) == (7, 1.75, 0)  # a series is not "overdue" as a whole


def test_parse_filters_names_what_it_expected():
    me = uuid4()
    assert parse_filters(me, "me", "call,meeting", "week", False) == Filters(
        frozenset({me}), frozenset({"call", "meeting"}), Due.WEEK, False)
    assert parse_filters(me, "anyone", "", "", True).assignees is None
    assert parse_filters(me, str(BEN), "", "any", False).assignees == frozenset({BEN})
    for args, field in (((me, "someone", "", "any", False), "assignee"), ((me, "me", "lunch", "any", False), "type"),
                        ((me, "me", "", "tomorrow", False), "due")):
        with pytest.raises(InvalidInput, match=field):
            parse_filters(*args)
