"""The leads inbox over HTTP (docs/leads.md): list with filters and counts, add, edit, qualify,
archive and restore, convert into a contact and a deal; Settings › Lead forms; and the public form
endpoint ``POST /f/<signed form id>`` — no session, no cookies, CORS for any origin (on that path
only), a browser's form post or JSON."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.api import lead_types as types
from server.api.auth import CallerDep, client_address
from server.api.errors import HTTP_STATUS, error_response
from server.domain.leads import MAX_FORM_BYTES, FormTooLarge, InvalidLead, Lead, LeadFilter, LeadForm, LeadSource, \
    LeadStatus
from server.services.lead_forms import LeadFormsService, public_id, snippet
from server.services.leads import LeadsService

LeadsDep = NamedDependency[LeadsService]
LeadFormsDep = NamedDependency[LeadFormsService]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=100_000)]
MinScore = Annotated[int | None, QueryParameter(ge=0, le=100)]  # leads scored at least this (docs/lead-scoring.md)


def _lead(lead: Lead) -> types.Lead:
    return types.Lead(
        id=lead.id, workspace_id=lead.workspace_id, title=lead.title, person_name=lead.person_name, email=lead.email,
        phone=lead.phone, organisation_name=lead.organisation_name, value=lead.value, currency=lead.currency,
        source=lead.source.value, owner=lead.owner_id, labels=lead.labels, note=lead.note,  # type: ignore[arg-type]
        status=lead.status.value, created_at=lead.created_at, form=lead.form_id,  # type: ignore[arg-type]
        contact=lead.contact_id, organisation=lead.organisation_id, board=lead.board_id, deal=lead.deal_id,
        converted_at=lead.converted_at)


def _form(form: LeadForm, base_url: str) -> types.LeadForm:
    return types.LeadForm(id=form.id, name=form.name, fields=form.fields, owner=form.owner_id,  # type: ignore[arg-type]
                          redirect_url=form.redirect_url, created_at=form.created_at, public_id=public_id(form),
                          snippet=snippet(form, base_url), language=form.language)  # type: ignore[arg-type]


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class LeadController(Controller):
    path = "/api"
    tags = ["leads"]

    @get("/workspaces/{workspace:uuid}/leads", summary="The leads inbox: filter by status (default: new and "
                                                        "qualified), owner, source and text; counts per status")
    async def list_leads(self, workspace: FromPath[UUID], caller: CallerDep, leads: LeadsDep,
                         status: FromQuery[types.Status | None] = None, owner: FromQuery[UUID | None] = None,
                         source: FromQuery[types.Source | None] = None, q: FromQuery[str | None] = None,
                         contact: FromQuery[UUID | None] = None, deal: FromQuery[UUID | None] = None,
                         min_score: MinScore = None, sort: FromQuery[Literal["newest", "score"]] = "newest",
                         limit: Limit = 50, offset: Offset = 0) -> types.LeadInbox:
        where = LeadFilter(LeadStatus(status) if status else None, owner, LeadSource(source) if source else None,
                           (q or "").strip()[:200] or None, contact, deal, min_score, sort == "score")
        inbox = await leads.inbox(caller, workspace, where, limit, offset)
        return types.LeadInbox(leads=[_lead(x) for x in inbox.leads], counts=inbox.counts)

    @post("/workspaces/{workspace:uuid}/leads", summary="Add a lead by hand (members)")
    async def create_lead(self, workspace: FromPath[UUID], data: JSONBody[types.NewLead], caller: CallerDep,
                          leads: LeadsDep) -> types.Lead:
        values = {k: v for k, v in types.given(data).items() if v is not None}
        return _lead(await leads.create(caller, workspace, values))

    @post("/workspaces/{workspace:uuid}/leads/archive", status_code=200,
          summary="Archive (or restore, archived false) leads of the workspace; the ids that changed")
    async def archive_leads(self, workspace: FromPath[UUID], data: JSONBody[types.Archive], caller: CallerDep,
                            leads: LeadsDep) -> types.Archived:
        return types.Archived(changed=await leads.archive(caller, workspace, data.leads, data.archived))

    @get("/leads/{lead_id:uuid}", summary="One lead")
    async def get_lead(self, lead_id: FromPath[UUID], caller: CallerDep, leads: LeadsDep) -> types.Lead:
        return _lead(await leads.get(caller, lead_id))

    @patch("/leads/{lead_id:uuid}", summary="Change a lead, or qualify it (status); a converted lead is kept (409)")
    async def update_lead(self, lead_id: FromPath[UUID], data: JSONBody[types.LeadChanges], caller: CallerDep,
                          leads: LeadsDep) -> types.Lead:
        changes = types.given(data)
        if not changes:
            raise InvalidLead("body", "expected at least one field to change")
        return _lead(await leads.update(caller, lead_id, changes))

    @post("/leads/{lead_id:uuid}/convert", status_code=200,
          summary="Convert a lead: its contact (found by e-mail or made), organisation and a deal on the board "
                  "(409 if converted already)")
    async def convert_lead(self, lead_id: FromPath[UUID], data: JSONBody[types.Convert], caller: CallerDep,
                           leads: LeadsDep) -> types.Lead:
        return _lead(await leads.convert(caller, lead_id, data.board, data.stage))


class LeadFormController(Controller):
    path = "/api"
    tags = ["leads"]

    @get("/workspaces/{workspace:uuid}/lead-forms", summary="The workspace's web forms, with their snippets")
    async def list_lead_forms(self, request: Request, workspace: FromPath[UUID], caller: CallerDep,
                              lead_forms: LeadFormsDep) -> list[types.LeadForm]:
        return [_form(f, _base_url(request)) for f in await lead_forms.forms(caller, workspace)]

    @post("/workspaces/{workspace:uuid}/lead-forms", summary="Make a web form (admins)")
    async def create_lead_form(self, request: Request, workspace: FromPath[UUID], data: JSONBody[types.NewLeadForm],
                               caller: CallerDep, lead_forms: LeadFormsDep) -> types.LeadForm:
        values = {k: v for k, v in types.given(data).items() if v is not None}
        return _form(await lead_forms.create(caller, workspace, values), _base_url(request))

    @patch("/lead-forms/{form_id:uuid}", summary="Change a web form (admins)")
    async def update_lead_form(self, request: Request, form_id: FromPath[UUID], data: JSONBody[types.LeadFormChanges],
                               caller: CallerDep, lead_forms: LeadFormsDep) -> types.LeadForm:
        return _form(await lead_forms.update(caller, form_id, types.given(data)), _base_url(request))

    @delete("/lead-forms/{form_id:uuid}", status_code=204, summary="Delete a web form (its leads stay)")
    async def delete_lead_form(self, form_id: FromPath[UUID], caller: CallerDep, lead_forms: LeadFormsDep) -> None:
        await lead_forms.delete(caller, form_id)


# Any site may post to a form (that is what it is for); nothing here reads or sets a cookie.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "86400"}
THANKS = ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Thank you</title>"
          "<p>Thank you: your message was received.</p></html>")


async def _posted(request: Request) -> tuple[dict[str, Any], bool]:
    """The post's fields, and whether it was JSON (else a browser's urlencoded form)."""
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        raise FormTooLarge(f"expected a post of at most {MAX_FORM_BYTES} bytes")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormTooLarge(f"expected a post of at most {MAX_FORM_BYTES} bytes")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise InvalidLead("body", "expected a JSON object") from None
        if not isinstance(data, dict):
            raise InvalidLead("body", "expected a JSON object")
        return data, True
    if kind in ("application/x-www-form-urlencoded", ""):
        return dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True)), False
    raise InvalidLead("body", f"expected application/x-www-form-urlencoded or application/json, got {kind[:60]!r}")


@route("/f/{token:str}", http_method=["POST", "OPTIONS"], tags=["leads"], security=[],
       summary="Post a web form: a lead (no session, no cookies; CORS for any origin). A browser's post is "
               "sent to the form's thank-you URL (303) or a thank-you page; JSON answers 201")
async def lead_form_post(request: Request, token: FromPath[str], lead_forms: LeadFormsDep) -> Response[Any]:
    if request.method == "OPTIONS":  # a cross-origin fetch's preflight
        return Response(None, status_code=204, headers=CORS)
    try:
        posted, as_json = await _posted(request)
        captured = await lead_forms.capture(token, posted, client_address(request))
    except tuple(HTTP_STATUS) as exc:
        answer = error_response(request, exc)
        answer.headers.update(CORS)
        return answer
    if as_json:
        return Response({"received": True}, status_code=201, headers=CORS)
    if captured.redirect_url:
        return Response(None, status_code=303, headers={**CORS, "Location": captured.redirect_url})
    return Response(THANKS, status_code=200, media_type="text/html", headers=CORS)
