"""The leads inbox (docs/leads.md): list, add, edit, qualify, archive and restore leads, and convert
one into a contact, an organisation and a deal.

Leads belong to the workspace like contacts: members and above change them, viewers read them,
guests and strangers get ``NotFound``. Converting runs in three steps so that a lead is converted
once, whatever happens at the same time: (1) under the lead's row lock its status becomes
``converted`` (a second conversion waits, then finds it converted: ``Conflict``, HTTP 409); (2) as
the caller, the contact is found by e-mail among the workspace's contacts or made, the organisation
found by name or made, and last the deal is added to the chosen board and stage with both linked in
one ``Crm.create_card`` — the code path of ``POST /api/boards/{board}/cards``; (3) the lead records
what it became. If step 2 fails, nothing stays half-done: the lead gets its status back and a
contact or organisation this conversion made is removed again (found ones are kept), so a retry
neither duplicates the deal nor the contact.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from server.domain.access import Action, Forbidden, require_write
from server.domain.leads import (
    InvalidLead, Lead, LeadFilter, LeadSource, LeadStatus, default_title, lead_values, require_reachable, split_name,
)
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.contacts import Contacts
from server.services.crm import Crm
from server.services.organisations import Organisations
from server.services.ports.unit import Begin, Unit
from server.services.records import in_reach, members, workspace_role

log = logging.getLogger(__name__)
MAX_PAGE = 200
_SETTABLE = (LeadStatus.NEW, LeadStatus.QUALIFIED)  # by an edit; converting and archiving have their own calls


class Inbox(NamedTuple):
    leads: list[Lead]
    counts: dict[str, int]  # per status, under the same filter but its status


async def values_for(tx: Unit, workspace: UUID, raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` checked, its owner a member of ``workspace`` (422 naming ``owner`` otherwise)."""
    values = lead_values(raw)
    if values.get("owner") is not None:
        owner = _uuid("owner", values["owner"])
        if owner not in await members(tx, workspace):
            raise InvalidLead("owner", f"expected a member of this workspace, got {owner}")
        values["owner"] = owner
    return values


def new_lead(workspace: UUID, values: Mapping[str, Any], source: LeadSource, owner: UUID | None,
             form: UUID | None = None) -> Lead:
    require_reachable(values)
    return Lead(uuid4(), workspace, values.get("title") or default_title(values), values.get("person_name", ""),
                values.get("email", ""), values.get("phone", ""), values.get("organisation_name", ""),
                values.get("value"), values.get("currency"), source, values.get("owner", owner),
                values.get("labels", []), values.get("note", ""), LeadStatus.NEW, datetime.now(timezone.utc), form)


def _uuid(field: str, raw: Any) -> UUID:
    try:
        return raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        raise InvalidLead(field, f"expected an id, got {str(raw)[:40]!r}") from None


def _edited(lead: Lead, values: Mapping[str, Any]) -> Lead:
    renamed = {"owner_id" if k == "owner" else k: v for k, v in values.items()}
    changed = lead._replace(**renamed)
    require_reachable(changed._asdict())
    return changed if changed.title else changed._replace(title=default_title(changed._asdict()))


class LeadsService:
    """The inbox's use cases."""

    def __init__(self, begin: Begin, boards: Boards, crm: Crm, contacts: Contacts,
                 organisations: Organisations) -> None:
        self._begin, self._boards, self._crm = begin, boards, crm
        self._contacts, self._organisations = contacts, organisations

    async def inbox(self, caller: Caller, workspace: UUID, where: LeadFilter, limit: int = 50,
                    offset: int = 0) -> Inbox:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            found = await tx.leads.list(workspace, where, min(max(limit, 1), MAX_PAGE), max(offset, 0))
            return Inbox(found, await tx.leads.counts(workspace, where))

    async def get(self, caller: Caller, lead: UUID) -> Lead:
        async with self._begin() as tx:
            return await _reach(tx, caller, lead, Action.READ_CONTACTS)

    async def create(self, caller: Caller, workspace: UUID, raw: Mapping[str, Any],
                     source: LeadSource = LeadSource.MANUAL) -> Lead:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            lead = new_lead(workspace, await values_for(tx, workspace, raw), source, caller.id)
            await tx.leads.add(lead)
        return lead

    async def update(self, caller: Caller, lead: UUID, raw: Mapping[str, Any]) -> Lead:
        """Change a lead's values, and its status between new and qualified (``status``)."""
        raw = dict(raw)
        status = raw.pop("status", None)
        async with self._begin() as tx:
            found = await _reach(tx, caller, lead, Action.EDIT_CONTACTS, lock=True)
            changed = _edited(found, await values_for(tx, found.workspace_id, raw))
            if status is not None:
                changed = changed._replace(status=found.status.after(_settable(status)), restore_to=None)
            elif found.status is LeadStatus.CONVERTED:
                found.status.after(LeadStatus.CONVERTED)  # converted leads are kept as they were
            await tx.leads.put(changed)
        return changed

    async def archive(self, caller: Caller, workspace: UUID, leads: Sequence[UUID], archived: bool) -> list[UUID]:
        """Archive (or restore) the workspace's leads among ``leads``; the ids that changed."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            return await tx.leads.archive(workspace, leads, archived)

    async def convert(self, caller: Caller, lead: UUID, board: UUID, stage: UUID | None) -> Lead:
        view = await self._boards.get(caller, board)
        require_write(view.access)
        if view.board.kind != "pipeline":
            raise InvalidLead("board", "expected a pipeline board: a lead becomes a deal")
        before, claimed, owner = await self._claim(caller, lead, view.board.workspace_id)
        made = Made()
        try:
            contact = await self._contact(caller, before, made)
            organisation = await self._organisation(caller, before, made)
            links = {"contact": contact, "organisation": organisation}
            deal = await self._crm.create_card(caller, board, {**_deal_values(before, owner), **links}, stage=stage)
        except BaseException:
            await self._undo(caller, before, made)
            raise
        done = claimed._replace(contact_id=contact, organisation_id=organisation, board_id=board, deal_id=deal.id)
        async with self._begin() as tx:
            await tx.leads.put(done)
        return done

    async def _claim(self, caller: Caller, lead: UUID, workspace: UUID) -> tuple[Lead, Lead, UUID]:
        """The lead as it was, as converted now (under its row lock), and the deal's owner: the
        lead's, if still a member, else the caller."""
        async with self._begin() as tx:
            found = await _reach(tx, caller, lead, Action.EDIT_CONTACTS, lock=True)
            if found.workspace_id != workspace:
                raise InvalidLead("board", "expected a board of the lead's workspace")
            claimed = found._replace(status=found.status.after(LeadStatus.CONVERTED), restore_to=None,
                                     converted_at=datetime.now(timezone.utc))
            await tx.leads.put(claimed)
            owner = found.owner_id if found.owner_id in await members(tx, workspace) else caller.id
        return found, claimed, owner

    async def _undo(self, caller: Caller, before: Lead, made: Made) -> None:
        """A failed conversion: the lead as it was, and what it made removed (the deal is the last step)."""
        async with self._begin() as tx:
            await tx.leads.put(before)  # not converted after all
        for record, service in ((made.contact, self._contacts), (made.organisation, self._organisations)):
            try:
                if record is not None:
                    await _remove_made(self._begin, service, caller, record)
            except Exception:  # the conversion's own error is the one to answer; a retry finds it by e-mail
                log.exception("leads: could not remove %s made by a failed conversion", record)

    async def _contact(self, caller: Caller, lead: Lead, made: Made) -> UUID:
        """The workspace's contact with the lead's e-mail (the oldest, if several), or a new one."""
        if lead.email:
            async with self._begin() as tx:
                found = await tx.lookups.contacts_by_email(lead.workspace_id, [lead.email])
            if lead.email in found:
                return found[lead.email]
        first, last = split_name(lead.person_name or lead.email.split("@")[0] or lead.title)
        contact = await self._contacts.create(caller, lead.workspace_id, {
            "first_name": first, "last_name": last or None, "emails": [lead.email] if lead.email else [],
            "phones": [lead.phone] if lead.phone else []})
        made.contact = contact.id
        return contact.id

    async def _organisation(self, caller: Caller, lead: Lead, made: Made) -> UUID | None:
        name = lead.organisation_name.strip()
        if not name:
            return None
        async with self._begin() as tx:
            found = await tx.lookups.organisations_by_name(lead.workspace_id, [name.lower()])
        if name.lower() in found:
            return found[name.lower()]
        made.organisation = (await self._organisations.create(caller, lead.workspace_id, {"name": name})).id
        return made.organisation


@dataclass
class Made:
    """What a conversion made (not found), removed again if it fails."""

    contact: UUID | None = None
    organisation: UUID | None = None


async def _remove_made(begin: Begin, service: Contacts | Organisations, caller: Caller, record: UUID) -> None:
    """Remove a record a failed conversion made, as the caller; where only admins may delete, the
    record goes anyway: it is the conversion undone, not a person's delete."""
    try:
        await service.delete(caller, record, "")
    except Forbidden:
        async with begin() as tx:
            await (tx.contacts if isinstance(service, Contacts) else tx.organisations).delete(record)


def _deal_values(lead: Lead, owner: UUID) -> dict[str, Any]:
    values: dict[str, Any] = {"title": lead.title, "owner": owner}
    if lead.value is not None:
        values["value"] = lead.value
    if lead.currency:
        values["currency"] = lead.currency
    return values


def _settable(raw: Any) -> LeadStatus:
    if raw not in _SETTABLE:
        raise InvalidLead("status", f"expected new or qualified (convert and archive have their own calls), "
                                    f"got {str(raw)[:20]!r}")
    return LeadStatus(raw)


async def _reach(tx: Unit, caller: Caller, lead: UUID, action: Action, *, lock: bool = False) -> Lead:
    return await in_reach(tx, caller, await tx.leads.get(lead, lock=lock), action, "no such lead")
