"""The workspace BCC address (issue 17 item 3; docs/email-automations.md): mail a member sends from
their own mail client with ``bcc+<token>@TANDEM_BCC_DOMAIN`` in Bcc is filed on the contacts it
names, like synced mail.

Each workspace has one secret token (made on first look, replaced by **Regenerate**: the old
address stops filing at once), kept sealed with TANDEM_SECRET_KEY and found by its SHA-256. The
inbound SMTP listener (``server/mail/bcc_smtp.py``, on ``TANDEM_BCC_SMTP_PORT``) asks ``recipient``
for each RCPT (an unknown address is refused: it is no open relay) and ``accept`` for the message:
only mail whose From is a member who may add to the workspace's contacts is taken, and queued as a
``mail.bcc`` job; the job files it with the sync's rules (``file_bcc``): deduped by Message-ID
(sending it twice, or the same mail synced from a mailbox, is one message), threaded, filed under
the contacts it names (not the member), their organisations and open deals, as the member's, with
its text visible to the team (the member chose to put it in the CRM). Mail naming no contact is
not kept.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from email.utils import getaddresses
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import msgspec

from server.domain.access import AccessDenied, Action, permit
from server.domain.accounts import Conflict
from server.domain.inbound_mail import ancestors, correspondents, parse, thread_of
from server.domain.mailboxes import Direction, NewEmail, Visibility
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Sealer
from server.services.records import workspace_role
from server.services.workspaces import role_of
from server.services.timeline_feed import announce, filing_keys

log = logging.getLogger(__name__)

BCC = "mail.bcc"
PREFIX = "bcc+"
MAX_BYTES = 10 << 20  # a message larger than this is refused by the listener (552)


class BccAddress(NamedTuple):
    address: str | None  # None: TANDEM_BCC_DOMAIN is not set
    listening: bool  # TANDEM_BCC_SMTP_PORT is set on this server


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.lower().encode()).digest()


def _token() -> str:
    return base64.b32encode(secrets.token_bytes(15)).decode().lower()  # 24 characters, 120 bits


class AddressStore(Protocol):
    """Where a kind of secret address keeps its token (``tx.bcc_addresses``, ``tx.lead_mail``)."""

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool: ...

    async def workspace_of(self, token_hash: bytes) -> UUID | None: ...


class SecretTokens:
    """A workspace's secret address token (the BCC and the leads address): made on first look or on
    Regenerate, kept sealed with TANDEM_SECRET_KEY, found by its SHA-256; ``what`` names the address
    in errors, ``store`` picks its table from a unit of work."""

    def __init__(self, sealer: Sealer, what: str, store: Callable[[Unit], AddressStore]) -> None:
        self._sealer, self._what, self._store = sealer, what, store

    def open(self, sealed: bytes) -> str:
        try:
            return self._sealer.unseal(sealed).decode()
        except RuntimeError as error:  # sealing.MissingKey
            raise Conflict(f"the {self._what} cannot be read: {error}") from None

    async def new(self, tx: Unit, workspace: UUID, replace: bool) -> str:
        token = _token()
        try:
            sealed = self._sealer.seal(token.encode())
        except RuntimeError as error:
            raise Conflict(f"the {self._what} needs TANDEM_SECRET_KEY on this server: {error}") from None
        if not await self._store(tx).put(workspace, _hash(token), sealed, replace):
            raise Conflict(f"the {self._what} was made by another request a moment ago: ask again")
        return token

    async def workspace_of(self, begin: Begin, token: str | None) -> UUID | None:
        """The workspace whose address holds ``token`` (None: no such address)."""
        if token is None:
            return None
        async with begin(autocommit=True) as tx:
            return await self._store(tx).workspace_of(_hash(token))


def token_of(address: str, domain: str) -> str | None:
    """The token of ``bcc+<token>@<domain>`` (any case), else None."""
    local, _, host = address.strip().strip("<>").lower().rpartition("@")
    if not local.startswith(PREFIX) or (domain and host != domain.lower()) or len(local) > 100:
        return None
    return local[len(PREFIX):] or None


class BccService:
    def __init__(self, begin: Begin, sealer: Sealer, domain: str, listening: bool) -> None:
        self._begin, self._domain, self._listening = begin, domain.strip().lower(), listening
        self._tokens = SecretTokens(sealer, "BCC address", lambda tx: tx.bcc_addresses)

    def _shown(self, token: str) -> BccAddress:
        return BccAddress(f"{PREFIX}{token}@{self._domain}" if self._domain else None, self._listening)

    async def address(self, caller: Caller, workspace: UUID) -> BccAddress:
        """The workspace's BCC address, made on first look; for members who add to its contacts."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            sealed = await tx.bcc_addresses.sealed(workspace)
            if sealed is None:
                return self._shown(await self._tokens.new(tx, workspace, replace=False))
        return self._shown(self._tokens.open(sealed))

    async def regenerate(self, caller: Caller, workspace: UUID) -> BccAddress:
        """A new address for the workspace (admins): the old one stops filing at once."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            return self._shown(await self._tokens.new(tx, workspace, replace=True))

    # --- what the SMTP listener asks (BccDesk) ---------------------------------------------------

    async def recipient(self, address: str) -> UUID | None:
        return await self._tokens.workspace_of(self._begin, token_of(address, self._domain))

    async def accept(self, workspaces: Sequence[UUID], raw: bytes) -> str | None:
        sender = _from(raw)
        if sender is None:
            return "the message has no From address"
        async with self._begin() as tx:
            taken = [w for w in dict.fromkeys(workspaces) if await _member(tx, w, sender) is not None]
            if not taken:
                return f"{sender} is not a member of the workspace this address files into"
            for workspace in taken:
                await tx.jobs.enqueue(BCC, {"workspace": str(workspace), "raw": base64.b64encode(raw).decode()})
        return None


def _from(raw: bytes) -> str | None:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
    values = [line.split(":", 1)[1] for line in head.replace("\r\n ", " ").replace("\n ", " ").splitlines()
              if line.lower().startswith("from:")]
    found = [a.lower() for _, a in getaddresses(values[:1]) if "@" in a]
    return found[0] if found else None


async def _member(tx: Unit, workspace: UUID, address: str) -> Any:
    """The member with this address who may add to the workspace's contacts, or None."""
    account = await tx.users.by_email(address)
    if account is None or account.disabled_at is not None:
        return None
    try:
        permit(role_of(await tx.workspaces.workspace_view(workspace, account.id)), Action.EDIT_CONTACTS)
    except (AccessDenied, LookupError):
        return None
    return account


async def file_bcc(tx: Unit, workspace: UUID, raw: bytes) -> UUID | None:
    """File a BCC'd message as its sender's (a member's), like synced mail; its id, or None when the
    workspace holds it already, it names no contact, or its sender is no longer a member."""
    email = parse(raw)
    member = await _member(tx, workspace, email.from_address)
    if member is None:
        return None
    known = await tx.email_messages.known(workspace, [email.message_id, *ancestors(email)])
    if email.message_id in known:
        return None
    filing = await tx.email_messages.filing_for(workspace, correspondents(email, member.email))
    if not filing:
        return None
    email = msgspec.structs.replace(email, thread_id=thread_of(email, known))
    stored = await tx.email_messages.file(
        NewEmail(workspace, None, member.id, Direction.OUT, Visibility.EVERYTHING, email), filing)
    if stored is not None:
        await announce(tx, workspace, filing_keys(filing))  # live timelines (brief J)
    return stored


def register(kinds: JobKinds, begin: Begin) -> None:
    """``mail.bcc``: file one message the listener took."""

    @kinds.handle(BCC)
    async def file_one(payload: dict[str, Any]) -> None:
        async with begin() as tx:
            stored = await file_bcc(tx, UUID(payload["workspace"]), base64.b64decode(payload["raw"]))
        log.info("bcc: %s", f"filed {stored}" if stored else "nothing filed (known, no contact, or not a member)")
