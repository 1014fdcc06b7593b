"""CalDAV sync (issue 18 item 5): the remote calendar (``CalendarServer``, opened through
``CalendarServers``) and the sync's own rows (``CalendarSyncs``: the link, its status and lease, the
events both sides know, and the user's activities as the projection holds them)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from server.domain.caldav import Changes, Counts, Item, Link, Local, Remote


class CalendarError(Exception):
    """The server could not be reached, refused the sign-in, or answered what we did not expect;
    the message says which, in words a user can act on."""


class TokenExpired(CalendarError):
    """The server no longer knows the sync-token (RFC 6578 ``valid-sync-token``): list everything."""


class SyncUnsupported(CalendarError):
    """The collection does not answer ``sync-collection``: list everything and compare etags."""


class Changed(CalendarError):
    """A conditional write found the event changed (or made) on the server meanwhile (412)."""


class CalendarServer(Protocol):
    """One calendar collection on a CalDAV server."""

    path: str  # the collection's path, where new events go (``<path><id>.ics``)

    async def check(self) -> str:
        """The calendar's display name; ``CalendarError`` if it is not a calendar we may write."""
        ...

    async def changes(self, token: str | None) -> Changes:
        """What changed since ``token`` (None: everything, as changed); ``TokenExpired`` or
        ``SyncUnsupported`` when the caller must fall back to ``listing``."""
        ...

    async def listing(self) -> dict[str, str | None]:
        """Every event resource: href -> etag."""
        ...

    async def fetch(self, hrefs: Sequence[str]) -> list[Remote]:
        """The resources at ``hrefs`` (those gone meanwhile left out)."""
        ...

    async def put(self, href: str, ical: bytes, etag: str | None) -> str | None:
        """Write the event: only over ``etag`` if given, only as new if None (``Changed`` if not so);
        the new etag, when the server tells it."""
        ...

    async def delete(self, href: str, etag: str | None) -> None:
        """Delete the event (only over ``etag`` if given; ``Changed`` if it changed); gone already is fine."""
        ...


class CalendarServers(Protocol):
    def open(self, url: str, username: str, password: str, allow_private: bool) -> AbstractAsyncContextManager[
            CalendarServer]:
        """A session with the calendar at ``url``; ``CalendarError`` if the host is refused (a private
        or loopback address, unless ``allow_private``) or does not resolve."""
        ...


class CalendarSyncs(Protocol):
    async def get(self, user: UUID) -> Link | None:
        ...

    async def put(self, link: Link) -> None:
        """Connect ``link`` (replacing the user's earlier one, its token, items and status)."""
        ...

    async def drop(self, user: UUID) -> bool:
        """Disconnect; the activities stay, the server's events too. False if none was connected."""
        ...

    async def all_users(self) -> list[UUID]:
        """Every user with a connected calendar (the periodic sync)."""
        ...

    async def lease(self, user: UUID, holder: UUID, hold: timedelta) -> bool:
        """Take the user's sync lease for ``hold``; False while another holder's has not run out."""
        ...

    async def finished(self, user: UUID, holder: UUID, token: str | None, counts: Counts, at: datetime,
                       warning: str | None = None) -> None:
        """A run ended: the new sync-token, its counts, ``warning`` (events it skipped, in words) as
        the last error; the lease released."""
        ...

    async def failed(self, user: UUID, holder: UUID, error: str, at: datetime) -> None:
        """A run failed (the error in words); the lease released. Token and items stay."""
        ...

    async def set_token(self, user: UUID, token: str | None) -> None:
        ...

    async def items(self, user: UUID) -> list[Item]:
        ...

    async def put_item(self, user: UUID, item: Item) -> None:
        """Record (or replace, by href or by activity) an event both sides know."""
        ...

    async def drop_item(self, user: UUID, href: str) -> None:
        ...

    async def activities(self, user: UUID, boards: Sequence[UUID]) -> list[Local]:
        """The user's activities on ``boards`` with a due day or time (the projection)."""
        ...
