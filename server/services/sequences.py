"""E-mail sequences (issue 17 item 6): keeping a workspace's sequences, enrolling contacts, and the
``sequence.step`` job that sends each enrolment's next mail.

A step runs as a durable job (``sequence.step``, due when its delay is up). In one transaction it
locks the enrolment, checks it still runs at that step, waits for the sequence's send window, takes
a slot of the sending mailbox's hourly cap (``take_send``: serialised per mailbox; no slot — the job
comes back when one frees), renders the step's template against the contact (and deal) as the
enrolling member — a merge field without a value *pauses* the enrolment naming it, never a blank
mail — files the sent copy on the timeline and queues the ``mail.send`` job through the member's
own mailbox (its SMTP server). Steps after the first answer the previous one (In-Reply-To,
References, "Re: " the first subject), so the sequence is one thread in the contact's client.

What stops an enrolment, for good:

- a reply: the mailbox sync reads every message (``on_inbound``, in the sync's batch
  transaction); a person's message that refers to a sent step's Message-ID, or comes from the
  enrolled address after enrolling, stops it. Auto-replies (``domain.sequences.is_auto_reply``)
  do not;
- a bounce: a delivery status report (``Action: failed``) naming a sent step or the address;
- a booked meeting with the contact (``stop_for_meeting``, called by the booking service);
- an unsubscribe: each mail carries a signed link and ``List-Unsubscribe`` (one-click POST, RFC
  8058); the address is never enrolled in the workspace again.
"""

from __future__ import annotations

import html as entities
import logging
from collections.abc import Callable, Sequence as Seq
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict, InvalidInput
from server.domain.email_templates import render
from server.domain.mailboxes import DealRef, Direction, Email, Filing, Mailbox, NewEmail, Visibility
from server.domain.sending import Envelope, clean_html, new_message_id, text_of, thread_references
from server.domain.sequences import (
    Enrolment, Kind, NewEnrolment, Reason, Sequence, SequenceDraft, State, Step, Window, check_draft, next_opening,
    read_inbound, unsubscribe_key, unsubscribe_token, verify_unsubscribe,
)
from server.services.email_templates import Subjects, merge_context
from server.services.mail import SEND
from server.services.records import workspace_role
from server.services.timeline_feed import announce, filing_keys

if TYPE_CHECKING:
    from server.services.accounts import Caller
    from server.services.jobs import JobKinds
    from server.services.ports.unit import Begin, Unit

log = logging.getLogger(__name__)

STEP = "sequence.step"
_FOOTER = {"en": "Unsubscribe from these e-mails", "de": "Von diesen E-Mails abmelden"}


class Links(NamedTuple):
    """How unsubscribe links are made: the signing key and the public base URL (``/u/<token>``)."""

    key: bytes
    base_url: str

    def unsubscribe(self, enrolment: UUID) -> str:
        return f"{self.base_url}/u/{unsubscribe_token(self.key, enrolment)}"


class Skipped(NamedTuple):
    contact: UUID
    reason: str  # not_found | no_email | unsubscribed | already_enrolled


class Sending(NamedTuple):
    """How the caller's sequence mail leaves: their mailbox's address (None: not connected), its cap
    per hour (None: the server's ``default``)."""

    mailbox: str | None
    per_hour: int | None
    default: int


class Enrolled(NamedTuple):
    enrolled: list[Enrolment]
    skipped: list[Skipped]


async def _enqueue_step(tx: Unit, enrolment: UUID, step: int, at: datetime, now: datetime, tag: str = "") -> None:
    await tx.jobs.enqueue(STEP, {"enrolment": str(enrolment), "step": step}, after=max(at - now, timedelta(0)),
                          dedupe_key=f"sequence:{enrolment}:{step}{tag}")


class SequencesService:
    """The screens' use cases: sequences (members keep them, viewers read), enrolling, stopping,
    resuming, and the public unsubscribe link."""

    def __init__(self, begin: Begin, links: Links | None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc), per_hour: int = 30) -> None:
        self._begin, self._links, self._clock, self._per_hour = begin, links, clock, per_hour

    async def sending(self, caller: Caller, workspace: UUID) -> Sending:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            mailboxes = await tx.mailboxes.of_owner(workspace, caller.id)
            cap = await tx.enrolments.cap(mailboxes[0].id) if mailboxes else None
        return Sending(mailboxes[0].address if mailboxes else None, cap, self._per_hour)

    async def set_cap(self, caller: Caller, workspace: UUID, per_hour: int | None) -> Sending:
        """The caller's own mailbox's cap on sequence mails per hour (None: the server's default)."""
        if per_hour is not None and not 1 <= per_hour <= 1000:
            raise InvalidInput(f"per_hour: expected 1 to 1000 mails per hour, or null for the server's default "
                               f"({self._per_hour}), got {per_hour}")
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            mailboxes = await tx.mailboxes.of_owner(workspace, caller.id)
            if not mailboxes:
                raise Conflict("connect your mailbox in this workspace first (Settings › Mailbox)")
            await tx.enrolments.set_cap(mailboxes[0].id, per_hour)
        return Sending(mailboxes[0].address, per_hour, self._per_hour)

    async def list(self, caller: Caller, workspace: UUID) -> list[Sequence]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.sequences.all(workspace)

    async def get(self, caller: Caller, workspace: UUID, sequence: UUID) -> Sequence:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await _sequence(tx, workspace, sequence)

    async def create(self, caller: Caller, workspace: UUID, name: str, steps: list[Step], window: Window) -> Sequence:
        draft = check_draft(name, steps, window)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            await _templates_exist(tx, workspace, draft)
            made = await tx.sequences.add(workspace, draft, caller.id)
        if made is None:
            raise Conflict(f"name: this workspace has a sequence called {draft.name!r} already")
        return made

    async def update(self, caller: Caller, workspace: UUID, sequence: UUID, name: str, steps: list[Step],
                     window: Window) -> Sequence:
        draft = check_draft(name, steps, window)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            await _sequence(tx, workspace, sequence)
            await _templates_exist(tx, workspace, draft)
            changed = await tx.sequences.update(workspace, sequence, draft)
        if changed is None:
            raise Conflict(f"name: this workspace has a sequence called {draft.name!r} already")
        return changed

    async def delete(self, caller: Caller, workspace: UUID, sequence: UUID) -> None:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            if not await tx.sequences.remove(workspace, sequence):
                raise NotFound("no such sequence")

    async def enrolments(self, caller: Caller, workspace: UUID, *, sequence: UUID | None = None,
                         contact: UUID | None = None) -> list[Enrolment]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.enrolments.listed(workspace, sequence=sequence, contact=contact)

    async def enrol(self, caller: Caller, workspace: UUID, sequence: UUID, contacts: list[UUID],
                    deal: tuple[UUID, UUID] | None = None) -> Enrolled:
        """Enrol each contact at its first address; those that cannot be are listed with why."""
        if not 1 <= len(contacts) <= 500:
            raise InvalidInput(f"contact_ids: expected 1 to 500 contacts, got {len(contacts)}")
        now = self._clock()
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            found = await _sequence(tx, workspace, sequence)
            await self._can_send(tx, caller, workspace)
            if deal is not None:
                await merge_context(tx, caller, workspace, Subjects(deal=deal))  # NotFound unless the caller sees it
            records = {c.id: c for c in await tx.contacts.by_ids(list(dict.fromkeys(contacts)))}
            addresses = {c: r.values.emails[0].lower() for c, r in records.items() if r.values.emails}
            gone = await tx.enrolments.unsubscribed(workspace, list(addresses.values()))
            first = next_opening(found.window, now + found.steps[0].delay)
            result = Enrolled([], [])
            for contact in dict.fromkeys(contacts):
                record = records.get(contact)
                if record is None or record.workspace_id != workspace or record.deleted_at is not None:
                    result.skipped.append(Skipped(contact, "not_found"))
                elif contact not in addresses:
                    result.skipped.append(Skipped(contact, "no_email"))
                elif addresses[contact] in gone:
                    result.skipped.append(Skipped(contact, "unsubscribed"))
                elif (made := await tx.enrolments.enrol(NewEnrolment(
                        sequence, workspace, contact, caller.id, addresses[contact], first, deal))) is None:
                    result.skipped.append(Skipped(contact, "already_enrolled"))
                else:
                    await _enqueue_step(tx, made.id, 0, first, now)
                    result.enrolled.append(made)
        return result

    async def _can_send(self, tx: Unit, caller: Caller, workspace: UUID) -> None:
        if self._links is None:
            raise Conflict("sequences need TANDEM_PUBLIC_URL and TANDEM_SECRET_KEY on this server: every mail "
                           "carries a signed unsubscribe link")
        if not await tx.mailboxes.of_owner(workspace, caller.id):
            raise Conflict("connect your mailbox in this workspace first (Settings › Mailbox): a sequence's mail "
                           "is sent through it")

    async def stop(self, caller: Caller, workspace: UUID, enrolment: UUID) -> Enrolment:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            found = await _enrolment(tx, workspace, enrolment)
            if found.state in (State.ACTIVE, State.PAUSED):
                found = msgspec.structs.replace(found, state=State.STOPPED, reason=Reason.STOPPED_BY_MEMBER,
                                                next_at=None)
                await tx.enrolments.save(found)
            return found

    async def resume(self, caller: Caller, workspace: UUID, enrolment: UUID) -> Enrolment:
        """A paused enrolment runs again: its step is tried now (the contact's record fixed, say)."""
        now = self._clock()
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            found = await _enrolment(tx, workspace, enrolment)
            if found.state is not State.PAUSED:
                raise Conflict(f"only a paused enrolment can be resumed; this one is {found.state}")
            found = msgspec.structs.replace(found, state=State.ACTIVE, reason=None, detail="", next_at=now)
            await tx.enrolments.save(found)
            await _enqueue_step(tx, found.id, found.step, now, now, tag=f":resume:{now.timestamp()}")
            return found

    async def unsubscribe_address(self, token: str) -> str:
        """The address a valid unsubscribe link is for (``NotFound`` for a forged one)."""
        async with self._begin() as tx:
            return (await self._by_token(tx, token)).address

    async def unsubscribe(self, token: str) -> str:
        """Stop every running enrolment of the link's address in its workspace, and never enrol it again."""
        async with self._begin() as tx:
            found = await self._by_token(tx, token)
            await tx.enrolments.unsubscribe(found.workspace_id, found.address)
            await tx.enrolments.stop_running(found.workspace_id, Reason.UNSUBSCRIBED, addresses=[found.address])
            return found.address

    async def _by_token(self, tx: Unit, token: str) -> Enrolment:
        enrolment = verify_unsubscribe(self._links.key, token) if self._links else None
        found = await tx.enrolments.get(enrolment) if enrolment else None
        if found is None:
            raise NotFound("no such unsubscribe link")
        return found


async def _sequence(tx: Unit, workspace: UUID, sequence: UUID) -> Sequence:
    found = await tx.sequences.get(workspace, sequence)
    if found is None:
        raise NotFound("no such sequence")
    return found


async def _enrolment(tx: Unit, workspace: UUID, enrolment: UUID) -> Enrolment:
    found = await tx.enrolments.get(enrolment)
    if found is None or found.workspace_id != workspace:
        raise NotFound("no such enrolment")
    return found


async def _templates_exist(tx: Unit, workspace: UUID, draft: SequenceDraft) -> None:
    for n, step in enumerate(draft.steps, 1):
        if await tx.email_templates.get(workspace, step.template_id) is None:
            raise InvalidInput(f"steps[{n}].template_id: expected one of this workspace's e-mail templates")


class RunnerPolicy(NamedTuple):
    links: Links | None
    per_hour: int = 30  # sequence mails per mailbox per hour


class SequenceRunner:
    """Runs ``sequence.step`` jobs (see the module docstring)."""

    def __init__(self, begin: Begin, policy: RunnerPolicy,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._begin, self._policy, self._clock = begin, policy, clock

    async def step(self, payload: dict[str, Any]) -> None:
        now = self._clock()
        async with self._begin() as tx:
            found = await tx.enrolments.get(UUID(payload["enrolment"]), lock=True)
            if found is None or found.state is not State.ACTIVE or found.step != payload["step"]:
                return  # stopped, paused, or this step ran already
            sequence = await tx.sequences.get(found.workspace_id, found.sequence_id)
            if sequence is None or found.step >= len(sequence.steps):
                await tx.enrolments.save(msgspec.structs.replace(found, state=State.FINISHED, next_at=None))
                return
            opening = next_opening(sequence.window, now)
            if opening > now:
                await self._later(tx, found, opening, now)
                return
            await self._send(tx, found, sequence, now)

    async def _later(self, tx: Unit, found: Enrolment, at: datetime, now: datetime) -> None:
        await tx.enrolments.save(msgspec.structs.replace(found, next_at=at))
        await _enqueue_step(tx, found.id, found.step, at, now, tag=f":at:{at.timestamp()}")

    async def _send(self, tx: Unit, found: Enrolment, sequence: Sequence, now: datetime) -> None:
        mailboxes = await tx.mailboxes.of_owner(found.workspace_id, found.enrolled_by)
        caller = await _caller(tx, found.enrolled_by, now)
        if not mailboxes or self._policy.links is None or caller is None:
            await _pause(tx, found, Reason.NO_MAILBOX)
            return
        template = await tx.email_templates.get(found.workspace_id, sequence.steps[found.step].template_id)
        if template is None:
            await _pause(tx, found, Reason.NO_TEMPLATE)
            return
        if not await _still_there(tx, found):
            await _stop(tx, found, Reason.CONTACT_GONE)
            return
        try:
            context = await merge_context(tx, caller, found.workspace_id, Subjects(found.contact_id, None, found.deal))
        except NotFound:
            await _stop(tx, found, Reason.NO_ACCESS)
            return
        rendered = render(template.subject, template.body, context)
        if rendered.missing:
            await _pause(tx, found, Reason.MISSING_FIELDS, ", ".join(rendered.missing))
            return
        cap = await tx.enrolments.cap(mailboxes[0].id) or self._policy.per_hour
        wait = await tx.enrolments.take_send(mailboxes[0].id, max(cap, 1), now)
        if wait is not None:  # the mailbox's hourly cap is reached: this step waits for a free slot
            await self._later(tx, found, wait, now)
            return
        envelope = self._envelope(found, mailboxes[0], caller.name, template.locale, rendered.subject, rendered.body)
        await _file(tx, found, mailboxes[0], envelope, now)
        await tx.jobs.enqueue(SEND, {"envelope": msgspec.to_builtins(envelope), "mailbox": str(mailboxes[0].id)},
                              dedupe_key=f"mail:{envelope.message_id}")
        await self._advance(tx, found, sequence, envelope, now)

    def _envelope(self, found: Enrolment, mailbox: Mailbox, name: str, locale: str, subject: str,
                  body: str) -> Envelope:
        assert self._policy.links is not None
        link = self._policy.links.unsubscribe(found.id)
        footer = (f'<p><small><a href="{entities.escape(link)}">{_FOOTER.get(locale, _FOOTER["en"])}</a>'
                  f'</small></p>')
        html = clean_html(body + footer)
        thread = tuple(f"<{m}>" for m in found.thread)
        return Envelope(
            sender=mailbox.address, sender_name=name, to=(found.address,),
            subject=f"Re: {found.first_subject}" if thread else subject, text=text_of(html), html=html,
            message_id=new_message_id(mailbox.address), in_reply_to=thread[-1] if thread else None,
            references=thread_references(thread[-1], thread[:-1]) if thread else (), list_unsubscribe=link)

    async def _advance(self, tx: Unit, found: Enrolment, sequence: Sequence, envelope: Envelope,
                       now: datetime) -> None:
        step = found.step + 1
        sent = msgspec.structs.replace(found, step=step, thread=(*found.thread, envelope.message_id.strip("<>")),
                                       first_subject=found.first_subject or envelope.subject)
        if step >= len(sequence.steps):
            await tx.enrolments.save(msgspec.structs.replace(sent, state=State.FINISHED, next_at=None))
            return
        due = next_opening(sequence.window, now + sequence.steps[step].delay)
        await tx.enrolments.save(msgspec.structs.replace(sent, next_at=due))
        await _enqueue_step(tx, found.id, step, due, now)


async def _caller(tx: Unit, user: UUID, now: datetime) -> Caller | None:
    from server.services.accounts import Caller

    account = await tx.users.by_id(user)
    if account is None or account.disabled_at is not None:
        return None
    return Caller(account.id, account.email, account.name, b"", now + timedelta(minutes=5), account.locale)


async def _still_there(tx: Unit, found: Enrolment) -> bool:
    """Whether the contact is live and still has the address the steps go to."""
    records = await tx.contacts.by_ids([found.contact_id])
    return bool(records) and records[0].deleted_at is None and \
        found.address.lower() in (e.lower() for e in records[0].values.emails)


async def _stop(tx: Unit, found: Enrolment, reason: Reason) -> None:
    await tx.enrolments.save(msgspec.structs.replace(found, state=State.STOPPED, reason=reason, next_at=None))


async def _pause(tx: Unit, found: Enrolment, reason: Reason, detail: str = "") -> None:
    await tx.enrolments.save(msgspec.structs.replace(found, state=State.PAUSED, reason=reason, detail=detail,
                                                     next_at=None))


async def _file(tx: Unit, found: Enrolment, mailbox: Mailbox, envelope: Envelope, now: datetime) -> None:
    """The sent copy on the contact's (and deal's) timeline, threaded with the earlier steps."""
    filing = await tx.email_messages.filing_for(found.workspace_id, [found.address])
    deals = [DealRef(*found.deal)] if found.deal else []
    filing = Filing(contacts=list(dict.fromkeys([found.contact_id, *filing.contacts])),
                    organisations=filing.organisations, deals=list(dict.fromkeys([*deals, *filing.deals])))
    bare = envelope.message_id.strip("<>")
    email = Email(
        message_id=bare, thread_id=found.thread[0] if found.thread else bare,
        in_reply_to=(envelope.in_reply_to or "").strip("<>") or None,
        references=[r.strip("<>") for r in envelope.references], from_address=envelope.sender.lower(),
        from_name=envelope.sender_name, to=list(envelope.to), cc=[], subject=envelope.subject, sent_at=now,
        snippet=" ".join(envelope.text.split())[:200], body_text=envelope.text, body_html=envelope.html or "")
    await tx.email_messages.file(
        NewEmail(found.workspace_id, mailbox.id, found.enrolled_by, Direction.OUT, Visibility.EVERYTHING, email),
        filing)
    await announce(tx, found.workspace_id, filing_keys(filing))  # live timelines (brief J)


async def on_inbound(tx: Unit, mailbox: Mailbox, raws: Seq[bytes]) -> None:
    """The mailbox sync's hook: a person's reply or a bounce stops the enrolments it concerns; an
    auto-reply (out of office) does not."""
    if not await tx.enrolments.any_running(mailbox.workspace_id):
        return  # most syncs: nothing to stop, nothing to read
    own = mailbox.address.lower()
    for raw in raws:
        inbound = read_inbound(raw)
        if inbound.kind is Kind.AUTO_REPLY or (inbound.kind is Kind.REPLY and inbound.sender in ("", own)):
            continue
        if inbound.kind is Kind.BOUNCE:
            stopped = await tx.enrolments.stop_running(mailbox.workspace_id, Reason.BOUNCED,
                                                       thread=inbound.refers_to, addresses=inbound.recipients)
        else:
            stopped = await tx.enrolments.stop_running(
                mailbox.workspace_id, Reason.REPLIED, thread=inbound.refers_to, addresses=[inbound.sender],
                enrolled_before=inbound.sent_at or datetime.now(timezone.utc))
        if stopped:
            log.info("sequence enrolment(s) %s stopped: %s", ", ".join(map(str, stopped)), inbound.kind)


async def stop_for_meeting(tx: Unit, workspace: UUID, contact: UUID) -> None:
    """A meeting booked with ``contact`` stops its running enrolments (called by the booking service)."""
    await tx.enrolments.stop_running(workspace, Reason.MEETING_BOOKED, contact=contact)


def links_of(secret_key: str | None, public_url: str) -> Links | None:
    """Unsubscribe links need both a secret (to sign) and the public address (to point at)."""
    return Links(unsubscribe_key(secret_key), public_url.rstrip("/")) if secret_key and public_url else None


def register(kinds: JobKinds, runner: SequenceRunner) -> None:
    """Add ``sequence.step`` to the worker's kinds."""
    kinds.handle(STEP)(runner.step)

