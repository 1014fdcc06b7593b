"""The weekly snapshot job (``server.services.forecast.register``): scheduled hourly, it takes the
week's snapshot for each workspace without one, in the week of the workspace's zone (else the
configured one), and a second run in the same week writes nothing (over the snapshot twin; the
live deals are a stand-in)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from server.domain.forecast import SnapshotDeal
from server.services.forecast import SNAPSHOT, register
from server.services.jobs import JobKinds
from server.services.ports.forecast import WorkspaceZone
from server.storage.memory.forecast import MemoryForecastSnapshots
from server.storage.memory.unit import MemoryDatabase

WORKSPACE, BOARD = uuid4(), uuid4()


class OpenDeals:
    """The live deals the job reads: one open deal in each workspace (by default one, in no zone of its own)."""

    def __init__(self, snapshots: MemoryForecastSnapshots, zones: dict | None = None) -> None:
        self._snapshots, self._zones = snapshots, zones or {WORKSPACE: None}

    async def workspace_zones(self, weeks) -> list[WorkspaceZone]:
        async def taken(workspace) -> list[date]:
            return [w.week for w in await self._snapshots.weeks(workspace) if w.week in weeks]
        return [WorkspaceZone(w, zone, await taken(w)) for w, zone in self._zones.items()]

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


async def test_each_workspace_gets_its_snapshot_after_monday_midnight_in_its_own_zone():
    berlin, new_york, plain = uuid4(), uuid4(), uuid4()
    snapshots = MemoryForecastSnapshots(MemoryDatabase())
    reads = OpenDeals(snapshots, {berlin: "Europe/Berlin", new_york: "America/New_York", plain: None})
    clock = [datetime(2026, 3, 1, 22, 5, tzinfo=timezone.utc)]  # Sunday 23:05 Berlin, 17:05 New York
    kinds = JobKinds()
    register(kinds, reads, snapshots, "UTC", now=lambda: clock[0])

    async def weeks() -> dict:
        return {w: [s.week for s in await snapshots.weeks(w)] for w in (berlin, new_york, plain)}

    last, this = date(2026, 2, 23), date(2026, 3, 2)
    await kinds.handlers[SNAPSHOT]({})
    assert await weeks() == {berlin: [last], new_york: [last], plain: [last]}
    clock[0] = datetime(2026, 3, 1, 23, 5, tzinfo=timezone.utc)  # Monday 00:05 Berlin; still Sunday elsewhere
    await kinds.handlers[SNAPSHOT]({})
    await kinds.handlers[SNAPSHOT]({})
    assert await weeks() == {berlin: [this, last], new_york: [last], plain: [last]}
    clock[0] = datetime(2026, 3, 2, 0, 5, tzinfo=timezone.utc)  # Monday 00:05 UTC, the server's zone
    await kinds.handlers[SNAPSHOT]({})
    assert await weeks() == {berlin: [this, last], new_york: [last], plain: [this, last]}
    clock[0] = datetime(2026, 3, 2, 4, 5, tzinfo=timezone.utc)  # Sunday 23:05 in New York (EST, UTC-5)
    await kinds.handlers[SNAPSHOT]({})
    assert (await weeks())[new_york] == [last]
    clock[0] = datetime(2026, 3, 2, 5, 5, tzinfo=timezone.utc)  # Monday 00:05 in New York
    await kinds.handlers[SNAPSHOT]({})
    await kinds.handlers[SNAPSHOT]({})
    assert await weeks() == {berlin: [this, last], new_york: [this, last], plain: [this, last]}, "once a week each"


async def test_a_zone_the_tz_database_lacks_counts_in_the_servers_zone():
    odd = uuid4()
    snapshots = MemoryForecastSnapshots(MemoryDatabase())
    kinds = JobKinds()
    register(kinds, OpenDeals(snapshots, {odd: "Mars/Olympus_Mons"}), snapshots, "UTC",
             now=lambda: datetime(2026, 3, 2, 0, 5, tzinfo=timezone.utc))
    await kinds.handlers[SNAPSHOT]({})
    assert [w.week for w in await snapshots.weeks(odd)] == [date(2026, 3, 2)]
