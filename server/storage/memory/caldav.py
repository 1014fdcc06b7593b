"""The in-memory twins of CalDAV sync (issue 18 item 5): ``MemoryCalendarSyncs`` (of
``server.storage.caldav``) and ``MemoryCalendarServers`` (of ``server.caldav``, a CalDAV server)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from server.domain.caldav import Changes, Counts, Item, Link, Local, Remote
from server.domain.projection import ActivityRecord, Table
from server.services.ports.caldav import CalendarError, Changed, TokenExpired
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase


class MemoryCalendarSyncs:
    """Implements ``CalendarSyncs`` (tables ``caldav_links``: user -> [link, lease holder, until];
    ``caldav_items``: user -> href -> item)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._links: dict[UUID, list] = db.table("caldav_links")
        self._items: dict[UUID, dict[str, Item]] = db.table("caldav_items")

    async def get(self, user: UUID) -> Link | None:
        found = self._links.get(user)
        return found[0] if found else None

    async def put(self, link: Link) -> None:
        self._links[link.user] = [link._replace(sync_token=None, created_at=self._db.now(), last_attempt=None,
                                                last_success=None, last_error=None, pushed=0, pulled=0, removed=0,
                                                linked=0), None, None]
        self._items[link.user] = {}

    async def drop(self, user: UUID) -> bool:
        self._items.pop(user, None)
        return self._links.pop(user, None) is not None

    async def all_users(self) -> list[UUID]:
        return sorted(self._links, key=str)

    async def lease(self, user: UUID, holder: UUID, hold: timedelta) -> bool:
        found = self._links.get(user)
        if found is None:
            return False
        now = self._db.now()
        if found[1] is not None and found[1] != holder and found[2] is not None and found[2] > now:
            return False
        found[1], found[2] = holder, now + hold
        found[0] = found[0]._replace(last_attempt=now)
        return True

    async def finished(self, user: UUID, holder: UUID, token: str | None, counts: Counts, at: datetime,
                       warning: str | None = None) -> None:
        found = self._links.get(user)
        if found is None or found[1] != holder:
            return
        found[0] = found[0]._replace(sync_token=token, last_success=at, last_error=warning[:500] if warning else None,
                                     pushed=counts.pushed, pulled=counts.pulled, removed=counts.removed,
                                     linked=len(self._items.get(user, {})))
        found[1] = found[2] = None

    async def failed(self, user: UUID, holder: UUID, error: str, at: datetime) -> None:
        found = self._links.get(user)
        if found is None or found[1] != holder:
            return
        found[0] = found[0]._replace(last_error=error[:500], last_attempt=at)
        found[1] = found[2] = None

    async def set_token(self, user: UUID, token: str | None) -> None:
        found = self._links.get(user)
        if found is not None:
            found[0] = found[0]._replace(sync_token=token)

    async def items(self, user: UUID) -> list[Item]:
        return sorted(self._items.get(user, {}).values(), key=lambda i: i.href)

    async def put_item(self, user: UUID, item: Item) -> None:
        if user not in self._links:
            return
        mine = self._items.setdefault(user, {})
        for href in [h for h, i in mine.items() if i.activity == item.activity and h != item.href]:
            del mine[href]
        mine[item.href] = item

    async def drop_item(self, user: UUID, href: str) -> None:
        self._items.get(user, {}).pop(href, None)

    async def activities(self, user: UUID, boards: Sequence[UUID]) -> list[Local]:
        found = []
        known = self._db.table("boards")
        for board in boards:
            if board not in known or known[board].archived_at is not None:
                continue
            for _, a in projected(self._db, Table.ACTIVITIES).get(board, {}).values():
                if isinstance(a, ActivityRecord) and a.assignee == user and a.due_date is not None:
                    found.append(Local(a.id, board, a.title, a.due_date, a.starts_at, a.ends_at, a.all_day,
                                       a.time_zone, a.location, a.note, a.recurrence, a.done, a.created_at))
        return sorted(found, key=lambda a: str(a.id))


class MemoryCalendar:
    """One calendar collection: resources, and a change log the sync-tokens point into."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.resources: dict[str, tuple[str, bytes]] = {}  # href -> (etag, text)
        self.log: list[tuple[str, bool]] = []  # (href, deleted) per change; a token is a position
        self.oldest = 0  # tokens before this position are forgotten
        self._writes = 0

    def write(self, href: str, text: bytes) -> str:
        self._writes += 1
        etag = '"' + hashlib.sha256(text + str(self._writes).encode()).hexdigest()[:16] + '"'
        self.resources[href] = (etag, text)
        self.log.append((href, False))
        return etag

    def remove(self, href: str) -> None:
        if self.resources.pop(href, None) is not None:
            self.log.append((href, True))

    def forget_tokens(self) -> None:
        """As a server that dropped its sync history: every earlier token is invalid."""
        self.oldest = len(self.log)


class MemoryCalendarServer:
    """Implements ``CalendarServer`` over a ``MemoryCalendar``."""

    def __init__(self, calendar: MemoryCalendar) -> None:
        self._cal = calendar
        self.path = calendar.path

    async def check(self) -> str:
        return "Memory calendar"

    async def changes(self, token: str | None) -> Changes:
        cal = self._cal
        now = f"mem:{len(cal.log)}"
        if token is None:
            return Changes(now, {h: e for h, (e, _) in cal.resources.items()}, [])
        try:
            position = int(token.removeprefix("mem:"))
        except ValueError:
            raise TokenExpired("the server no longer knows the sync-token") from None
        if not token.startswith("mem:") or position < cal.oldest or position > len(cal.log):
            raise TokenExpired("the server no longer knows the sync-token")
        touched = dict.fromkeys(h for h, _ in cal.log[position:])
        changed = {h: cal.resources[h][0] for h in touched if h in cal.resources}
        return Changes(now, changed, [h for h in touched if h not in cal.resources])

    async def listing(self) -> dict[str, str | None]:
        return {h: e for h, (e, _) in self._cal.resources.items()}

    async def fetch(self, hrefs: Sequence[str]) -> list[Remote]:
        return [Remote(h, *self._cal.resources[h]) for h in hrefs if h in self._cal.resources]

    async def put(self, href: str, ical: bytes, etag: str | None) -> str | None:
        found = self._cal.resources.get(href)
        if (etag is None and found is not None) or (etag is not None and (found is None or found[0] != etag)):
            raise Changed(f"the event {href} changed on the server meanwhile")
        return self._cal.write(href, ical)

    async def delete(self, href: str, etag: str | None) -> None:
        found = self._cal.resources.get(href)
        if found is not None and etag is not None and found[0] != etag:
            raise Changed(f"the event {href} changed on the server meanwhile")
        self._cal.remove(href)


class MemoryCalendarServers:
    """Implements ``CalendarServers``: calendars by URL, made by ``add``; users by password."""

    def __init__(self) -> None:
        self.calendars: dict[str, tuple[MemoryCalendar, str, str]] = {}

    def add(self, url: str, username: str = "me", password: str = "secret") -> MemoryCalendar:
        calendar = MemoryCalendar(urlsplit(url).path)
        self.calendars[url] = (calendar, username, password)
        return calendar

    @asynccontextmanager
    async def open(self, url: str, username: str, password: str, allow_private: bool
                   ) -> AsyncIterator[MemoryCalendarServer]:
        found = self.calendars.get(url)
        if found is None:
            raise CalendarError(f"no calendar at {url} (404)")
        if (username, password) != found[1:]:
            raise CalendarError("the server refused the user name or password (401)")
        yield MemoryCalendarServer(found[0])
