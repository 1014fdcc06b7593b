"""The mailbox sync (issue 17 item 3): new messages of a connected mailbox filed onto the timeline.

One run (``MailSync.sync``, the ``mailbox.sync`` job) takes the mailbox's lease — the per-mailbox
lock: a second run, on this worker or another, finds it held and leaves — opens the folder with
EXAMINE and reads what arrived above the cursor (UIDVALIDITY + the highest UID filed) with
``BODY.PEEK[]``, so nothing is marked read. Messages are filed in batches; each batch is one
transaction that files its messages, moves the cursor past them and renews the lease, so a run
killed mid-way resumes after its last whole batch, and the Message-ID (unique per workspace) keeps
any overlap from being filed twice. A changed UIDVALIDITY restarts from UID 1 under the same rule.
A mailbox emptied on the server just has nothing above the cursor (its UIDs are never reused).

A message is filed when one of its addresses (besides the mailbox's own) is a live contact's: under
those contacts, their organisations and their open deals. Mail with no contact on it is not kept:
a CRM is not an archive of someone's inbox (a contact added later gets earlier mail with "re-sync
from date"). A reply threads onto its conversation by In-Reply-To / References.

Every run ends in a status the owner can trust: last success, messages filed, or the last error
in words; never "synced" while nothing was read.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import AccessDenied, Action, permit
from server.domain.inbound_mail import ancestors, correspondents, parse, thread_of
from server.domain.mailboxes import Cursor, Direction, Email, Filing, Mailbox, NewEmail, SyncStatus
from server.domain.webhooks import address_allowed
from server.services.email_events import on_reply_filed
from server.services.ports.mailbox_folders import SENT
from server.services.timeline_feed import announce, filing_keys
from server.services.jobs import JobKinds
from server.services.ports.mailboxes import FetchedMessage, Folder, ImapSession, MailServerError, MailServers
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Sealer
from server.services.workspaces import role_of
from server.settings import Settings

log = logging.getLogger(__name__)

SYNC = "mailbox.sync"
POLL = "mailbox.poll"
AGAIN = timedelta(seconds=5)  # an asked-for sync that found another running waits this long


def dedupe_key(mailbox: UUID, asked: bool = True) -> str:
    return f"mailbox-sync:{mailbox}" + (":asked" if asked else "")


async def enqueue_sync(tx: Unit, mailbox: UUID, asked: bool = True) -> None:
    """Ask for a sync of ``mailbox`` when ``tx`` commits. The schedule's: once while one waits or
    runs. ``asked`` (by its owner: connect, Sync now, Re-sync): always queued — a dedupe key would
    drop it while a run that has already looked is still finishing — and run even while a failing
    mailbox rests; one that finds a run under way comes back ``AGAIN`` later."""
    await tx.jobs.enqueue(SYNC, {"mailbox": str(mailbox), "asked": asked},
                          dedupe_key=None if asked else dedupe_key(mailbox, asked))


class SyncPolicy(NamedTuple):
    batch: int = 100  # messages per transaction
    lease: timedelta = timedelta(minutes=5)  # a killed run's lock lapses after this
    allow_private: bool = False  # mail servers on loopback / private addresses (on-premise, tests)
    idle: float = 0.0  # after reading, wait this long in IMAP IDLE for new mail (0: poll only)
    # A failing mailbox is polled at most this often: a server that refuses the password sees few
    # attempts (providers lock an account after many failed sign-ins); its owner can still ask.
    rest: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings: Settings) -> SyncPolicy:
        lease = cls._field_defaults["lease"]
        idle = min(max(settings.mailbox_idle_seconds, 0.0), lease.total_seconds() / 2)  # the lease outlives it
        return cls(batch=max(settings.mailbox_sync_batch, 1), allow_private=settings.mailboxes_allow_private,
                   idle=idle)


class Report(NamedTuple):
    filed: int  # messages filed in this run
    read: int  # messages read from the server (filed, known already, or with no contact on them)


class LeaseLost(Exception):
    """Another run took the mailbox's lease (this one overran it): stop without filing more."""


# Told of every message a run reads (filed or not: a bounce names no contact), in the batch's
# transaction: the sequences stop on a reply or a bounce (services/sequences.py).
InboundHook = Callable[[Unit, Mailbox, Sequence[bytes]], Awaitable[None]]


class MailSync:
    def __init__(self, begin: Begin, sealer: Sealer, servers: MailServers, policy: SyncPolicy = SyncPolicy(),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), on_mail: InboundHook | None = None) -> None:
        self._begin, self._sealer, self._servers, self._policy, self._clock = begin, sealer, servers, policy, clock
        self._on_mail = on_mail

    async def sync(self, mailbox_id: UUID, asked: bool = True) -> Report | None:
        """Read the mailbox's new messages and file them; None when another run holds its lease, it is
        gone, or (``asked`` False: the schedule) it failed less than ``rest`` ago. A server or sign-in
        failure is recorded in words (and not raised: polling retries)."""
        holder = uuid.uuid4()
        async with self._begin() as tx:
            if not await tx.mailbox_sync.lease(mailbox_id, holder, self._policy.lease):
                if asked:  # a run is under way and may have looked already: this one comes back shortly
                    await tx.jobs.enqueue(SYNC, {"mailbox": str(mailbox_id), "asked": True}, after=AGAIN,
                                          dedupe_key=f"{dedupe_key(mailbox_id)}:again")
                return None
            mailbox = await tx.mailboxes.get(mailbox_id)
            allowed = mailbox is not None and await may_file(tx, mailbox)
        if mailbox is None:
            return None
        if not asked and _resting(mailbox, self._clock(), self._policy.rest):
            await self._release(mailbox.id, holder)
            return None
        if not allowed:  # removed from the workspace, or made a viewer: their mail is no longer filed here
            await self._end(mailbox.id, holder, error="the mailbox's owner may no longer add to this workspace's "
                                                      "contacts, so nothing is synced")
            return None
        try:
            report = await self._run(mailbox, holder)
        except MailServerError as error:
            await self._end(mailbox.id, holder, error=str(error))
            return None
        except LeaseLost:
            return None  # the run that took over reports
        except asyncio.CancelledError:  # the worker stops: the job is put back; free the lock for it
            await asyncio.shield(self._release(mailbox.id, holder))
            raise
        except Exception:
            await self._end(mailbox.id, holder, error="the sync stopped on an internal error; it will be tried again")
            raise
        await self._end(mailbox.id, holder)
        return report

    async def _release(self, mailbox: UUID, holder: UUID) -> None:
        async with self._begin() as tx:
            await tx.mailbox_sync.release(mailbox, holder)

    async def _end(self, mailbox: UUID, holder: UUID, error: str | None = None) -> None:
        async with self._begin() as tx:
            if error is None:
                await tx.mailbox_sync.succeeded(mailbox, self._clock())
            else:
                await tx.mailbox_sync.failed(mailbox, self._clock(), error)
            await tx.mailbox_sync.release(mailbox, holder)

    async def _run(self, mailbox: Mailbox, holder: UUID) -> Report:
        await guard(self._servers, mailbox.imap.host, mailbox.imap.port, self._policy.allow_private)
        try:
            password = self._sealer.unseal(mailbox.secret).decode()
        except RuntimeError as error:  # sealing.MissingKey: no TANDEM_SECRET_KEY, or another one
            raise MailServerError(f"the stored password cannot be read: {error}") from None
        async with self._servers.imap(mailbox.imap, mailbox.username, password) as imap:
            folder = await imap.examine(mailbox.folder)
            cursor = mailbox.cursor
            report = Report(0, 0)
            if cursor.uidvalidity != folder.uidvalidity:
                cursor = Cursor(folder.uidvalidity, 0, None)  # new or renumbered: from the start, deduped
            if folder.uidnext is None or folder.uidnext > cursor.last_uid + 1:  # else nothing arrived
                cursor, report = await self._read_new(imap, mailbox, holder, cursor)
            cursor = cursor._replace(highestmodseq=folder.highestmodseq)
            await self._advance(mailbox, holder, cursor, [])
            sent = await self._read_sent(imap, mailbox, holder)
            report = Report(report.filed + sent.filed, report.read + sent.read)
            if self._policy.idle >= 1:  # IDLE watches the folder examined last: INBOX again
                await imap.examine(mailbox.folder)
            deadline = time.monotonic() + self._policy.idle
            while (left := deadline - time.monotonic()) >= 1 and await imap.idle(left):
                cursor, more = await self._read_new(imap, mailbox, holder, cursor)
                report = Report(report.filed + more.filed, report.read + more.read)
        return report

    async def _read_new(self, imap: ImapSession, mailbox: Mailbox, holder: UUID,
                        cursor: Cursor) -> tuple[Cursor, Report]:
        """File what the folder holds above ``cursor``, a batch per transaction; the cursor after it."""
        uids = await imap.uids_after(cursor.last_uid, mailbox.sync_from)
        filed = 0
        for start in range(0, len(uids), self._policy.batch):
            chunk = uids[start:start + self._policy.batch]
            messages = await _fetch(imap, chunk)
            cursor = cursor._replace(last_uid=max(chunk))
            parsed = [(m.uid, parse(m.raw, m.arrived)) for m in messages]  # before the transaction opens
            filed += await self._advance(mailbox, holder, cursor, parsed, [m.raw for m in messages])
        return cursor, Report(filed, len(uids))

    async def _read_sent(self, imap: ImapSession, mailbox: Mailbox, holder: UUID) -> Report:
        """The Sent folder (SPECIAL-USE \\Sent, else a common name), read-only like INBOX under a cursor
        of its own: mail the member sent from their own client, filed as outgoing under the contacts
        it went to. Mail Tandem sent is known by its Message-ID already, so it is not filed twice."""
        async with self._begin() as tx:
            saved = await tx.mailbox_folders.get(mailbox.id, SENT)
        name = sent_folder(await imap.folders(), mailbox.folder)
        if name is None:
            return Report(0, 0)
        state = await imap.examine(name)
        last = saved.last_uid if saved is not None and (saved.name, saved.uidvalidity) == (name, state.uidvalidity) \
            else 0  # never read, renamed or renumbered: from the start, deduped by Message-ID
        uids = await imap.uids_after(last, mailbox.sync_from) \
            if state.uidnext is None or state.uidnext > last + 1 else []
        filed = 0
        for start in range(0, len(uids), self._policy.batch) if uids else [0]:
            chunk = uids[start:start + self._policy.batch]
            messages = await _fetch(imap, chunk) if chunk else []
            parsed = [(m.uid, parse(m.raw, m.arrived)) for m in messages]
            last = max(chunk, default=last)
            async with self._begin() as tx:
                if not await tx.mailbox_sync.lease(mailbox.id, holder, self._policy.lease, renew=True):
                    raise LeaseLost("another sync of this mailbox took over, or a re-sync was asked for")
                keys: set[str] = set()
                count = await file_messages(tx, mailbox, parsed, sent=True, keys=keys)
                await tx.mailbox_folders.advance(mailbox.id, SENT, name, state.uidvalidity, last, count)
                await tx.mailbox_sync.advance(mailbox.id, (await tx.mailboxes.get(mailbox.id) or mailbox).cursor,
                                              count)  # counted with the mailbox's imported messages
                await announce(tx, mailbox.workspace_id, keys)
            filed += count
        return Report(filed, len(uids))

    async def _advance(self, mailbox: Mailbox, holder: UUID, cursor: Cursor,
                       messages: Sequence[tuple[int, Email]], raws: Sequence[bytes] = ()) -> int:
        """One transaction: file ``messages``, move the cursor to ``cursor``, renew the lease."""
        async with self._begin() as tx:
            if not await tx.mailbox_sync.lease(mailbox.id, holder, self._policy.lease, renew=True):
                raise LeaseLost("another sync of this mailbox took over, or a re-sync was asked for")
            keys: set[str] = set()
            filed = await file_messages(tx, mailbox, messages, keys=keys)
            await announce(tx, mailbox.workspace_id, keys)
            if self._on_mail is not None and raws:
                await self._on_mail(tx, mailbox, raws)
            await tx.mailbox_sync.advance(mailbox.id, cursor, filed)
        return filed


async def _fetch(imap: ImapSession, uids: Sequence[int]) -> list[FetchedMessage]:
    return [message async for message in imap.fetch(uids)]


async def file_messages(tx: Unit, mailbox: Mailbox, parsed: Sequence[tuple[int, Email]], *, sent: bool = False,
                        keys: set[str] | None = None) -> int:
    """File each of the ``parsed`` messages (UID, e-mail) the workspace does not hold yet and that names a
    contact; how many. ``sent``: read from the Sent folder — outgoing, filed under its recipients (an
    alias in From is not a correspondent). ``keys`` gathers the timelines that changed."""
    wanted = {i for _, e in parsed for i in (e.message_id, *ancestors(e))}
    known = await tx.email_messages.known(mailbox.workspace_id, sorted(wanted))
    own = mailbox.address.lower()
    filed = 0
    filings: dict[tuple[str, ...], Filing] = {}  # one lookup per set of correspondents in the batch
    for uid, email in parsed:
        if email.message_id in known:
            continue
        addresses = tuple(sorted(a for a in correspondents(email, own) if not (sent and a == email.from_address)))
        if addresses not in filings:
            filings[addresses] = await tx.email_messages.filing_for(mailbox.workspace_id, addresses)
        filing = filings[addresses]
        if not filing:
            continue
        email = msgspec.structs.replace(email, thread_id=thread_of(email, known))
        direction = Direction.OUT if sent or email.from_address == own else Direction.IN
        new = NewEmail(mailbox.workspace_id, mailbox.id, mailbox.owner_id, direction, mailbox.visibility, email, uid)
        stored = await tx.email_messages.file(new, filing)
        if stored is not None:
            known[email.message_id] = email.thread_id
            filed += 1
            if keys is not None:
                keys.update(filing_keys(filing))
            if direction is Direction.IN and (email.in_reply_to or email.references):
                await on_reply_filed(tx, mailbox.workspace_id, stored, email)  # email_replied rules
    return filed


# Where clients keep sent mail when the server marks no folder \Sent (RFC 6154), lower case.
SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "gesendete elemente", "gesendet",
              "gesendete objekte", "gesendete nachrichten")


def sent_folder(folders: Sequence[Folder], inbox: str = "INBOX") -> str | None:
    """The account's Sent folder: the one marked ``\\Sent`` (SPECIAL-USE), else the first with a common
    name (also under INBOX., as some servers nest them); None when there is none. Never INBOX."""
    usable = [f for f in folders if "\\noselect" not in f.attributes and "\\nonexistent" not in f.attributes
              and f.name.upper() != inbox.upper()]
    for folder in usable:
        if "\\sent" in folder.attributes:
            return folder.name
    for wanted in SENT_NAMES:
        for folder in usable:
            leaf = folder.name.lower()
            for prefix in ("inbox.", "inbox/"):
                leaf = leaf.removeprefix(prefix)
            if leaf == wanted:
                return folder.name
    return None


def _resting(mailbox: Mailbox, now: datetime, rest: timedelta) -> bool:
    return (mailbox.status is SyncStatus.FAILING and mailbox.last_attempt_at is not None
            and now - mailbox.last_attempt_at < rest)


async def may_file(tx: Unit, mailbox: Mailbox) -> bool:
    """Whether the mailbox's owner still may file mail onto the workspace's contacts (a member)."""
    try:
        permit(role_of(await tx.workspaces.workspace_view(mailbox.workspace_id, mailbox.owner_id)),
               Action.EDIT_CONTACTS)
    except AccessDenied:
        return False
    return True


async def guard(servers: MailServers, host: str, port: int, allow_private: bool) -> None:
    """Refuse a mail server at a loopback, private or reserved address (SSRF), unless allowed."""
    addresses = await servers.resolve(host, port)
    if not addresses:
        raise MailServerError(f"the host {host} was not found")
    if not allow_private and not all(address_allowed(a) for a in addresses):
        raise MailServerError(f"the host {host} is at a loopback, private or reserved address, which this server "
                              "does not connect to (TANDEM_MAILBOXES_ALLOW_PRIVATE=1 allows it)")


def register(kinds: JobKinds, begin: Begin, sync: MailSync, poll_cron: str) -> None:
    """``mailbox.sync`` (one mailbox) and, on ``poll_cron``, ``mailbox.poll`` (a sync for each)."""

    @kinds.handle(SYNC)
    async def sync_one(payload: dict[str, Any]) -> None:
        report = await sync.sync(UUID(payload["mailbox"]), asked=payload.get("asked", True))
        if report is not None and report.read:
            log.info("mailbox %s: read %d message(s), filed %d", payload["mailbox"], report.read, report.filed)

    @kinds.handle(POLL)
    async def poll(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            for mailbox in await tx.mailboxes.all_ids():
                await enqueue_sync(tx, mailbox, asked=False)

    if poll_cron:
        kinds.every(POLL, poll_cron)
