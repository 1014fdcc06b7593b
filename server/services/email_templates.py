"""E-mail templates (issue 17 item 4): a workspace's templates, their defaults, and rendering one
against a contact, organisation and deal for a preview (or a send).

Members keep templates (``EDIT_CONTACTS``); anyone who sees contacts lists and previews them. The
first listing seeds four defaults (welcome, follow-up, onboarding, meeting reminder) in the caller's
language — once per workspace: a default someone deleted stays deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict
from server.domain.email_templates import Rendered, Template, TemplateDraft, check_draft, render
from server.domain.sending import clean_html
from server.services.records import contact_workspace, organisation_workspace, workspace_role

if TYPE_CHECKING:
    from server.services.accounts import Caller
    from server.services.ports.unit import Begin, Unit


class Subjects(NamedTuple):
    """The records a template is rendered against (each optional); a deal is ``(board, card)``."""

    contact: UUID | None = None
    organisation: UUID | None = None
    deal: tuple[UUID, UUID] | None = None


_DEFAULTS: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("Welcome", "Welcome, {{ contact.first_name }}!",
         "<p>Hello {{ contact.first_name }},</p><p>welcome aboard — we are glad to be working with "
         "{{ organisation.name }}. I will be your contact person; just reply to this mail with any question.</p>"
         "<p>Best regards,<br>{{ sender.name }}</p>"),
        ("Follow-up", "Following up: {{ deal.title }}",
         "<p>Hello {{ contact.first_name }},</p><p>I wanted to follow up on {{ deal.title }}. Is there anything "
         "you need from us to take the next step?</p><p>Best regards,<br>{{ sender.name }}</p>"),
        ("Onboarding", "Getting started, {{ contact.first_name }}",
         "<p>Hello {{ contact.first_name }},</p><p>here is how we get {{ organisation.name }} started: a short "
         "kick-off call, your accounts set up, and a first review after two weeks. Which day suits you for the "
         "call?</p><p>Best regards,<br>{{ sender.name }}</p>"),
        ("Meeting reminder", "Reminder: our meeting about {{ deal.title }}",
         "<p>Hello {{ contact.first_name }},</p><p>a short reminder of our meeting about {{ deal.title }}. "
         "Reply to this mail if the time no longer suits you.</p><p>See you soon,<br>{{ sender.name }}</p>"),
    ],
    "de": [
        ("Willkommen", "Willkommen, {{ contact.first_name }}!",
         "<p>Hallo {{ contact.first_name }},</p><p>herzlich willkommen — schön, mit {{ organisation.name }} "
         "zusammenzuarbeiten. Fragen gern einfach als Antwort auf diese Mail.</p>"
         "<p>Viele Grüße<br>{{ sender.name }}</p>"),
        ("Nachfassen", "Kurze Nachfrage: {{ deal.title }}",
         "<p>Hallo {{ contact.first_name }},</p><p>kurze Nachfrage zu {{ deal.title }}: Fehlt noch etwas "
         "für den nächsten Schritt?</p><p>Viele Grüße<br>{{ sender.name }}</p>"),
        ("Onboarding", "Der Start für {{ organisation.name }}",
         "<p>Hallo {{ contact.first_name }},</p><p>so starten wir mit {{ organisation.name }}: ein kurzes "
         "Auftaktgespräch, die Einrichtung der Zugänge und nach zwei Wochen ein erster Rückblick. Welcher Tag "
         "passt für das Gespräch?</p><p>Viele Grüße<br>{{ sender.name }}</p>"),
        ("Terminerinnerung", "Erinnerung: unser Termin zu {{ deal.title }}",
         "<p>Hallo {{ contact.first_name }},</p><p>eine kurze Erinnerung an unseren Termin zu {{ deal.title }}. "
         "Falls die Zeit nicht mehr passt, bitte einfach antworten.</p><p>Bis bald<br>{{ sender.name }}</p>"),
    ],
}


def default_templates(locale: str | None) -> list[TemplateDraft]:
    """The seeded defaults in ``locale`` (English when unknown)."""
    chosen = locale if locale in _DEFAULTS else "en"
    return [check_draft(name, chosen, subject, body) for name, subject, body in _DEFAULTS[chosen]]


class EmailTemplatesService:
    """The template use cases."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def list(self, caller: Caller, workspace: UUID) -> Sequence[Template]:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.READ_CONTACTS)
            if await unit.email_templates.first_seeding(workspace):
                for draft in default_templates(caller.locale):
                    await unit.email_templates.add(workspace, draft, None)
            return await unit.email_templates.all(workspace)

    async def create(self, caller: Caller, workspace: UUID, name: str, locale: str, subject: str,
                     body: str) -> Template:
        draft = check_draft(name, locale, subject, body)
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            made = await unit.email_templates.add(workspace, draft, caller.id)
            if made is None:
                raise Conflict(f"name: this workspace has a template named {draft.name!r} in {draft.locale} already")
            return made

    async def update(self, caller: Caller, workspace: UUID, template: UUID, name: str, locale: str, subject: str,
                     body: str) -> Template:
        draft = check_draft(name, locale, subject, body)
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            if await unit.email_templates.get(workspace, template) is None:
                raise NotFound("no such template in this workspace")
            changed = await unit.email_templates.update(workspace, template, draft)
            if changed is None:
                raise Conflict(f"name: this workspace has a template named {draft.name!r} in {draft.locale} already")
            return changed

    async def delete(self, caller: Caller, workspace: UUID, template: UUID) -> None:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.EDIT_CONTACTS)
            if not await unit.email_templates.remove(workspace, template):
                raise NotFound("no such template in this workspace")

    async def preview(self, caller: Caller, workspace: UUID, template: UUID, subjects: Subjects) -> Rendered:
        """The template rendered against ``subjects`` (and the caller as sender), its HTML sanitised,
        with the merge fields that have no value."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.READ_CONTACTS)
            found = await unit.email_templates.get(workspace, template)
            if found is None:
                raise NotFound("no such template in this workspace")
            context = await merge_context(unit, caller, workspace, subjects)
        rendered = render(found.subject, found.body, context)
        return Rendered(rendered.subject, clean_html(rendered.body), rendered.missing)


async def merge_context(unit: Unit, caller: Caller, workspace: UUID, subjects: Subjects) -> dict[str, dict[str, Any]]:
    """What merge fields read: ``contact``, ``organisation``, ``deal`` (those the caller may see, in
    ``workspace``; else ``NotFound``) and ``sender`` (the caller)."""
    context: dict[str, dict[str, Any]] = {"sender": {"name": caller.name, "email": caller.email}}
    if subjects.contact is not None:
        if await contact_workspace(unit, caller, subjects.contact, Action.READ_CONTACTS) != workspace:
            raise NotFound("no such contact")
        (contact,) = await unit.contacts.by_ids([subjects.contact])
        values = contact.values
        context["contact"] = {"first_name": values.first_name, "last_name": values.last_name, "name": contact.name,
                              "email": values.emails[0] if values.emails else "", "job_title": values.job_title,
                              "phone": values.phones[0] if values.phones else "", "fields": dict(values.fields)}
        if values.organisation_id is not None and subjects.organisation is None:
            subjects = subjects._replace(organisation=values.organisation_id)  # type: ignore[arg-type]
    if subjects.organisation is not None:
        if await organisation_workspace(unit, caller, subjects.organisation, Action.READ_CONTACTS) != workspace:
            raise NotFound("no such organisation")
        (organisation,) = await unit.organisations.by_ids([subjects.organisation])
        values_o = organisation.values
        context["organisation"] = {"name": values_o.name, "website": values_o.website, "fields": dict(values_o.fields)}
    if subjects.deal is not None:
        context["deal"] = await _deal(unit, caller, workspace, *subjects.deal)
    return context


async def _deal(unit: Unit, caller: Caller, workspace: UUID, board: UUID, card: UUID) -> dict[str, Any]:
    grant = await unit.boards.grant(board, caller.id)
    if grant is None or grant.board.workspace_id != workspace:
        raise NotFound("no such deal")
    grant.access()  # NotFound unless the caller reaches the board
    deal = await unit.board_reads.deal(board, card)
    if deal is None:
        raise NotFound("no such deal")
    return {"title": deal.title, "value": "" if deal.value is None else f"{deal.value:,.2f}",
            "currency": deal.currency or "", "stage": deal.stage_name or "", "status": deal.status}
