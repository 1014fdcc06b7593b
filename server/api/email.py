"""``/api/mail/status``, ``/api/workspaces/{id}/email-templates`` and ``/api/workspaces/{id}/emails``
(issue 17): whether this server sends mail, the workspace's templates with their previews, and
composing and sending a mail from a deal, contact or organisation."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.response import Redirect
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api import email_types as types
from server.api.auth import AccountsDep, CallerDep, client_address
from server.api.container import SettingsDep
from server.domain.accounts import InvalidInput
from server.domain.email_templates import Template, merge_fields
from server.domain.tracking import PIXEL
from server.services.email_templates import EmailTemplatesService, Subjects
from server.services.sending import Draft, EmailSending, EmailTrackingService

EmailTemplatesDep = NamedDependency[EmailTemplatesService]
EmailSendingDep = NamedDependency[EmailSending]
EmailTrackingDep = NamedDependency[EmailTrackingService]


def _template(template: Template) -> types.EmailTemplate:
    fields = merge_fields(template.subject + "\n" + template.body)
    return types.EmailTemplate(template.id, template.name, template.locale, template.subject, template.body, fields,
                               template.updated_at)


def subjects_of(data: types.PreviewRequest | types.Records) -> Subjects:
    """The records of a preview or send request; a deal needs both its board and its card."""
    if (data.board_id is None) != (data.card_id is None):
        raise InvalidInput("board_id, card_id: expected both (a deal) or neither")
    deal = (data.board_id, data.card_id) if data.board_id is not None and data.card_id is not None else None
    return Subjects(data.contact_id, data.organisation_id, deal)


@get("/api/mail/status", tags=["email"], summary="Whether this server sends mail, and from which address")
async def mail_status(caller: CallerDep, accounts: AccountsDep, settings: SettingsDep) -> types.MailStatus:
    configured = accounts.mail_configured
    return types.MailStatus(configured, settings.mail_from.strip() if configured else None)


class EmailTemplateController(Controller):
    path = "/api/workspaces/{workspace:uuid}/email-templates"
    tags = ["email"]

    @get("", summary="The workspace's e-mail templates (the defaults are added on the first look)")
    async def list(self, workspace: FromPath[UUID], caller: CallerDep,
                   email_templates: EmailTemplatesDep) -> list[types.EmailTemplate]:
        return [_template(t) for t in await email_templates.list(caller, workspace)]

    @post("", summary="Make a template (members)")
    async def create(self, workspace: FromPath[UUID], data: JSONBody[types.NewTemplate], caller: CallerDep,
                     email_templates: EmailTemplatesDep) -> types.EmailTemplate:
        return _template(await email_templates.create(caller, workspace, data.name, data.locale, data.subject,
                                                      data.body))

    @put("/{template:uuid}", summary="Change a template (members)")
    async def update(self, workspace: FromPath[UUID], template: FromPath[UUID], data: JSONBody[types.NewTemplate],
                     caller: CallerDep, email_templates: EmailTemplatesDep) -> types.EmailTemplate:
        return _template(await email_templates.update(caller, workspace, template, data.name, data.locale,
                                                      data.subject, data.body))

    @delete("/{template:uuid}", summary="Delete a template (members)")
    async def remove(self, workspace: FromPath[UUID], template: FromPath[UUID], caller: CallerDep,
                     email_templates: EmailTemplatesDep) -> None:
        await email_templates.delete(caller, workspace, template)

    @post("/{template:uuid}/preview", status_code=200,
          summary="Render a template against a contact, organisation and deal; lists merge fields without a value")
    async def preview(self, workspace: FromPath[UUID], template: FromPath[UUID], data: JSONBody[types.PreviewRequest],
                      caller: CallerDep, email_templates: EmailTemplatesDep) -> types.Preview:
        rendered = await email_templates.preview(caller, workspace, template, subjects_of(data))
        return types.Preview(rendered.subject, rendered.body, rendered.missing)


class EmailController(Controller):
    path = "/api/workspaces/{workspace:uuid}/emails"
    tags = ["email"]

    @get("/route", summary="How the caller's mail leaves: their connected mailbox, the server's relay, or not at all")
    async def route(self, workspace: FromPath[UUID], caller: CallerDep,
                    email_sending: EmailSendingDep) -> types.MailRoute:
        route = await email_sending.route(caller, workspace)
        return types.MailRoute(route.via, route.sender, route.reply_to, route.tracking)

    @post("/preview", status_code=200, summary="Render a draft against its records; lists merge fields without a value")
    async def preview(self, workspace: FromPath[UUID], data: JSONBody[types.DraftPreview], caller: CallerDep,
                      email_sending: EmailSendingDep) -> types.Preview:
        shown = await email_sending.preview(caller, workspace, data.subject, data.body, subjects_of(data))
        return types.Preview(shown.subject, shown.body, shown.missing)

    @post("", status_code=201, summary="Send a mail (members): rendered, sanitised, queued, and filed on the timeline")
    async def send(self, workspace: FromPath[UUID], data: JSONBody[types.NewEmail], caller: CallerDep,
                   email_sending: EmailSendingDep) -> types.SentEmail:
        draft = Draft(list(data.to), list(data.cc), data.subject, data.body, subjects_of(data), data.reply_to_email_id,
                      data.track, attachments=tuple(data.attachments))
        sent = await email_sending.send(caller, workspace, draft)
        return types.SentEmail(sent.email, sent.message_id, sent.route.via, sent.route.sender or "")

    @get("/{email:uuid}/delivery", summary="Whether a mail sent from Tandem left: sending, sent or failed")
    async def delivery(self, workspace: FromPath[UUID], email: FromPath[UUID], caller: CallerDep,
                       email_sending: EmailSendingDep) -> types.Delivery:
        return types.Delivery(await email_sending.delivery(caller, workspace, email))

    @get("/{email:uuid}/tracking", summary="A tracked mail's opens and clicks (privacy proxies' opens apart)")
    async def tracking(self, workspace: FromPath[UUID], email: FromPath[UUID], caller: CallerDep,
                       email_tracking: EmailTrackingDep) -> types.TrackingStats:
        events = await email_tracking.events(caller, workspace, email)
        opens = [e for e in events if e.kind == "open"]
        return types.TrackingStats(
            opens=sum(not e.proxy for e in opens), proxy_opens=sum(e.proxy for e in opens),
            clicks=sum(e.kind == "click" for e in events),
            events=[types.TrackingEvent(e.kind, e.url, e.proxy, e.at) for e in events])


_NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


@get("/t/o/{token:str}", tags=["email"], include_in_schema=False, summary="A tracked mail's open pixel")
async def tracked_open(request: Request, token: FromPath[str], email_tracking: EmailTrackingDep) -> Response[bytes]:
    await email_tracking.hit(token, client_address(request), request.headers.get("user-agent", ""))
    return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)


@get("/t/c/{token:str}", tags=["email"], include_in_schema=False,
     summary="A tracked mail's link: counted, then redirected to where its signed token says (forged: 404)")
async def tracked_click(request: Request, token: FromPath[str], email_tracking: EmailTrackingDep) -> Redirect:
    tracked = await email_tracking.hit(token, client_address(request), request.headers.get("user-agent", ""))
    assert tracked.url is not None
    return Redirect(tracked.url, status_code=302, headers=_NO_STORE)
