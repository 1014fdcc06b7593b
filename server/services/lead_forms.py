"""Web forms that capture leads (docs/leads.md): a workspace's forms (admins keep them, members read
them), and the public post that turns a visitor's form into a lead.

A form's public id is signed (``form_token``): a forged or guessed one answers ``NotFound``, the
same as a deleted form. Every post is counted before anything else, per address and per form
(``Throttle``); a post whose honeypot field is filled is answered like any other and stored
nowhere; the values are checked like a lead's (``InvalidLead`` naming the field). The new lead
notifies the form's owner through ``notify.deliver`` (as an assignment: the bell, or e-mail if
they chose so).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4, uuid5

from server.domain.access import Action, NotFound
from server.domain.leads import (
    FORM_FIELDS, InvalidLead, Lead, LeadForm, LeadSource, check_form, form_submission, form_token, token_form,
    token_valid,
)
from server.domain.notifications import NewNotification
from server.domain.throttle import Rule, Scope, key
from server.services.accounts import Caller
from server.services.leads import new_lead
from server.services.notify import IDS, deliver
from server.services.ports.unit import Begin, Unit
from server.services.records import members, workspace_role
from server.services.throttle import Throttle

HONEYPOT = "website"  # a field people do not see and bots fill in
RULES = {Scope.LEAD_FORM_ADDRESS: Rule(free=10, first_delay=30, longest=3600),
         Scope.LEAD_FORM: Rule(free=300, first_delay=1, longest=60)}
MAX_FORMS = 50


class Captured(NamedTuple):
    lead: Lead | None  # None: the honeypot was filled (answered alike, kept nowhere)
    redirect_url: str | None  # the form's own thank-you page, never one a post names


class LeadFormsService:
    def __init__(self, begin: Begin, rules: dict[Scope, Rule] | None = None) -> None:
        self._begin = begin
        self._throttle = Throttle(begin, rules or RULES)

    async def forms(self, caller: Caller, workspace: UUID) -> list[LeadForm]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.lead_forms.of_workspace(workspace)

    async def create(self, caller: Caller, workspace: UUID, raw: Mapping[str, Any]) -> LeadForm:
        values = check_form({"fields": ["person_name", "email", "note"], **raw})
        if "name" not in values:
            raise InvalidLead("name", "expected a name for the form")
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            if len(await tx.lead_forms.of_workspace(workspace)) >= MAX_FORMS:
                raise InvalidLead("name", f"expected at most {MAX_FORMS} forms per workspace")
            owner = await _owner(tx, workspace, values.get("owner", caller.id))
            form = LeadForm(uuid4(), workspace, values["name"], values["fields"], owner,
                            values.get("redirect_url"), secrets.token_bytes(32), datetime.now(timezone.utc),
                            values.get("language", "en"))
            await tx.lead_forms.add(form)
        return form

    async def update(self, caller: Caller, form: UUID, raw: Mapping[str, Any]) -> LeadForm:
        values = check_form(raw)
        async with self._begin() as tx:
            found = await self._managed(tx, caller, form)
            if "owner" in values:
                values["owner"] = await _owner(tx, found.workspace_id, values["owner"])
            changed = found._replace(**{"owner_id" if k == "owner" else k: v for k, v in values.items()})
            await tx.lead_forms.put(changed)
        return changed

    async def delete(self, caller: Caller, form: UUID) -> None:
        async with self._begin() as tx:
            await self._managed(tx, caller, form)
            await tx.lead_forms.delete(form)

    @staticmethod
    async def _managed(tx: Unit, caller: Caller, form: UUID) -> LeadForm:
        found = await tx.lead_forms.get(form)
        if found is None:
            raise NotFound("no such form")
        await workspace_role(tx, caller, found.workspace_id, Action.MANAGE_SETTINGS)
        return found

    # --- the public post --------------------------------------------------------------------------

    async def capture(self, token: str, posted: Mapping[str, Any], address: str) -> Captured:
        await self._throttle.attempt((Scope.LEAD_FORM_ADDRESS, key(address)), refused="too many posts from here")
        form = await self._form(token)
        await self._throttle.attempt((Scope.LEAD_FORM, str(form.id)), refused="too many posts to this form")
        if str(posted.get(HONEYPOT) or "").strip():
            return Captured(None, form.redirect_url)
        values = form_submission(form, posted)
        lead = new_lead(form.workspace_id, values, LeadSource.WEB_FORM, form.owner_id, form.id)
        async with self._begin() as tx:
            await tx.leads.add(lead)
            if form.owner_id is not None:
                await deliver(tx, NewNotification(uuid5(IDS, f"lead:{lead.id}"), form.owner_id, form.workspace_id,
                                                  f"New lead from the form {form.name}: {lead.title}",
                                                  kind="assigned"))
        return Captured(lead, form.redirect_url)

    async def _form(self, token: str) -> LeadForm:
        form_id = token_form(token)
        async with self._begin() as tx:
            form = await tx.lead_forms.get(form_id) if form_id else None
        if form is None or not token_valid(token, form.id, form.key):
            raise NotFound("no such form")
        return form


async def _owner(tx: Unit, workspace: UUID, raw: Any) -> UUID | None:
    if raw is None:
        return None
    try:
        owner = raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        raise InvalidLead("owner", f"expected a member's id, got {str(raw)[:40]!r}") from None
    if owner not in await members(tx, workspace):
        raise InvalidLead("owner", f"expected a member of this workspace, got {owner}")
    return owner


def public_id(form: LeadForm) -> str:
    return form_token(form.id, form.key)


SNIPPET_WORDS = {  # a form's snippet in its language: the fields' labels and the button
    "en": {"person_name": "Name", "email": "E-mail", "phone": "Phone", "organisation_name": "Company",
           "title": "Subject", "value": "Budget", "note": "Message", "submit": "Send"},
    "de": {"person_name": "Name", "email": "E-Mail", "phone": "Telefon", "organisation_name": "Firma",
           "title": "Betreff", "value": "Budget", "note": "Nachricht", "submit": "Senden"},
}


def snippet(form: LeadForm, base_url: str) -> str:
    """The HTML a site pastes, in the form's language: a plain form posting to the public endpoint,
    with the hidden honeypot."""
    labels = SNIPPET_WORDS.get(form.language, SNIPPET_WORDS["en"])
    types = {"email": "email", "phone": "tel", "value": "number"}
    lines = [f'<form action="{base_url.rstrip("/")}/f/{public_id(form)}" method="post">']
    for field in (f for f in FORM_FIELDS if f in form.fields):
        control = (f'<textarea name="{field}"></textarea>' if field == "note"
                   else f'<input name="{field}" type="{types.get(field, "text")}">')
        lines.append(f"  <label>{labels[field]} {control}</label>")
    lines.append(f'  <input name="{HONEYPOT}" tabindex="-1" autocomplete="off" '
                 f'style="position:absolute;left:-5000px" aria-hidden="true">')
    lines.append(f'  <button type="submit">{labels["submit"]}</button>')
    lines.append("</form>")
    return "\n".join(lines)
