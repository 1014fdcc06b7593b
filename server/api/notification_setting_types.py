"""Bodies of ``/api/me/notification-settings``, a deal's ``/follow`` and a board's ``/mentionable``."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

Channel = Literal["in_app", "email", "off"]


class Channels(msgspec.Struct, kw_only=True):
    """Where each kind of notification goes: the bell, the bell and an e-mail at once, or nowhere."""

    assigned: Channel = "in_app"  # an activity was given to you
    mentioned: Channel = "in_app"  # you were @mentioned in a note
    deal_changed: Channel = "in_app"  # a deal you follow changed stage, or was won or lost
    reminder: Channel = "in_app"  # an activity of yours is due


class NotificationSettings(msgspec.Struct, kw_only=True):
    channels: Channels
    digest: Literal["off", "hourly", "daily"] = "off"  # an e-mail of the unread notifications
    digest_hour: int = 8  # daily: the hour (0-23) in time_zone
    time_zone: str = "UTC"  # an IANA zone (the app sends the browser's)


class NotificationSettingsAnswer(NotificationSettings, kw_only=True):
    mail_configured: bool  # whether this server sends mail (TANDEM_SMTP_URL); without it nothing is e-mailed


class Follow(msgspec.Struct, kw_only=True):
    following: bool


class Following(msgspec.Struct, kw_only=True):
    following: bool
    owner: bool  # the caller owns the deal (owners follow unless they choose not to)


class Person(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
