"""Connected mailboxes (``/api/workspaces/{id}/mailboxes``, ``/api/mailboxes/{id}``: the caller's
own) and filed e-mail (``/api/emails/{id}``, ``/api/deals/{board}/{card}/emails``; issue 17)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from server.api.auth import CallerDep
from server.api.mailbox_types import (
    EmailAnswer, MailboxAnswer, MailboxChange, NewMailboxBody, Resync, email_answer, mailbox_answer,
)
from server.services.mailboxes import MailboxForm, Mailboxes

MailboxesDep = NamedDependency[Mailboxes]


class MailboxController(Controller):
    path = "/api"
    tags = ["mailboxes"]

    @get("/workspaces/{workspace:uuid}/mailboxes", summary="The caller's connected mailboxes in the workspace")
    async def mine(self, workspace: FromPath[UUID], caller: CallerDep, mailboxes: MailboxesDep) -> list[MailboxAnswer]:
        return [mailbox_answer(m) for m in await mailboxes.mine(caller, workspace)]

    @post("/workspaces/{workspace:uuid}/mailboxes",
          summary="Connect a mailbox by IMAP + SMTP: both are signed in to first; 422 says why one refused")
    async def connect(self, workspace: FromPath[UUID], data: JSONBody[NewMailboxBody], caller: CallerDep,
                      mailboxes: MailboxesDep) -> MailboxAnswer:
        form = MailboxForm(data.address, data.imap_host, data.imap_port, data.imap_tls, data.smtp_host,
                           data.smtp_port, data.smtp_tls, data.username, data.password, data.visibility)
        return mailbox_answer(await mailboxes.connect(caller, workspace, form))

    @get("/mailboxes/{mailbox:uuid}", summary="One of the caller's mailboxes and its sync status")
    async def status(self, mailbox: FromPath[UUID], caller: CallerDep, mailboxes: MailboxesDep) -> MailboxAnswer:
        return mailbox_answer(await mailboxes.status(caller, mailbox))

    @patch("/mailboxes/{mailbox:uuid}", summary="Change what other members see of the mailbox's mail")
    async def change(self, mailbox: FromPath[UUID], data: JSONBody[MailboxChange], caller: CallerDep,
                     mailboxes: MailboxesDep) -> MailboxAnswer:
        return mailbox_answer(await mailboxes.set_visibility(caller, mailbox, data.visibility))

    @post("/mailboxes/{mailbox:uuid}/resync", status_code=200,
          summary="Read the mailbox again from the start or a date (nothing is filed twice)")
    async def resync(self, mailbox: FromPath[UUID], data: JSONBody[Resync], caller: CallerDep,
                     mailboxes: MailboxesDep) -> MailboxAnswer:
        return mailbox_answer(await mailboxes.resync(caller, mailbox, data.since))

    @post("/mailboxes/{mailbox:uuid}/sync", status_code=HTTP_202_ACCEPTED, summary="Look for new mail now")
    async def sync_now(self, mailbox: FromPath[UUID], caller: CallerDep, mailboxes: MailboxesDep) -> None:
        await mailboxes.sync_now(caller, mailbox)

    @delete("/mailboxes/{mailbox:uuid}", summary="Disconnect a mailbox and forget its password (its mail stays)")
    async def disconnect(self, mailbox: FromPath[UUID], caller: CallerDep, mailboxes: MailboxesDep) -> None:
        await mailboxes.disconnect(caller, mailbox)

    @get("/emails/{email:uuid}", summary="A filed e-mail, as far as its mailbox's visibility lets the caller see")
    async def email(self, email: FromPath[UUID], caller: CallerDep, mailboxes: MailboxesDep) -> EmailAnswer:
        return email_answer(*await mailboxes.email(caller, email))

    @get("/deals/{board:uuid}/{card:uuid}/emails", summary="The e-mail filed under a deal, oldest first")
    async def deal_emails(self, board: FromPath[UUID], card: FromPath[UUID], caller: CallerDep,
                          mailboxes: MailboxesDep) -> list[EmailAnswer]:
        return [email_answer(*pair) for pair in await mailboxes.deal_emails(caller, board, card)]
