"""Connected mailboxes (issue 17 item 2): a member connects their own IMAP + SMTP account in a
workspace, sees its sync status, changes what others see of its mail, asks for a re-sync from a
date, and disconnects it; and reading one filed e-mail as far as its mailbox's visibility allows.

Connecting tests both servers first (sign in to IMAP and open the folder, sign in to SMTP) and
refuses with the server's answer in words; the password is sealed (``server/sealing.py``) before
it is stored, and never answered. A mailbox is its owner's alone: others get "no such mailbox".
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict
from server.domain.mailboxes import (
    Endpoint, Mailbox, MailboxRefused, NewMailbox, StoredEmail, Tls, Visibility, check_address, check_host,
    check_port, check_secret, seen_by,
)
from server.services.accounts import Caller
from server.services.mail_sync import enqueue_sync, guard
from server.services.ports.mailboxes import MailServerError, MailServers
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Sealer
from server.services.records import workspace_role


class MailboxForm(NamedTuple):
    address: str
    imap_host: str
    imap_port: int
    imap_tls: Tls
    smtp_host: str
    smtp_port: int
    smtp_tls: Tls
    username: str
    password: str
    visibility: Visibility = Visibility.METADATA


class Checked(NamedTuple):
    address: str
    imap: Endpoint
    smtp: Endpoint
    username: str
    password: str


def check_form(form: MailboxForm) -> Checked:
    """The form's values as they will be used; ``InvalidInput`` naming the first field that is not."""
    return Checked(
        check_address(form.address),
        Endpoint(check_host("imap_host", form.imap_host), check_port("imap_port", form.imap_port), form.imap_tls),
        Endpoint(check_host("smtp_host", form.smtp_host), check_port("smtp_port", form.smtp_port), form.smtp_tls),
        check_secret("username", form.username.strip(), 320), check_secret("password", form.password))


class Mailboxes:
    def __init__(self, begin: Begin, sealer: Sealer, servers: MailServers, allow_private: bool = False) -> None:
        self._begin, self._sealer, self._servers, self._allow_private = begin, sealer, servers, allow_private

    async def connect(self, caller: Caller, workspace: UUID, form: MailboxForm) -> Mailbox:
        """Test the servers, then store the mailbox (sealed) and queue its first sync."""
        checked = check_form(form)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            if any(m.address == checked.address for m in await tx.mailboxes.of_owner(workspace, caller.id)):
                raise Conflict(f"address: {checked.address} is connected already")
        await self.test(checked)
        try:
            secret = self._sealer.seal(checked.password.encode())
        except RuntimeError as error:  # sealing.MissingKey
            raise MailboxRefused(str(error)) from None
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            mailbox = await tx.mailboxes.connect(NewMailbox(workspace, caller.id, checked.address, checked.imap,
                                                            checked.smtp, checked.username, secret, form.visibility))
            if mailbox is None:
                raise Conflict(f"address: {checked.address} is connected already")
            await enqueue_sync(tx, mailbox.id)
        return mailbox

    async def test(self, checked: Checked) -> None:
        """Sign in to both servers (IMAP also opens INBOX); ``MailboxRefused`` in words if one fails."""
        try:
            await guard(self._servers, checked.imap.host, checked.imap.port, self._allow_private)
            async with self._servers.imap(checked.imap, checked.username, checked.password) as imap:
                await imap.examine("INBOX")
            await guard(self._servers, checked.smtp.host, checked.smtp.port, self._allow_private)
            await self._servers.check_smtp(checked.smtp, checked.username, checked.password)
        except MailServerError as error:
            raise MailboxRefused(str(error)) from None

    async def mine(self, caller: Caller, workspace: UUID) -> list[Mailbox]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.VIEW)
            return await tx.mailboxes.of_owner(workspace, caller.id)

    async def status(self, caller: Caller, mailbox: UUID) -> Mailbox:
        async with self._begin() as tx:
            return await _own(tx, caller, mailbox)

    async def set_visibility(self, caller: Caller, mailbox: UUID, visibility: Visibility) -> Mailbox:
        async with self._begin() as tx:
            await _own(tx, caller, mailbox)
            await tx.mailboxes.set_visibility(mailbox, visibility)
            return await _own(tx, caller, mailbox)

    async def resync(self, caller: Caller, mailbox: UUID, since: date | None) -> Mailbox:
        """Read the folder again from the start (or from ``since``); what is filed stays, once."""
        async with self._begin() as tx:
            await _own(tx, caller, mailbox)
            await tx.mailbox_sync.restart(mailbox, since)
            await tx.mailbox_folders.restart(mailbox)  # the Sent folder too (brief J)
            await enqueue_sync(tx, mailbox)
            return await _own(tx, caller, mailbox)

    async def sync_now(self, caller: Caller, mailbox: UUID) -> None:
        async with self._begin() as tx:
            await _own(tx, caller, mailbox)
            await enqueue_sync(tx, mailbox)

    async def disconnect(self, caller: Caller, mailbox: UUID) -> None:
        async with self._begin() as tx:
            await _own(tx, caller, mailbox)
            await tx.mailboxes.disconnect(mailbox)

    async def email(self, caller: Caller, email: UUID) -> tuple[StoredEmail, Visibility]:
        """A filed e-mail and what the caller may see of it (``seen_by``); members of its workspace only."""
        async with self._begin() as tx:
            found = await tx.email_messages.get(email)
            if found is None:
                raise NotFound("no such e-mail")
            try:
                await workspace_role(tx, caller, found.workspace_id, Action.READ_CONTACTS)
            except NotFound:
                raise NotFound("no such e-mail") from None
        return found, seen_by(found.visibility, found.owner_id, caller.id)

    async def deal_emails(self, caller: Caller, board: UUID, card: UUID) -> list[tuple[StoredEmail, Visibility]]:
        """The e-mail filed under a deal, oldest first; for members of its workspace who reach the board."""
        async with self._begin() as tx:
            if not await tx.board_reach.reaches(board, caller.id):
                raise NotFound("no such board")
            found = await tx.email_messages.of_deal(board, card)
            if found:
                await workspace_role(tx, caller, found[0].workspace_id, Action.READ_CONTACTS)
        return [(e, seen_by(e.visibility, e.owner_id, caller.id)) for e in found]


async def _own(tx: Unit, caller: Caller, mailbox: UUID) -> Mailbox:
    """The caller's own mailbox (in a workspace they still belong to); anyone else's is "no such mailbox"."""
    found = await tx.mailboxes.get(mailbox)
    if found is None or found.owner_id != caller.id:
        raise NotFound("no such mailbox")
    try:
        await workspace_role(tx, caller, found.workspace_id, Action.VIEW)
    except NotFound:
        raise NotFound("no such mailbox") from None
    return found
