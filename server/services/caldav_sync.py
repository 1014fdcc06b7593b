"""CalDAV two-way sync of one calendar per user (issue 18 item 5; docs/caldav.md).

Connect: the calendar's URL, the user name and an app password; the server is asked for the
calendar first (a wrong password or a folder that is no calendar is refused in words), then the
password is sealed (``server/sealing.py``) and a first sync queued. Events made on the server land
on the board chosen at connect (the user must be able to edit it).

One run (``CalendarSync.sync``) holds the link's lease, then:

1. asks the server what changed since the stored sync-token (RFC 6578); without a token, when the
   server forgot it (``valid-sync-token``) or cannot answer ``sync-collection`` it lists every
   event and its etag instead and compares them with the items — so a lost token costs a full
   listing, never a duplicate;
2. reads the user's activities (the projection) and, per event, lets ``server.domain.caldav.decide``
   choose: push, pull, delete on one side, or nothing;
3. writes: events with ``If-Match`` / ``If-None-Match`` (someone else's write in between: that
   event waits for the next run), activities through ``Crm`` as the user (live for everyone).

The token is stored only when every event went through; otherwise the next run lists everything
again. An activity the projection does not show yet (it trails the document by a moment) is looked
up in its board document before its event is deleted on the server.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from server.domain.access import AccessDenied, NotFound, require_write
from server.domain.accounts import InvalidInput
from server.domain.caldav import (
    CalendarRefused, Counts, Fields, Incoming, Item, Link, Local, Remote, Step, activity_id, check_url, decide, digest,
    event_text, href_of, local_fields, parse_event, values_of,
)
from server.domain.crm import Activity
from server.domain.series import moved_values
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.crm import Crm
from server.services.jobs import JobKinds
from server.services.ports.caldav import (
    CalendarError, CalendarServer, CalendarServers, Changed, SyncUnsupported, TokenExpired,
)
from server.services.ports.attendees import Attendees
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Sealer

log = logging.getLogger(__name__)

SYNC, POLL = "caldav.sync", "caldav.poll"
LEASE = timedelta(minutes=10)
PAST = timedelta(days=90)  # new on one side and older than this (and not repeating): not copied to the other


class Status(NamedTuple):
    link: Link | None
    running: bool = False


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


async def enqueue_sync(tx: Unit, user: UUID, asked: bool = True) -> None:
    """A sync of ``user``'s calendar when ``tx`` commits; the schedule's only while none waits."""
    await tx.jobs.enqueue(SYNC, {"user": str(user)}, dedupe_key=None if asked else f"caldav:{user}")


class CalendarSync:
    """Connect, status, disconnect, Sync now — and the sync itself (a job)."""

    def __init__(self, begin: Begin, sealer: Sealer, servers: CalendarServers, boards: Boards, crm: Crm,
                 allow_private: bool = False) -> None:
        self._begin, self._sealer, self._servers = begin, sealer, servers
        self._boards, self._crm, self._allow_private = boards, crm, allow_private

    # --- the settings screen -----------------------------------------------------------------------

    async def connect(self, caller: Caller, board: UUID, url: str, username: str, password: str) -> Link:
        url = check_url(url)
        username = (username or "").strip()
        if not username or len(username) > 320:
            raise InvalidInput("username: expected the calendar account's user name (1-320 characters)")
        if not password or len(password) > 1000:
            raise InvalidInput("password: expected the app password (1-1000 characters)")
        view = await self._boards.get(caller, board)
        require_write(view.access)
        try:
            async with self._servers.open(url, username, password, self._allow_private) as server:
                await server.check()
        except CalendarError as error:
            raise CalendarRefused(f"url: {error}") from None
        try:
            secret = self._sealer.seal(password.encode())
        except RuntimeError as error:  # sealing.MissingKey: no TANDEM_SECRET_KEY
            raise CalendarRefused(str(error)) from None
        link = Link(caller.id, view.board.workspace_id, board, url, username, secret)
        async with self._begin() as tx:
            await tx.calendar_syncs.put(link)
            await enqueue_sync(tx, caller.id)
            found = await tx.calendar_syncs.get(caller.id)
        assert found is not None
        return found

    async def status(self, caller: Caller) -> Link | None:
        async with self._begin() as tx:
            return await tx.calendar_syncs.get(caller.id)

    async def disconnect(self, caller: Caller) -> None:
        async with self._begin() as tx:
            if not await tx.calendar_syncs.drop(caller.id):
                raise NotFound("no calendar is connected")

    async def sync_now(self, caller: Caller) -> None:
        async with self._begin() as tx:
            if await tx.calendar_syncs.get(caller.id) is None:
                raise NotFound("no calendar is connected")
            await enqueue_sync(tx, caller.id)

    # --- the run -----------------------------------------------------------------------------------

    async def sync(self, user: UUID) -> Counts | None:
        """One run for ``user``'s calendar; None if none is connected or another run holds it.
        A failure is recorded in words (the status) and not raised: the next run tries again."""
        holder = uuid4()
        async with self._begin() as tx:
            link = await tx.calendar_syncs.get(user)
            if link is None or not await tx.calendar_syncs.lease(user, holder, LEASE):
                return None
            person = await tx.users.by_id(user)
        if person is None:
            return None
        caller = Caller(person.id, person.email, person.name, b"", now_utc() + LEASE, person.locale)
        try:
            password = self._sealer.unseal(link.secret).decode()
            async with self._servers.open(link.url, link.username, password, self._allow_private) as server:
                run = _Run(self, link, caller, server)
                counts, token, trouble = await run.go()
        except (CalendarError, InvalidInput, AccessDenied, RuntimeError) as error:
            async with self._begin() as tx:
                await tx.calendar_syncs.failed(user, holder, str(error) or error.__class__.__name__, now_utc())
            log.info("calendar sync of %s failed: %s", user, error)
            return None
        except BaseException:
            async with self._begin() as tx:
                await tx.calendar_syncs.failed(user, holder, "the sync stopped on an internal error; it is retried",
                                               now_utc())
            raise
        async with self._begin() as tx:
            await tx.calendar_syncs.finished(user, holder, None if trouble else token, counts, now_utc(), trouble)
        return counts

    def register(self, kinds: JobKinds, poll_cron: str) -> None:
        """``caldav.sync`` (one user's calendar) and, on ``poll_cron``, ``caldav.poll`` (each one)."""

        @kinds.handle(SYNC)
        async def sync_one(payload: dict[str, Any]) -> None:
            counts = await self.sync(UUID(payload["user"]))
            if counts is not None and any(counts):
                log.info("calendar of %s: %d pushed, %d pulled, %d removed", payload["user"], *counts)

        @kinds.handle(POLL)
        async def poll(payload: dict[str, Any]) -> None:
            async with self._begin() as tx:
                for user in await tx.calendar_syncs.all_users():
                    await enqueue_sync(tx, user, asked=False)

        if poll_cron:
            kinds.every(POLL, poll_cron)


class _Run:
    """One sync of one calendar (see the module docstring)."""

    def __init__(self, sync: CalendarSync, link: Link, caller: Caller, server: CalendarServer) -> None:
        self.s, self.link, self.caller, self.server = sync, link, caller, server
        self.user = link.user
        self.pushed = self.pulled = self.removed = 0
        self.trouble: list[str] = []
        self.horizon = (now_utc() - PAST).date()
        self.own = (caller.email or "").lower()
        self.names: dict[tuple[UUID, str], tuple[str, UUID] | None] = {}  # (board, address) -> user / contact
        self.views: dict[UUID, Any] = {}

    async def _enrich(self, tx: Unit, boards: list[UUID], mine: dict[UUID, Local]) -> dict[UUID, Local]:
        """The activities with their series' exception days and their attendees' addresses."""
        skipped = await tx.series_exceptions.of_boards(boards)
        attending: dict[tuple[UUID, UUID], Attendees] = {}
        for board in sorted({a.board for a in mine.values()}, key=str):
            for activity, who in (await tx.attendees.of_board(board)).items():
                if activity in mine:
                    attending[(board, activity)] = who
        users = {u for who in attending.values() for u in who.users if u != self.user}
        contacts = {c for who in attending.values() for c in who.contacts}
        user_mail: dict[UUID, str] = {}
        for user in sorted(users, key=str):
            person = await tx.users.by_id(user)
            if person is not None:
                user_mail[user] = person.email.lower()
        contact_mail = {c.id: c.values.emails[0].lower() for c in await tx.contacts.by_ids(sorted(contacts, key=str))
                        if c.deleted_at is None and c.values.emails}
        out = {}
        for a in mine.values():
            who = attending.get((a.board, a.id), Attendees())
            addresses = {user_mail[u] for u in who.users if u in user_mail} | {
                contact_mail[c] for c in who.contacts if c in contact_mail}
            out[a.id] = a._replace(exceptions=frozenset(skipped.get((a.board, a.id), ())),
                                   attendees=tuple(sorted(addresses - {self.own})))
        return out

    async def _view(self, board: UUID) -> Any:
        if board not in self.views:
            try:
                self.views[board] = await self.s._boards.get(self.caller, board)
            except (AccessDenied, NotFound):
                self.views[board] = None
        return self.views[board]

    async def _names(self, board: UUID, addresses: Any) -> dict[str, tuple[str, UUID]]:
        """Which of ``addresses`` name a user who reaches ``board`` (not the calendar's owner) or,
        for a member of its workspace, a live contact there: address -> ("user" | "contact", id)."""
        wanted = sorted({a for a in addresses if a and a != self.own and (board, a) not in self.names})
        if wanted:
            view = await self._view(board)
            async with self.s._begin() as tx:
                left = []
                for address in wanted:
                    person = await tx.users.by_email(address)
                    if person is not None and person.id != self.user and await tx.board_reach.reaches(board, person.id):
                        self.names[(board, address)] = ("user", person.id)
                    else:
                        left.append(address)
                        self.names[(board, address)] = None
                if left and view is not None and view.role is not None:  # a guest names no contacts
                    for address, contact in (await tx.lookups.contacts_by_email(view.board.workspace_id, left)).items():
                        self.names[(board, address.lower())] = ("contact", contact)
        found = {}
        for a in addresses:
            name = self.names.get((board, a))
            if name is not None:
                found[a] = name
        return found

    async def _known(self, incoming: Incoming, board: UUID) -> Incoming:
        """``incoming`` with only the attendees Tandem can name (others stay on the server only)."""
        names = await self._names(board, incoming.fields.attendees)
        return incoming._replace(fields=incoming.fields._replace(
            attendees=tuple(sorted(a for a in incoming.fields.attendees if a in names))))

    async def go(self) -> tuple[Counts, str | None, str | None]:
        begin = self.s._begin
        async with begin() as tx:
            items = {i.href: i for i in await tx.calendar_syncs.items(self.user)}
            boards = await tx.board_reach.visible_boards(self.user)
            mine = {a.id: a for a in await tx.calendar_syncs.activities(self.user, boards)}
            mine = await self._enrich(tx, boards, mine)
        changed, deleted, token = await self._server_changes(items)
        fetched = {r.href: r for r in await self.server.fetch(sorted(changed))} if changed else {}
        gone = set(deleted) | {h for h in changed if h not in fetched}
        seen: set[UUID] = set()

        # Events the server has that Tandem does not know yet (by href): link by UID, or pull.
        for href, remote in sorted(fetched.items()):
            if href in items:
                continue
            incoming = parse_event(remote.ical)
            if incoming is None:
                continue
            own = _uuid(incoming.uid)
            target = own if own is not None and own in mine else activity_id(self.user, incoming.uid)
            incoming = await self._known(incoming, mine[target].board if target in mine else self.link.board)
            if target not in mine and not self._recent(incoming.fields.recurrence,
                                                       incoming.fields.day or _day(incoming.fields.start)):
                continue  # years of calendar history do not become activities
            old = next((i for i in items.values() if i.activity == target), None)
            if old is not None:  # the same activity under another href: this copy is a duplicate
                continue
            seen.add(target)
            local = mine.get(target)
            if local is None:
                await self._guard(self._pull(href, remote, incoming, None, None))
                continue
            ours = digest(local_fields(local))
            theirs = digest(incoming.fields)
            if ours == theirs:
                await self._record(Item(href, target, local.board, remote.etag, ours, incoming.stamp,
                                        remote.ical.decode()))
            elif (incoming.stamp or datetime.min.replace(tzinfo=timezone.utc)) > (
                    local.changed_at or datetime.min.replace(tzinfo=timezone.utc)):
                await self._guard(self._pull(href, remote, incoming, local, None))
            else:
                old_item = Item(href, target, local.board, remote.etag, theirs, incoming.stamp, remote.ical.decode())
                await self._guard(self._push(local, old_item))

        # Events both sides knew.
        for href, item in sorted(items.items()):
            seen.add(item.activity)
            local = mine.get(item.activity)
            remote = fetched.get(href)
            incoming = parse_event(remote.ical) if remote is not None else None
            if incoming is not None:
                incoming = await self._known(incoming, item.board)
            remote_changed = incoming is not None and digest(incoming.fields) != item.digest
            if remote is not None:  # writes go over the server's newest version, keeping its exceptions
                item = item._replace(etag=remote.etag, ical=remote.ical.decode())
            if remote is not None and incoming is None and href not in gone:
                continue  # no longer an event we read (a VTODO now?): leave both alone
            step = decide(local=local, local_digest=digest(local_fields(local)) if local else None, item=item,
                          remote_changed=remote_changed, remote_gone=href in gone,
                          remote_stamp=incoming.stamp if incoming else None)
            if step == Step.KEEP and remote is not None and remote.etag != item.etag:
                await self._record(item._replace(etag=remote.etag, ical=remote.ical.decode()))
            elif step == Step.PUSH and local is not None:
                await self._guard(self._push(local, None if href in gone else item))
            elif step == Step.PULL and remote is not None and incoming is not None:
                await self._guard(self._pull(href, remote, incoming, local, item))
            elif step == Step.DELETE_REMOTE:
                await self._guard(self._delete_remote(item))
            elif step == Step.DELETE_LOCAL:
                await self._guard(self._delete_local(item))
            elif step == Step.FORGET:
                await self._forget(href)

        # Activities the server has never seen.
        for local in mine.values():
            if local.id not in seen and self._recent(local.recurrence, local.due_date):
                await self._guard(self._push(local, None))
        trouble = None
        if self.trouble:
            trouble = (f"{len(self.trouble)} event(s) could not be synced and are tried again at the next sync: "
                       + "; ".join(self.trouble[:3]))
        return Counts(self.pushed, self.pulled, self.removed), token, trouble

    def _recent(self, recurrence: str | None, day: date | None) -> bool:
        return recurrence is not None or (day is not None and day >= self.horizon)

    async def _server_changes(self, items: dict[str, Item]) -> tuple[dict[str, str | None], list[str], str | None]:
        """(href -> etag of events to read, hrefs deleted, the new token)."""
        token = self.link.sync_token
        if token is not None:
            try:
                found = await self.server.changes(token)
                changed = {h: e for h, e in found.changed.items()
                           if h not in items or e is None or items[h].etag != e}
                return changed, [h for h in found.deleted if h in items], found.token
            except TokenExpired:
                log.info("calendar of %s: the server forgot the sync-token; listing everything", self.user)
            except SyncUnsupported:
                pass
        try:
            found = await self.server.changes(None)
            listing, new_token = found.changed, found.token
        except SyncUnsupported:
            listing, new_token = await self.server.listing(), None
        changed = {h: e for h, e in listing.items() if h not in items or e is None or items[h].etag != e}
        return changed, [h for h in items if h not in listing], new_token

    async def _guard(self, work: Any) -> None:
        """Run one event's step; a refusal skips that event (said in the status), not the run."""
        try:
            await work
        except Changed as error:
            self.trouble.append(str(error))
        except (InvalidInput, AccessDenied) as error:  # a value Tandem refuses, a board no longer writable
            self.trouble.append(str(error))

    async def _record(self, item: Item) -> None:
        async with self.s._begin() as tx:
            await tx.calendar_syncs.put_item(self.user, item)

    async def _forget(self, href: str) -> None:
        async with self.s._begin() as tx:
            await tx.calendar_syncs.drop_item(self.user, href)

    async def _push(self, local: Local, item: Item | None) -> None:
        fields = local_fields(local)
        stamp = now_utc()
        href = item.href if item is not None else href_of(self.server.path, local.id)
        known: set[str] = set()
        before = parse_event(item.ical) if item is not None else None
        if before is not None:  # the server's attendees Tandem names: removing one here removes it there
            known = set(await self._names(local.board, before.fields.attendees))
        text = event_text(local.id, fields, stamp, item.ical if item is not None else None, known)
        etag = await self.server.put(href, text, item.etag if item is not None else None)
        await self._record(Item(href, local.id, local.board, etag, digest(fields), stamp, text.decode()))
        self.pushed += 1

    async def _pull(self, href: str, remote: Remote, incoming: Incoming, local: Local | None,
                    item: Item | None) -> None:
        values = values_of(incoming.fields, self.user)
        target = (local.id if local is not None else item.activity if item is not None
                  else activity_id(self.user, incoming.uid))
        board = local.board if local is not None else item.board if item is not None else self.link.board
        existing = await self._existing(board, target)
        if existing is not None:
            await self.s._crm.update_activity(self.caller, board, target, values)
        else:
            if item is not None and item.board != self.link.board:
                board = self.link.board
            await self.s._crm.create_activity(self.caller, board, {"type": "meeting", **values}, activity=target)
        await self._exceptions(board, target, incoming)
        await self._attendees(board, target, incoming)
        await self._record(Item(href, target, board, remote.etag, digest(incoming.fields), incoming.stamp,
                                remote.ical.decode()))
        self.pulled += 1

    async def _exceptions(self, board: UUID, series: UUID, incoming: Incoming) -> None:
        """The server's EXDATEs and overridden occurrences become the series' exceptions: a
        cancelled day, or a moved one — a single activity (its id derived from the UID and the
        day, so reading it again makes no second) takes its place, and is its own event from the
        next sync on (the series then carries an EXDATE for that day instead of the override).
        An exception Tandem has and the server dropped stays (there is no undoing one yet)."""
        if not incoming.fields.recurrence or not (incoming.fields.exdays or incoming.overrides):
            return
        view = await self._view(board)
        if view is None:
            return
        async with self.s._begin() as tx:
            have = await tx.series_exceptions.days(board, series)
            for day in incoming.fields.exdays:
                if day not in have:
                    await tx.series_exceptions.add(view.board.workspace_id, board, series, day, None)
            cancelled = [day for day, f in incoming.overrides if f is None and day not in have]
            for day in cancelled:
                await tx.series_exceptions.add(view.board.workspace_id, board, series, day, None)
        moved = [(day, f) for day, f in incoming.overrides if f is not None and day not in have
                 and day not in incoming.fields.exdays]
        if not moved:
            return
        found = await self._existing(board, series)
        if found is None:
            return
        for day, f in moved:
            single = activity_id(self.user, f"{incoming.uid}#{day.isoformat()}")
            if await self._existing(board, single) is None:
                values = moved_values(found, f.start if f.start is not None else f.day, f.end)
                values.update(title=f.title, location=f.location, note=f.note)
                await self.s._crm.create_activity(self.caller, board, {k: v for k, v in values.items()
                                                                      if v is not None}, activity=single)
            async with self.s._begin() as tx:
                await tx.series_exceptions.add(view.board.workspace_id, board, series, day, single)
            self.pulled += 1

    async def _attendees(self, board: UUID, activity: UUID, incoming: Incoming) -> None:
        """The event's attendees Tandem can name become the activity's (a guest's: users only)."""
        view = await self._view(board)
        if view is None:
            return
        names = await self._names(board, incoming.fields.attendees)
        users = tuple(i for kind, i in names.values() if kind == "user")
        contacts = tuple(i for kind, i in names.values() if kind == "contact")
        async with self.s._begin() as tx:
            before = await tx.attendees.of_activity(board, activity)
            if view.role is None:
                contacts = before.contacts
            wanted = Attendees(tuple(sorted(users, key=str)), tuple(sorted(contacts, key=str)))
            if (set(before.users), set(before.contacts)) != (set(wanted.users), set(wanted.contacts)):
                await tx.attendees.set(view.board.workspace_id, board, activity, wanted)

    async def _delete_remote(self, item: Item) -> None:
        found = await self._existing(item.board, item.activity)
        if found is not None and found.assignee == self.user and found.due is not None:
            return  # the projection has not caught up with it yet: still the user's
        await self.server.delete(item.href, item.etag)
        await self._forget(item.href)
        self.removed += 1

    async def _delete_local(self, item: Item) -> None:
        try:
            await self.s._crm.delete_activity(self.caller, item.board, item.activity)
        except NotFound:
            pass  # the board is gone or no longer the user's to see
        await self._forget(item.href)
        self.removed += 1

    async def _existing(self, board: UUID, activity: UUID) -> Activity | None:
        try:
            return await self.s._crm.activity(self.caller, board, activity)
        except AccessDenied:
            return None


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text.removesuffix("@tandem"))
    except ValueError:
        return None


__all__ = ["CalendarSync", "Fields", "POLL", "SYNC", "Status", "enqueue_sync"]
