"""Bodies of the CalDAV sync API (issue 18 item 5, docs/caldav.md)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class CalendarConnect(msgspec.Struct, kw_only=True):
    """The calendar collection's address (``https://dav.example.com/calendars/me/work/``), the
    account's user name and an app password; events made on the server go to ``board``."""

    url: str
    username: str
    password: str
    board: UUID


class CalendarSyncStatus(msgspec.Struct, kw_only=True):
    """``connected`` false: nothing else is set. ``last_error`` in words (None after a clean run);
    the counts are the last successful run's; ``linked``: events both sides know;
    ``full_listing``: the next run lists every event (no sync-token yet, or the last was refused)."""

    connected: bool
    url: str | None = None
    username: str | None = None
    board: UUID | None = None
    workspace: UUID | None = None
    connected_at: datetime | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    pushed: int = 0
    pulled: int = 0
    removed: int = 0
    linked: int = 0
    full_listing: bool = True
