"""The in-memory twins of ``server.storage.leads`` (docs/leads.md)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.leads import Lead, LeadFilter, LeadForm, LeadStatus
from server.storage.memory.unit import MemoryDatabase

_OPEN = (LeadStatus.NEW, LeadStatus.QUALIFIED)


def _matches(lead: Lead, where: LeadFilter, scores: dict) -> bool:
    text = " ".join((lead.title, lead.person_name, lead.email, lead.organisation_name)).lower()
    return ((where.min_score is None or _score(scores, lead) >= where.min_score)
            and (where.owner is None or lead.owner_id == where.owner)
            and (where.source is None or lead.source == where.source)
            and (not where.text or where.text.lower() in text)
            and (where.contact is None or lead.contact_id == where.contact)
            and (where.deal is None or lead.deal_id == where.deal))


def _score(scores: dict, lead: Lead, unscored: int = 0) -> int:
    """The lead's stored score (``lead_scores``: (kind, id) -> (workspace, StoredScore), docs/lead-scoring.md)."""
    found = scores.get(("lead", lead.id))
    return found[1].score if found else unscored


def _status_fits(lead: Lead, status: LeadStatus | None) -> bool:
    return lead.status in _OPEN if status is None else lead.status == status


class MemoryLeads:
    """Implements ``Leads`` (table ``leads``: id -> Lead)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._leads: dict[UUID, Lead] = db.table("leads")
        self._scores: dict = db.table("lead_scores")  # MemoryLeadScores' (docs/lead-scoring.md)

    async def add(self, lead: Lead) -> None:
        self._leads[lead.id] = lead

    async def get(self, lead: UUID, *, lock: bool = False) -> Lead | None:
        return self._leads.get(lead)

    async def list(self, workspace: UUID, where: LeadFilter, limit: int, offset: int) -> list[Lead]:
        found = [lead for lead in self._leads.values() if lead.workspace_id == workspace
                 and _status_fits(lead, where.status) and _matches(lead, where, self._scores)]
        found.sort(key=lambda lead: str(lead.id))
        found.sort(key=lambda lead: lead.created_at, reverse=True)
        if where.by_score:
            found.sort(key=lambda lead: _score(self._scores, lead, -1), reverse=True)
        return found[offset:offset + limit]

    async def counts(self, workspace: UUID, where: LeadFilter) -> dict[str, int]:
        counts: dict[str, int] = {}
        for lead in self._leads.values():
            if lead.workspace_id == workspace and _matches(lead, where, self._scores):
                counts[str(lead.status)] = counts.get(str(lead.status), 0) + 1
        return counts

    async def put(self, lead: Lead) -> None:
        if lead.id in self._leads:
            self._leads[lead.id] = lead._replace(created_at=self._leads[lead.id].created_at,
                                                 source=self._leads[lead.id].source,
                                                 form_id=self._leads[lead.id].form_id)

    async def archive(self, workspace: UUID, leads: Sequence[UUID], archived: bool) -> list[UUID]:
        changed = []
        for lead_id in dict.fromkeys(leads):
            lead = self._leads.get(lead_id)
            if lead is None or lead.workspace_id != workspace:
                continue
            if archived and lead.status in _OPEN:
                self._leads[lead_id] = lead._replace(status=LeadStatus.ARCHIVED, restore_to=lead.status)
            elif not archived and lead.status == LeadStatus.ARCHIVED:
                self._leads[lead_id] = lead._replace(status=lead.restore_to or LeadStatus.NEW, restore_to=None)
            else:
                continue
            changed.append(lead_id)
        return changed

    async def delete(self, lead: UUID) -> bool:
        return self._leads.pop(lead, None) is not None


class MemoryLeadForms:
    """Implements ``LeadForms`` (table ``lead_forms``: id -> LeadForm)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._forms: dict[UUID, LeadForm] = db.table("lead_forms")

    async def add(self, form: LeadForm) -> None:
        self._forms[form.id] = form

    async def get(self, form: UUID) -> LeadForm | None:
        return self._forms.get(form)

    async def of_workspace(self, workspace: UUID) -> list[LeadForm]:
        return sorted((f for f in self._forms.values() if f.workspace_id == workspace),
                      key=lambda f: (f.created_at, str(f.id)))

    async def put(self, form: LeadForm) -> None:
        if form.id in self._forms:
            old = self._forms[form.id]
            self._forms[form.id] = old._replace(name=form.name, fields=form.fields, owner_id=form.owner_id,
                                                redirect_url=form.redirect_url, language=form.language)

    async def delete(self, form: UUID) -> bool:
        return self._forms.pop(form, None) is not None
