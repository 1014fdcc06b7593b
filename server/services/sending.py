"""Composing and sending e-mail from a deal, contact or organisation (issue 17 item 3).

A draft's subject and HTML body are templates themselves: a template picked in the compose dialog
is put in as written (``{{ contact.first_name }}``), so what is sent is rendered here, against the
records it is sent from, at the moment it is sent — and refused (``MissingMergeFields``, 422 naming
each field) when a merge field has no value, never sent blank. The rendered HTML is sanitised (nh3)
before it is sent and stored; the text/plain part is made from it.

Which way it leaves (``route``): through the sender's own connected mailbox in the workspace (its
SMTP server, From their address) when they have one; else through the system relay
(``TANDEM_SMTP_URL``), From the system address with their name ("Ada via Tandem") and Reply-To
them; else it is refused — there is no way out, and the app says so. Either way a ``mail.send`` job
is queued in the same transaction that files the sent copy (``EmailMessages.file``, direction
``out``) under the records it was written on and the contacts its recipients are: it shows on their
timelines at once, and the job sends it (retried with backoff while the server refuses).

A reply names the message it answers: In-Reply-To is that message's Message-ID, References its
References and its Message-ID (RFC 5322 3.6.4), and the copy joins its thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import Action, NotFound
from server.domain.automations import AlreadySent
from server.domain.accounts import Conflict
from server.domain.email_templates import MissingMergeFields, Rendered, render
from server.domain.mailboxes import DealRef, Direction, Email, Filing, NewEmail, Visibility
from server.domain.tracking import Tracked, from_privacy_proxy, sign, verify, with_tracking
from server.domain.sending import (
    Envelope, check_recipients, check_subject, clean_html, new_message_id, text_of, thread_references,
)
from server.services.email_templates import Subjects, merge_context
from server.services.mail import SEND
from server.services.email_events import on_tracking_hit
from server.services.records import workspace_role
from server.services.timeline_feed import announce, filing_keys

if TYPE_CHECKING:
    from server.services.accounts import Caller
    from server.services.files import RecordFilesService
    from server.services.ports.files import FileStore
    from server.services.jobs import JobKinds
    from server.services.ports.email_automations import SentByRule
    from server.services.ports.sending import MailRelay, MailRelays, TrackingEvent
    from server.services.ports.unit import Begin, Unit
    from server.services.ports.webhooks import Sealer

log = logging.getLogger(__name__)

SNIPPET = 200


class Draft(NamedTuple):
    to: list[str]
    cc: list[str]
    subject: str
    body: str  # HTML, merge fields allowed
    subjects: Subjects  # the records it is written on
    reply_to: UUID | None = None  # the stored e-mail it answers
    track: bool = False  # an open pixel and links through signed redirects (opt-in)
    automation: tuple[SentByRule, int] | None = None  # a rule's send_template: (its run, the action's index)
    attachments: tuple[UUID, ...] = ()  # record files (docs/files.md), each readable by the sender


class Tracker(NamedTuple):
    """How tracked mail's links are made: the signing key and the public base URL (``/t/...``)."""

    key: bytes
    base_url: str

    def links(self, email: UUID) -> tuple[Callable[[str], str], str]:
        """A click-URL maker and the pixel URL of one stored message."""
        return (lambda url: f"{self.base_url}/t/c/{sign(self.key, email, 'click', url)}",
                f"{self.base_url}/t/o/{sign(self.key, email, 'open')}")


class Route(NamedTuple):
    """Which way a member's mail leaves: ``mailbox`` (``sender`` is their address), ``relay``
    (``sender`` is the system's, replies go to ``reply_to``) or ``none``; ``tracking`` if opens and
    clicks can be tracked (TANDEM_PUBLIC_URL and TANDEM_SECRET_KEY set)."""

    via: str
    sender: str | None
    reply_to: str | None
    mailbox: UUID | None = None
    tracking: bool = False


class Sent(NamedTuple):
    email: UUID  # the stored copy
    message_id: str
    route: Route


class EmailSending:
    """The compose-and-send use cases."""

    def __init__(self, begin: Begin, system_sender: str | None, tracker: Tracker | None = None,
                 files: RecordFilesService | None = None) -> None:
        """``system_sender``: the relay's From address, or None when no relay is configured;
        ``tracker``: None when tracking cannot work (no public URL or no secret key); ``files``:
        where attachments come from (None: a mail attaches nothing)."""
        self._begin, self._system, self._tracker, self._files = begin, system_sender, tracker, files

    async def route(self, caller: Caller, workspace: UUID) -> Route:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            return await self._route(unit, caller, workspace)

    async def _route(self, unit: Unit, caller: Caller, workspace: UUID) -> Route:
        mailboxes = await unit.mailboxes.of_owner(workspace, caller.id)
        tracking = self._tracker is not None
        if mailboxes:
            return Route("mailbox", mailboxes[0].address, None, mailboxes[0].id, tracking)
        if self._system:
            return Route("relay", self._system, caller.email, tracking=tracking)
        return Route("none", None, None)

    async def preview(self, caller: Caller, workspace: UUID, subject: str, body: str, subjects: Subjects) -> Rendered:
        """The draft rendered against its records, sanitised, with the merge fields that have no value."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            rendered = render(check_subject(subject), body, await merge_context(unit, caller, workspace, subjects))
        return Rendered(rendered.subject, clean_html(rendered.body), rendered.missing)

    async def send(self, caller: Caller, workspace: UUID, draft: Draft) -> Sent:
        to, cc = check_recipients(draft.to, draft.cc)
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            rendered = render(check_subject(draft.subject), draft.body,
                              await merge_context(unit, caller, workspace, draft.subjects))
            if rendered.missing:
                raise MissingMergeFields(rendered.missing)
            route = await self._route(unit, caller, workspace)
            if route.sender is None:
                raise Conflict("mail is not configured on this server (TANDEM_SMTP_URL) and you have no mailbox "
                               "connected in this workspace: connect one to send")
            parent = await self._parent(unit, workspace, draft.reply_to)
            html = clean_html(rendered.body)
            envelope = Envelope(
                sender=route.sender, sender_name=caller.name if route.via == "mailbox" else f"{caller.name} via Tandem",
                to=to, cc=cc, subject=rendered.subject, text=text_of(html), html=html, reply_to=route.reply_to,
                message_id=new_message_id(route.sender), in_reply_to=_bracketed(parent.message_id) if parent else None,
                references=thread_references(_bracketed(parent.message_id),
                                             tuple(_bracketed(r) for r in parent.references)) if parent else ())
            if draft.attachments:
                if self._files is None:
                    raise Conflict("attachments: this server keeps no files")
                envelope = await self._files.attach(unit, caller, workspace, envelope, draft.attachments)
            stored = await self._file(unit, caller, workspace, envelope, route, draft.subjects,
                                      parent.thread_id if parent else None)
            if draft.automation is not None and not await unit.email_triggers.mark_sent(stored, *draft.automation):
                raise AlreadySent("this rule's run sent its mail already")  # rolls the second copy back
            if draft.track:  # the stored copy stays as written; the mail sent carries pixel and redirects
                envelope = await self._tracked(unit, workspace, stored, envelope)
            await unit.jobs.enqueue(SEND, {"envelope": msgspec.to_builtins(envelope),
                                           "mailbox": str(route.mailbox) if route.mailbox else None},
                                    dedupe_key=f"mail:{envelope.message_id}")
        return Sent(stored, envelope.message_id, route)

    async def delivery(self, caller: Caller, workspace: UUID, email: UUID) -> str:
        """Whether a mail sent from Tandem left: ``sending`` (its job waits or runs), ``failed`` (the
        server kept refusing it: the job is held as failed), else ``sent``. Read from the job queue,
        where the job carries the mail's Message-ID as its dedupe key."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.READ_CONTACTS)
            stored = await unit.email_messages.get(email)
            if stored is None or stored.workspace_id != workspace:
                raise NotFound("no such e-mail in this workspace")
            key = f"mail:{_bracketed(stored.email.message_id)}"
            jobs = [job for job in await unit.jobs.waiting(SEND) if job.dedupe_key == key]
        return "failed" if any(job.status == "failed" for job in jobs) else "sending" if jobs else "sent"

    async def _tracked(self, unit: Unit, workspace: UUID, stored: UUID, envelope: Envelope) -> Envelope:
        if self._tracker is None:
            raise Conflict("track: opens and clicks can only be tracked with TANDEM_PUBLIC_URL and "
                           "TANDEM_SECRET_KEY set on this server")
        await unit.email_tracking.track(stored, workspace)
        link, pixel = self._tracker.links(stored)
        return msgspec.structs.replace(envelope, html=with_tracking(envelope.html or "", link, pixel))

    async def _parent(self, unit: Unit, workspace: UUID, reply_to: UUID | None) -> Email | None:
        if reply_to is None:
            return None
        stored = await unit.email_messages.get(reply_to)
        if stored is None or stored.workspace_id != workspace:
            raise NotFound("reply_to: no such e-mail in this workspace")
        return stored.email

    async def _file(self, unit: Unit, caller: Caller, workspace: UUID, envelope: Envelope, route: Route,
                    subjects: Subjects, thread: str | None) -> UUID:
        """The sent copy, filed under the records it was written on and its recipients' contacts."""
        found = await unit.email_messages.filing_for(workspace, [*envelope.to, *envelope.cc])
        deals = [DealRef(*subjects.deal)] if subjects.deal else []
        filing = Filing(contacts=_union(found.contacts, [subjects.contact]),
                        organisations=_union(found.organisations, [subjects.organisation]),
                        deals=list(dict.fromkeys([*deals, *found.deals])))
        bare = envelope.message_id.strip("<>")
        email = Email(
            message_id=bare, thread_id=thread or bare, in_reply_to=(envelope.in_reply_to or "").strip("<>") or None,
            references=[r.strip("<>") for r in envelope.references], from_address=envelope.sender.lower(),
            from_name=envelope.sender_name, to=list(envelope.to), cc=list(envelope.cc), subject=envelope.subject,
            sent_at=datetime.now(timezone.utc), snippet=" ".join(envelope.text.split())[:SNIPPET],
            body_text=envelope.text, body_html=envelope.html or "")
        # Written on a record in the CRM, for the team: everything visible (a synced mailbox's own
        # mail keeps the mailbox's visibility).
        stored = await unit.email_messages.file(
            NewEmail(workspace, route.mailbox, caller.id, Direction.OUT, Visibility.EVERYTHING, email), filing)
        if stored is None:  # a fresh random Message-ID cannot be known already
            raise Conflict("this message was filed already")
        await announce(unit, workspace, filing_keys(filing))  # live timelines (brief J)
        return stored


def _bracketed(message_id: str) -> str:
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _union(found: list[UUID], given: list[UUID | None]) -> list[UUID]:
    return list(dict.fromkeys([*(g for g in given if g is not None), *found]))


class MailSender:
    """Runs ``mail.send`` jobs: the envelope goes out through the mailbox it names (its SMTP server,
    its sealed password) or the system relay; a refusal raises, and the worker retries with
    backoff. The Message-ID was fixed when queued, so a job run twice (a worker killed after
    ``DATA``) is one message to mail clients. A mailbox disconnected meanwhile sends nothing."""

    def __init__(self, begin: Begin, system: MailRelay | None, relays: MailRelays, sealer: Sealer,
                 files: FileStore | None = None) -> None:
        self._begin, self._system, self._relays, self._sealer = begin, system, relays, sealer
        self._files = files  # attachments' bytes, read when the mail is sent

    async def send(self, payload: dict[str, Any]) -> None:
        envelope = msgspec.convert(payload["envelope"], Envelope)
        relay = await self._relay(payload.get("mailbox"), envelope)
        if relay is None:
            return
        if envelope.attachments:
            envelope = await with_bytes(self._files, envelope)
        await relay.deliver(envelope)
        log.info("mail %s sent to %d recipient(s)", envelope.message_id, len(envelope.to) + len(envelope.cc))

    async def _relay(self, mailbox: str | None, envelope: Envelope) -> MailRelay | None:
        if mailbox is None:
            if self._system is None:
                raise RuntimeError("mail.send: no TANDEM_SMTP_URL on this worker, and the mail names no mailbox")
            return self._system
        async with self._begin() as unit:
            found = await unit.mailboxes.get(UUID(mailbox))
        if found is None:
            log.warning("mail %s not sent: its mailbox was disconnected", envelope.message_id)
            return None
        password = self._sealer.unseal(found.secret).decode()
        return self._relays.connect(found.smtp.host, found.smtp.port, str(found.smtp.tls), found.username, password)


async def with_bytes(files: FileStore | None, envelope: Envelope) -> Envelope:
    """The envelope with its attachments' bytes from the file store (raises while one is missing:
    the job is retried, then held as failed)."""
    if files is None:
        raise RuntimeError("mail.send: the mail has attachments and this worker has no file store")
    attached = tuple([msgspec.structs.replace(a, data=await files.read(a.key)) for a in envelope.attachments])
    return msgspec.structs.replace(envelope, attachments=attached)


def register(kinds: JobKinds, sender: MailSender) -> None:
    """Add ``mail.send`` to the worker's kinds."""
    kinds.handle(SEND)(sender.send)


class EmailTrackingService:
    """The tracking endpoints' use cases: a hit on a signed link or pixel, and a message's events."""

    def __init__(self, begin: Begin, key: bytes | None) -> None:
        self._begin, self._key = begin, key

    async def hit(self, token: str, address: str | None, user_agent: str) -> Tracked:
        """Record what a valid token says; ``NotFound`` for a forged or altered one, or an untracked message."""
        tracked = verify(self._key, token) if self._key else None
        if tracked is None:
            raise NotFound("no such link")
        proxy = from_privacy_proxy(address, user_agent)
        async with self._begin() as unit:
            if not await unit.email_tracking.record(tracked.email, tracked.kind, tracked.url, proxy, user_agent[:500]):
                raise NotFound("no such link")
            await on_tracking_hit(unit, tracked, proxy)  # email_opened / link_clicked rules (issue 17 item 5)
        return tracked

    async def events(self, caller: Caller, workspace: UUID, email: UUID) -> list[TrackingEvent]:
        """A sent message's opens and clicks, for members who see the workspace's contacts."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.READ_CONTACTS)
            stored = await unit.email_messages.get(email)
            events = await unit.email_tracking.events(email) if stored and stored.workspace_id == workspace else None
        if events is None:
            raise NotFound("no such tracked e-mail in this workspace")
        return events
