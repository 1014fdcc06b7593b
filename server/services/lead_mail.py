"""Leads from e-mail (docs/leads.md, "By e-mail"): mail to a workspace's secret
``leads+<token>@TANDEM_BCC_DOMAIN`` address becomes a lead in its inbox, source ``email``.

The address sits beside the workspace's BCC address and is kept the same way (a token made on first
look, sealed with TANDEM_SECRET_KEY, found by its SHA-256; **Regenerate** retires the old one at
once). The BCC SMTP listener (``server/mail/bcc_smtp.py``) asks ``recipient`` for each RCPT — an
unknown address is refused with 550 — and ``accept`` for the message: anyone may write (a lead is a
stranger), so only a message without a From is refused; it is queued as a ``leads.mail`` job.

The job (``file_lead_mail``) decides, in one transaction: a machine's message (an auto-reply, out
of office, a bounce) is dropped; a Message-ID the workspace has seen is dropped (a retry, or the
same mail sent to the address twice); a message whose In-Reply-To / References name a lead's mail
is added to that lead's note (its thread); any other message makes a new lead — the sender as the
person, the subject as the title, the body as the note, the organisation from the sender's domain
unless it is a freemail provider's, the address's owner as its owner (told by the bell, as a web
form's owner is). Two deliveries of one message at once make one lead: the
Message-ID's row is the lock (the second waits for the first and finds it).

**The owner** of leads from mail is set to whoever made or regenerated the address (regenerating
keeps an owner already set); admins choose another member. An owner who left the workspace, or none
set, falls back to the workspace's first owner.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID, uuid5

from server.domain.access import Action, Role
from server.domain.inbound_mail import ancestors, parse
from server.domain.lead_mail import PREFIX, lead_from, note_with_reply, token_of
from server.domain.leads import InvalidLead, LeadSource, lead_values
from server.domain.mailboxes import Email
from server.domain.notifications import NewNotification
from server.domain.sequences import Kind, read_inbound
from server.services.accounts import Caller
from server.services.bcc import BccAddress, SecretTokens, _from  # the same secret-address scheme as BCC
from server.services.jobs import JobKinds
from server.services.leads import new_lead
from server.services.notify import IDS, deliver
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Sealer
from server.services.records import members, workspace_role

log = logging.getLogger(__name__)

LEAD_MAIL = "leads.mail"


class LeadsAddress(NamedTuple):
    """The leads address as shown, and who new leads from mail belong to."""

    address: BccAddress
    owner: UUID | None


class LeadMailService:
    """The workspace's leads address (shown, regenerated) and what the SMTP listener asks (``BccDesk``)."""

    def __init__(self, begin: Begin, sealer: Sealer, domain: str, listening: bool) -> None:
        self._begin, self._domain, self._listening = begin, domain.strip().lower(), listening
        self._tokens = SecretTokens(sealer, "leads address", lambda tx: tx.lead_mail)

    def _shown(self, token: str, owner: UUID | None) -> LeadsAddress:
        return LeadsAddress(BccAddress(f"{PREFIX}{token}@{self._domain}" if self._domain else None,
                                       self._listening), owner)

    async def address(self, caller: Caller, workspace: UUID) -> LeadsAddress:
        """The workspace's leads address, made on first look (its maker the owner); for members who add leads."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            sealed = await tx.lead_mail.sealed(workspace)
            if sealed is None:
                token = await self._tokens.new(tx, workspace, replace=False)
                await tx.lead_mail.set_owner(workspace, caller.id)
                return self._shown(token, caller.id)
            owner = await lead_owner(tx, workspace)
        return self._shown(self._tokens.open(sealed), owner)

    async def regenerate(self, caller: Caller, workspace: UUID) -> LeadsAddress:
        """A new leads address (admins): mail to the old one is refused from now on. An owner
        already set stays; without one, the caller becomes it."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            token = await self._tokens.new(tx, workspace, replace=True)
            if await tx.lead_mail.owner(workspace) is None:
                await tx.lead_mail.set_owner(workspace, caller.id)
            return self._shown(token, await lead_owner(tx, workspace))

    async def change_owner(self, caller: Caller, workspace: UUID, owner: object) -> LeadsAddress:
        """Admins choose the member new leads from mail belong to (the address is made if need be)."""
        await self.address(caller, workspace)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            chosen = await _member(tx, workspace, owner)
            await tx.lead_mail.set_owner(workspace, chosen)
            sealed = await tx.lead_mail.sealed(workspace)
        return self._shown(self._tokens.open(sealed) if sealed else "", chosen)

    # --- what the SMTP listener asks (BccDesk) ---------------------------------------------------

    async def recipient(self, address: str) -> UUID | None:
        return await self._tokens.workspace_of(self._begin, token_of(address, self._domain))

    async def accept(self, workspaces: Sequence[UUID], raw: bytes) -> str | None:
        if _from(raw) is None:
            return "the message has no From address"
        async with self._begin() as tx:
            for workspace in dict.fromkeys(workspaces):
                await tx.jobs.enqueue(LEAD_MAIL, {"workspace": str(workspace), "raw": base64.b64encode(raw).decode()})
        return None


class _Seen(Exception):
    """Another delivery of the message was filed a moment ago (its Message-ID's row is taken)."""


async def file_lead_mail(begin: Begin, workspace: UUID, raw: bytes) -> UUID | None:
    """File one message sent to the leads address: the lead it made or joined, or None (a
    machine's message, a message seen before, or one without anyone to reach)."""
    if read_inbound(raw).kind is not Kind.REPLY:  # an auto-reply or a bounce: a machine wrote it
        return None
    email = parse(raw)
    try:
        async with begin() as tx:
            if await tx.lead_mail.lead_of(workspace, [email.message_id]) is not None:
                return None
            thread = await tx.lead_mail.lead_of(workspace, ancestors(email))
            lead = await (_join(tx, thread, email) if thread else _new(tx, workspace, email))
            if lead is not None and not await tx.lead_mail.remember(workspace, email.message_id, lead):
                raise _Seen
            return lead
    except _Seen:
        return None


async def _join(tx: Unit, lead: UUID, email: Email) -> UUID | None:
    found = await tx.leads.get(lead, lock=True)
    if found is None:
        return None
    await tx.leads.put(found._replace(note=note_with_reply(found.note, email)))
    return lead


async def _new(tx: Unit, workspace: UUID, email: Email) -> UUID | None:
    owner = await lead_owner(tx, workspace)
    try:
        lead = new_lead(workspace, lead_values(lead_from(email)), LeadSource.EMAIL, owner)
    except InvalidLead as error:  # e.g. a From address the lead checks refuse
        log.info("leads: a message to the leads address made no lead: %s", error)
        return None
    await tx.leads.add(lead)
    if owner is not None:
        await deliver(tx, NewNotification(uuid5(IDS, f"lead:{lead.id}"), owner, workspace,
                                          f"New lead by e-mail: {lead.title}", kind="assigned"))
    return lead.id


async def lead_owner(tx: Unit, workspace: UUID) -> UUID | None:
    """Who new leads from mail belong to: the address's owner while a member, else the first owner."""
    team = await tx.members.all(workspace)
    chosen = await tx.lead_mail.owner(workspace)
    if chosen is not None and any(m.user.id == chosen for m in team):
        return chosen
    owners = sorted((m for m in team if m.role == Role.OWNER), key=lambda m: (m.joined_at, str(m.user.id)))
    return owners[0].user.id if owners else None


async def _member(tx: Unit, workspace: UUID, raw: object) -> UUID:
    try:
        owner = raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        raise InvalidLead("owner", f"expected a member's id, got {str(raw)[:40]!r}") from None
    if owner not in await members(tx, workspace):
        raise InvalidLead("owner", f"expected a member of this workspace, got {owner}")
    return owner


def register(kinds: JobKinds, begin: Begin) -> None:
    """``leads.mail``: file one message the listener took for a leads address."""

    @kinds.handle(LEAD_MAIL)
    async def file_one(payload: dict[str, Any]) -> None:
        lead = await file_lead_mail(begin, UUID(payload["workspace"]), base64.b64decode(payload["raw"]))
        log.info("leads: %s", f"mail filed on lead {lead}" if lead else "nothing filed (machine, seen, or no one)")
