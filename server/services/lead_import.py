"""The rows of a leads file (CSV import, kind ``leads``; docs/leads.md), checked and planned: every good
row becomes a new lead (source ``import``), never a contact — leads are not matched against contacts
until someone converts them. Reads the same columns as a contacts file: the first and last name make
the person, the first e-mail and phone are kept, ``organisation`` is the company's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from server.domain.contacts import check_text
from server.domain.imports import Action as Did, ImportChange
from server.domain.leads import LeadSource, require_reachable
from server.domain.transfer import Problem, Sheet
from server.services.accounts import Caller
from server.services.import_rows import Context, Plan, Planned, _common, check
from server.services.leads import new_lead
from server.services.ports.unit import Unit


def _values(cells: Mapping[str, str], line: int, context: Context, problems: list[Problem]) -> dict[str, Any] | None:
    before = len(problems)
    common = _common(cells, line, context, problems)
    first = check(problems, line, "first_name", lambda: check_text(cells.get("first_name"), "first name"))
    last = check(problems, line, "last_name", lambda: check_text(cells.get("last_name"), "last name"))
    company = check(problems, line, "organisation", lambda: check_text(cells.get("organisation"), "organisation"))
    if len(problems) > before:
        return None
    values = {"person_name": f"{first or ''} {last or ''}".strip(), "email": (common["emails"] or [""])[0],
              "phone": (common["phones"] or [""])[0], "organisation_name": company or "", "labels": common["labels"],
              "owner": common["owner_id"]}
    check(problems, line, "first_name", lambda: require_reachable(values))  # a name or an e-mail
    return None if len(problems) > before else values


async def plan_leads(tx: Unit, workspace: UUID, sheet: Sheet, context: Context, problems: list[Problem]) -> Plan:
    """A ``create`` step per good row (a row naming nobody to reach is a problem)."""
    rows = []
    for line, cells in sheet.rows:
        if "" in cells:
            problems.append(Problem(line, None, cells[""]))
            continue
        values = _values(cells, line, context, problems)
        if values is not None:
            rows.append(Planned(line, "create", values))
    return Plan(rows, [])


async def write_leads(tx: Unit, workspace: UUID, caller: Caller, plan: Plan) -> list[ImportChange]:
    changes = []
    for step in plan.rows:
        lead = new_lead(workspace, step.values, LeadSource.IMPORT, caller.id)
        await tx.leads.add(lead)
        changes.append(ImportChange("lead", lead.id, Did.CREATED))
    return changes
