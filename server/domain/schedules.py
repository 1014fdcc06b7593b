"""When a schedule trigger ticks: a five-field cron read as wall-clock time in an IANA time zone.

The cron is evaluated on local wall-clock times (croniter over naive datetimes) and each local time
is then placed on the UTC timeline (``instant``), DST-correct:

- a local time that exists once is that instant ("0 9 * * 1" fires at 09:00 local in winter and in
  summer: 08:00 UTC, then 07:00 UTC);
- a local time skipped by a spring-forward switch (02:30 on Berlin's March switch day) fires once,
  at the first valid time after the gap (03:00 CEST); several skipped times land on that one
  instant, so they fire once between them;
- a local time repeated by a fall-back switch (02:30 on Berlin's October switch day) fires once,
  at its first occurrence (02:30 CEST); the second pass through the hour fires nothing.

Placing local times this way never goes backwards (a later local time is never an earlier instant),
so the next tick after an instant is the first placed time after it, and the last tick at or before
it is the last placed time not after it. Ticks are answered in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

UTC_NAME = "UTC"
_MARGIN = timedelta(hours=26)  # wider than any DST shift (and Samoa's skipped day): no tick is missed
_SCAN = 10_000  # local times looked at before giving up (a cron such as "0 0 30 2 *" never ticks)


class NoTick(ValueError):
    """A cron expression that does not tick within the scan (February 30th)."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``ValueError`` naming what was expected when it is none."""
    if not isinstance(name, str) or not name or name not in _zone_names():
        raise ValueError(f"expected an IANA time zone such as Europe/Berlin, got {name!r:.80}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone such as Europe/Berlin, got {name!r:.80}") from None


@cache
def _zone_names() -> frozenset[str]:
    """The zone names this machine's tz database knows (read once: it lists a directory tree)."""
    return frozenset({*available_timezones(), UTC_NAME})


def instant(local: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant a naive local wall time fires at: itself, its first occurrence when repeated,
    the end of the gap when skipped."""
    first = local.replace(tzinfo=tz, fold=0)
    if _exists(local, tz):
        return first.astimezone(timezone.utc)
    probe = local.replace(second=0, microsecond=0)
    while not _exists(probe, tz):  # minute by minute to the gap's end (gaps are whole minutes)
        probe += timedelta(minutes=1)
    return probe.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    back = local.replace(tzinfo=tz, fold=0).astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    return back == local


def _placed(cron: str, tz: ZoneInfo, start: datetime, forward: bool) -> Iterator[datetime]:
    ticks = croniter(cron, start)
    for _ in range(_SCAN):
        yield instant(ticks.get_next(datetime) if forward else ticks.get_prev(datetime), tz)
    raise NoTick(f"the cron expression {cron!r} does not tick")


def _wall(at: datetime, tz: ZoneInfo) -> datetime:
    return at.astimezone(tz).replace(tzinfo=None)


def next_ticks(cron: str, zone_name: str, after: datetime, count: int = 3) -> list[datetime]:
    """The first ``count`` ticks strictly after ``after`` (aware), in UTC."""
    tz = zone(zone_name)
    found: list[datetime] = []
    for tick in _placed(cron, tz, _wall(after, tz) - _MARGIN, forward=True):
        if tick > after and (not found or tick > found[-1]):  # skipped times share one instant: once
            found.append(tick)
            if len(found) == count:
                return found
    return found  # pragma: no cover - _placed raises first


def last_tick(cron: str, zone_name: str, at: datetime) -> datetime:
    """The latest tick at or before ``at`` (aware), in UTC."""
    tz = zone(zone_name)
    for tick in _placed(cron, tz, _wall(at, tz) + _MARGIN, forward=False):
        if tick <= at:
            return tick
    raise NoTick(f"the cron expression {cron!r} does not tick")  # pragma: no cover
