"""The rows of a contacts, leads or organisations file, checked and planned against the workspace.

Each good row becomes a ``Planned`` step: ``create`` a record, ``update`` the record it duplicates
(with the values the importer's choice — update or merge — gives it), or ``skip`` it (a duplicate
under "skip", nothing new under update or merge, or the same record as an earlier line). A bad
row becomes ``Problem`` s. Nothing here writes; ``services.transfer`` writes the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput, normalise_email
from server.domain.contacts import (
    ADDRESS_PARTS, ContactValues, OrganisationValues, check_emails, check_labels, check_person_name, check_phones,
    check_text,
)
from server.domain.duplicates import name_key
from server.domain.edits import apply_contact, apply_organisation
from server.domain.fields import FieldDefinition
from server.domain.imports import OnDuplicate, combine
from server.domain.transfer import Problem, Sheet, address_of, field_values, split_list
from server.services.accounts import Caller
from server.services.ports.unit import Unit

# the columns of a file and the value they set
_KEYS = {"emails": "emails", "phones": "phones", "labels": "labels", "owner": "owner_id", "first_name": "first_name",
         "last_name": "last_name", "job_title": "job_title", "name": "name", "website": "website",
         **{part: "address" for part in ADDRESS_PARTS}}


class Planned(NamedTuple):
    line: int
    action: str  # create, update or skip
    values: Any = None  # ContactValues / OrganisationValues: the whole record after the import
    company: str | None = None  # a contact's organisation, by name (None: unchanged on update)
    record: UUID | None = None  # the existing record it duplicates
    before: Any = None  # that record's values before
    note: str = ""


class Plan(NamedTuple):
    rows: list[Planned]
    new_organisations: list[str]


class Context(NamedTuple):
    caller: Caller
    fields: dict[str, FieldDefinition]
    members: dict[str, UUID]  # e-mail → user id
    on_duplicate: OnDuplicate


def check(problems: list[Problem], line: int, column: str | None, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except InvalidInput as exc:
        problems.append(Problem(line, column, str(exc)))
        return None


def _owner(cells: Mapping[str, str], context: Context) -> UUID | None:
    if "owner" not in cells:
        return context.caller.id
    if not cells["owner"].strip():
        return None
    email = normalise_email(cells["owner"])
    if email not in context.members:
        raise InvalidInput(f"expected the e-mail of a member of this workspace, got {cells['owner']!r}")
    return context.members[email]


def _common(cells: Mapping[str, str], line: int, context: Context, problems: list[Problem]) -> dict[str, Any]:
    """The cells contacts and organisations share, checked one by one (every problem is reported)."""
    labels = split_list(cells.get("labels", ""))
    return {
        "emails": check(problems, line, "emails", lambda: check_emails(split_list(cells.get("emails", "")))),
        "phones": check(problems, line, "phones", lambda: check_phones(split_list(cells.get("phones", "")))[0]),
        "labels": check(problems, line, "labels", lambda: check_labels(labels)),
        "owner_id": check(problems, line, "owner", lambda: _owner(cells, context)),
        "address": check(problems, line, "address", lambda: address_of(cells)),
        "fields": field_values(cells, context.fields, line, problems),
    }


def _incoming(changes: dict[str, Any], cells: Mapping[str, str], context: Context) -> dict[str, Any]:
    """What the file says of a record: only the values of columns it has (for update and merge)."""
    keys = {_KEYS[c] for c in cells if c in _KEYS} | ({"fields"} if set(cells) & set(context.fields) else set())
    return {key: value for key, value in changes.items() if key in keys}


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID((text or "").strip())
    except ValueError:
        return None


class _Seen:
    """Keys of the rows planned so far: a later row with one is the same record."""

    def __init__(self) -> None:
        self.lines: dict[object, int] = {}

    def earlier(self, keys: list[object]) -> int | None:
        return next((self.lines[k] for k in keys if k in self.lines), None)

    def add(self, keys: list[object], line: int) -> None:
        for key in keys:
            self.lines.setdefault(key, line)


def _decide(line: int, current: Any, record: UUID, incoming: dict[str, Any], company: str | None,
            current_company: str | None, note: str, context: Context, apply: Callable,
            problems: list[Problem]) -> Planned | None:
    """A row that duplicates ``record``: skip it, or its update under the importer's choice."""
    if context.on_duplicate is OnDuplicate.SKIP:
        return Planned(line, "skip", record=record, note=note)
    changes = combine(current._asdict(), incoming, context.on_duplicate)
    if company and (context.on_duplicate is OnDuplicate.UPDATE or not current_company):
        company = None if current_company and company.lower() == current_company.lower() else company
    else:
        company = None
    values = check(problems, line, None, lambda: apply(current, changes, context.fields))
    if values is None:
        return None
    if values == current and company is None:
        return Planned(line, "skip", record=record, note=f"{note}; nothing new")
    return Planned(line, "update", values, company, record, current, note)


async def plan_contacts(tx: Unit, workspace: UUID, sheet: Sheet, context: Context, problems: list[Problem]) -> Plan:
    parsed: list[tuple[int, ContactValues, str, dict[str, Any], UUID | None]] = []
    for line, cells in sheet.rows:
        if "" in cells:
            problems.append(Problem(line, None, cells[""]))
            continue
        before = len(problems)
        changes = _common(cells, line, context, problems)
        names = check(problems, line, "first_name/last_name",
                      lambda: check_person_name(cells.get("first_name"), cells.get("last_name")))
        check(problems, line, "job_title", lambda: check_text(cells.get("job_title"), "job title"))
        company = check(problems, line, "organisation", lambda: check_text(cells.get("organisation"), "organisation"))
        if len(problems) > before:
            continue
        changes.update(first_name=names[0], last_name=names[1], job_title=cells.get("job_title", "").strip())
        values = check(problems, line, None, lambda: apply_contact(None, changes, context.fields))
        if values is not None:
            parsed.append((line, values, company or "", _incoming(changes, cells, context), _uuid(cells.get("id"))))

    organisations = await tx.lookups.organisations_by_name(workspace, list({c for _, _, c, _, _ in parsed if c}))
    by_id = await tx.lookups.live_contacts(workspace, [i for *_, i in parsed if i])
    by_email = await tx.lookups.contacts_by_email(workspace, [e for _, v, *_ in parsed for e in v.emails])
    by_name: dict[tuple[str, UUID], UUID] = {}
    for organisation in {organisations[c.lower()] for _, _, c, _, _ in parsed if c.lower() in organisations}:
        for contact in await tx.organisations.contacts_of(organisation):
            by_name.setdefault((name_key(contact.values.first_name, contact.values.last_name), organisation), contact.id)

    def match(values: ContactValues, company: str, ident: UUID | None) -> tuple[UUID, str] | None:
        if ident in by_id:
            return ident, "same id"
        for email in values.emails:
            if email in by_email:
                return by_email[email], f"same e-mail {email}"
        key = (name_key(values.first_name, values.last_name), organisations.get(company.lower()))
        return (by_name[key], "same name and organisation") if key in by_name else None

    matches = {line: found for line, values, company, _, ident in parsed if (found := match(values, company, ident))}
    existing = {c.id: c for c in await tx.contacts.by_ids([record for record, _ in matches.values()])}
    seen, rows, new = _Seen(), [], {}
    for line, values, company, incoming, ident in parsed:
        keys: list[object] = [*values.emails]
        if company:
            keys.append(("name", name_key(values.first_name, values.last_name), company.lower()))
        if line in matches:
            keys.append(matches[line][0])
        if (earlier := seen.earlier(keys)) is not None:
            rows.append(Planned(line, "skip", note=f"the same contact as line {earlier}"))
            continue
        seen.add(keys, line)
        if line in matches:
            record, note = matches[line]
            contact = existing[record]
            step = _decide(line, contact.values, record, incoming, company, contact.organisation_name, note,
                           context, apply_contact, problems)
        else:
            step = Planned(line, "create", values, company or None)
        if step is None:
            continue
        if step.company and step.company.lower() not in organisations:
            new.setdefault(step.company.lower(), step.company)
        rows.append(step)
    return Plan(rows, list(new.values()))


async def plan_organisations(tx: Unit, workspace: UUID, sheet: Sheet, context: Context,
                             problems: list[Problem]) -> Plan:
    parsed: list[tuple[int, OrganisationValues, dict[str, Any], UUID | None]] = []
    for line, cells in sheet.rows:
        if "" in cells:
            problems.append(Problem(line, None, cells[""]))
            continue
        before = len(problems)
        changes = _common(cells, line, context, problems)
        name = check(problems, line, "name", lambda: check_text(cells.get("name"), "organisation name", required=True))
        website = check(problems, line, "website", lambda: check_text(cells.get("website"), "website"))
        if len(problems) > before:
            continue
        changes.update(name=name, website=website)
        values = check(problems, line, None, lambda: apply_organisation(None, changes, context.fields))
        if values is not None:
            parsed.append((line, values, _incoming(changes, cells, context), _uuid(cells.get("id"))))

    by_name = await tx.lookups.organisations_by_name(workspace, [v.name for _, v, _, _ in parsed])
    wanted = [*by_name.values(), *(i for *_, i in parsed if i)]
    existing = {o.id: o for o in await tx.organisations.by_ids(wanted)
                if o.workspace_id == workspace and o.deleted_at is None}
    seen, rows = _Seen(), []
    for line, values, incoming, ident in parsed:
        found = (ident, "same id") if ident in existing else (
            (by_name[values.name.lower()], "same name") if values.name.lower() in by_name else None)
        keys: list[object] = [values.name.lower(), *([found[0]] if found else [])]
        if (earlier := seen.earlier(keys)) is not None:
            rows.append(Planned(line, "skip", note=f"the same organisation as line {earlier}"))
            continue
        seen.add(keys, line)
        if found is None:
            rows.append(Planned(line, "create", values))
        elif step := _decide(line, existing[found[0]].values, found[0], incoming, None, None, found[1], context,
                             apply_organisation, problems):
            rows.append(step)
    return Plan(rows, [])
