"""What arrives where (issue 18 item 3): per user and kind of notification a channel — the bell
(``in_app``), the bell and an e-mail at once (``email``) or nothing (``off``) — and a digest of the
unread ones by e-mail (``off``, ``hourly``, or ``daily`` at an hour of the user's zone). Who follows
a deal, and which user ids a note's @mentions name. Pure rules: no I/O."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.accounts import InvalidInput

KINDS = ("assigned", "mentioned", "deal_changed", "reminder")  # what a user chooses for (automation: always in_app)
CHANNELS = ("in_app", "email", "off")
DIGESTS = ("off", "hourly", "daily")
IN_APP, EMAIL, OFF = CHANNELS


class NotificationPrefs(NamedTuple):
    channels: dict[str, str]  # kind -> channel; a kind not named is in_app
    digest: str = "off"
    digest_hour: int = 8  # daily: the hour of the day in ``time_zone``
    time_zone: str = "UTC"


DEFAULT = NotificationPrefs({})


class DigestState(NamedTuple):
    """The period whose digest was sent last, and when (None: never)."""

    period: str | None
    at: datetime | None


def channel(prefs: NotificationPrefs, kind: str) -> str:
    """Where a notification of ``kind`` goes for a user with ``prefs``."""
    return prefs.channels.get(kind, IN_APP) if kind in KINDS else IN_APP


def checked(channels: dict[str, Any], digest: str, digest_hour: int, time_zone: str) -> NotificationPrefs:
    """Settings as a user sends them, or ``InvalidInput`` naming the field that is wrong."""
    for kind, value in channels.items():
        if kind not in KINDS:
            raise InvalidInput(f"channels: expected kinds {', '.join(KINDS)}, got {kind!r}")
        if value not in CHANNELS:
            raise InvalidInput(f"channels.{kind}: expected one of {', '.join(CHANNELS)}, got {value!r}")
    if digest not in DIGESTS:
        raise InvalidInput(f"digest: expected one of {', '.join(DIGESTS)}, got {digest!r}")
    if not 0 <= digest_hour <= 23:
        raise InvalidInput(f"digest_hour: expected an hour from 0 to 23, got {digest_hour}")
    zone_of(time_zone, "time_zone")
    return NotificationPrefs(dict(channels), digest, digest_hour, time_zone)


def zone_of(name: str, field: str = "time_zone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"{field}: expected an IANA time zone such as Europe/Berlin, got {name!r}") from exc


def digest_period(prefs: NotificationPrefs, now: datetime) -> str | None:
    """The period whose digest is due at ``now``, or None: hourly, the UTC hour (``2026-12-06T18``);
    daily, the user's local day once its hour has come (``2026-12-06``). A period is sent once: the
    caller compares it with the last one sent."""
    if prefs.digest == "hourly":
        return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H")
    if prefs.digest == "daily":
        local = now.astimezone(zone_of(prefs.time_zone))
        return local.date().isoformat() if local.hour >= prefs.digest_hour else None
    return None


def followers(owner: UUID | None, choices: dict[UUID, bool]) -> set[UUID]:
    """Who follows a deal: everyone who chose to, and its owner unless they chose not to."""
    following = {user for user, follows in choices.items() if follows}
    if owner is not None and choices.get(owner, True):
        following.add(owner)
    return following


def follows(user: UUID, owner: UUID | None, choices: dict[UUID, bool]) -> bool:
    return user in followers(owner, choices)


def mentioned_ids(ids: list[Any]) -> set[UUID]:
    """The user ids a note's mention nodes carry (their ``id`` attribute); others are skipped."""
    found: set[UUID] = set()
    for raw in ids:
        try:
            found.add(UUID(str(raw)))
        except ValueError:
            continue
    return found
