"""The weekly snapshot job (``server.services.forecast.register``): scheduled hourly, it takes the
week's snapshot for each workspace without one, in the week of the configured zone, and a second
run in the same week writes nothing (over the snapshot twin; the live deals are a stand-in)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from server.domain.forecast import SnapshotDeal
from server.services.forecast import SNAPSHOT, register
from server.services.jobs import JobKinds
from server.storage.memory.forecast import MemoryForecastSnapshots
from server.storage.memory.unit import MemoryDatabase

WORKSPACE, BOARD = uuid4(), uuid4()


class OpenDeals:
    """The live deals the job reads: one open deal in one workspace."""

    def __init__(self, snapshots: MemoryForecastSnapshots) -> None:
        self._snapshots = snapshots

    async def workspaces_without(self, week: date) -> list:
        return [] if any(w.week == week for w in await self._snapshots.weeks(WORKSPACE)) else [WORKSPACE]

    async def open_deals(self, workspace) -> list[SnapshotDeal]:
        return [SnapshotDeal(BOARD, uuid4(), "Acme", None, 100.0, "EUR", date(2026, 3, 9), uuid4(), 10.0, "pipeline")]


async def test_the_job_is_scheduled_and_takes_one_snapshot_per_week_of_its_zone():
    snapshots = MemoryForecastSnapshots(MemoryDatabase())
    clock = [datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc)]  # Sunday 23:30 in Berlin
    kinds = JobKinds()
    register(kinds, OpenDeals(snapshots), snapshots, "Europe/Berlin", now=lambda: clock[0])
    assert kinds.schedules[SNAPSHOT] == "5 * * * *"
    await kinds.handlers[SNAPSHOT]({})
    await kinds.handlers[SNAPSHOT]({})
    clock[0] = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)  # Monday 00:30 in Berlin
    await kinds.handlers[SNAPSHOT]({})
    assert [(w.week, w.deals) for w in await snapshots.weeks(WORKSPACE)] == [(date(2026, 3, 2), 1),
                                                                             (date(2026, 2, 23), 1)]


def test_an_empty_timetable_leaves_the_job_unscheduled():
    kinds = JobKinds()
    snapshots = MemoryForecastSnapshots(MemoryDatabase())
    register(kinds, OpenDeals(snapshots), snapshots, "UTC", cron="")
    assert SNAPSHOT in kinds.handlers and SNAPSHOT not in kinds.schedules
