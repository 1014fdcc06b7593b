"""CSV import (validated whole, written in one transaction, or not at all) and streamed CSV export.

Import reads every row, checks every cell and collects every problem with its line number; a
file with any problem writes nothing. Otherwise — unless it is a dry run — all records (and the
organisations that contacts name and that do not exist yet) are created in one transaction, with
an audit event, and one ``contact:*`` / ``organisation:*`` notice goes to the workspace document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import Action
from server.domain.accounts import InvalidInput, normalise_email
from server.domain.contacts import (
    ContactValues, Indexed, OrganisationValues, check_emails, check_labels, check_person_name, check_phones, check_text,
)
from server.domain.edits import apply_contact, apply_organisation
from server.domain.fields import Entity, FieldDefinition
from server.domain.transfer import (
    CONTACT_COLUMNS, ORGANISATION_COLUMNS, Problem, Sheet, SheetError, address_of, csv_lines, export_cells,
    export_columns, field_values, read_sheet, split_list,
)
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.permissions import check_export
from server.services.ports.unit import Begin, Unit
from server.services.records import definitions, members, workspace_role

PAGE = 1000
KINDS = {"contacts": Entity.CONTACT, "organisations": Entity.ORGANISATION}


class ImportReport(NamedTuple):
    kind: str
    dry_run: bool
    imported: bool
    rows: int
    created: int
    organisations_created: list[str]
    problems: list[Problem]
    ignored_columns: list[str]


class Parsed(NamedTuple):
    values: list[Any]
    new_organisations: list[str]


def _entity(kind: str) -> Entity:
    if kind not in KINDS:
        raise InvalidInput(f"expected an import or export kind among {', '.join([*KINDS, 'deals'])}, got {kind!r}")
    return KINDS[kind]


class Transfer:
    """The CSV import and export use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def import_csv(self, caller: Caller, workspace: UUID, kind: str, text: str, *, dry_run: bool,
                         address: str) -> ImportReport:
        entity = _entity(kind)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            fields = await definitions(tx, workspace, entity)
            columns = CONTACT_COLUMNS if entity is Entity.CONTACT else ORGANISATION_COLUMNS
            try:
                sheet = read_sheet(text, columns, fields)
            except SheetError as exc:
                return ImportReport(kind, dry_run, False, 0, 0, [], [Problem(exc.line, None, exc.reason)], [])
            context = _Context(caller, fields, {e: i for i, e in (await members(tx, workspace)).items()})
            parse = _parse_contacts if entity is Entity.CONTACT else _parse_organisations
            problems: list[Problem] = []
            parsed = await parse(tx, workspace, sheet, context, problems)
            report = ImportReport(kind, dry_run, False, len(sheet.rows), len(parsed.values), parsed.new_organisations,
                                  problems, sheet.ignored)
            if problems or dry_run:
                return report
            await _write(tx, workspace, caller, entity, parsed)
            await tx.audit.record("import", actor=caller.id, workspace=workspace, address=address, kind=kind,
                                  rows=len(parsed.values), organisations_created=len(parsed.new_organisations))
        keys = [f"{entity}:*"] + (["organisation:*"] if parsed.new_organisations else [])
        await self._feed.changed(workspace, keys)
        return report._replace(imported=True)

    async def export_csv(self, caller: Caller, workspace: UUID, kind: str) -> AsyncIterator[str]:
        """Check access now; the returned iterator yields the file a page of rows at a time."""
        entity = _entity(kind)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            await check_export(tx, caller, workspace)  # bulk export: the level an admin set
            fields = await definitions(tx, workspace, entity)
            owners = await members(tx, workspace)
        return self._pages(workspace, entity, fields, owners)

    async def _pages(self, workspace: UUID, entity: Entity, fields: dict[str, FieldDefinition],
                     owners: dict[UUID, str]) -> AsyncIterator[str]:
        base = CONTACT_COLUMNS if entity is Entity.CONTACT else ORGANISATION_COLUMNS
        yield csv_lines([export_columns(base, fields)])
        after = None
        while True:
            async with self._begin(autocommit=True) as tx:
                search = tx.contact_search
                fetch = search.contacts_after if entity is Entity.CONTACT else search.organisations_after
                records = await fetch(workspace, after, PAGE)
            if not records:
                return
            yield csv_lines(export_cells(record, base, fields, owners) for record in records)
            after = records[-1].sort_name, records[-1].id


class _Context(NamedTuple):
    caller: Caller
    fields: dict[str, FieldDefinition]
    members: dict[str, UUID]  # e-mail → user id


def _check(problems: list[Problem], line: int, column: str | None, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except InvalidInput as exc:
        problems.append(Problem(line, column, str(exc)))
        return None


def _owner(cells: Mapping[str, str], context: _Context) -> UUID | None:
    if "owner" not in cells:
        return context.caller.id
    if not cells["owner"].strip():
        return None
    email = normalise_email(cells["owner"])
    if email not in context.members:
        raise InvalidInput(f"expected the e-mail of a member of this workspace, got {cells['owner']!r}")
    return context.members[email]


def _common(cells: Mapping[str, str], line: int, context: _Context, problems: list[Problem]) -> dict[str, Any]:
    """The cells contacts and organisations share, checked one by one (every problem is reported)."""
    changes: dict[str, Any] = {
        "emails": _check(problems, line, "emails", lambda: check_emails(split_list(cells.get("emails", "")))),
        "phones": _check(problems, line, "phones", lambda: check_phones(split_list(cells.get("phones", "")))[0]),
        "labels": _check(problems, line, "labels", lambda: check_labels(split_list(cells.get("labels", "")))),
        "owner_id": _check(problems, line, "owner", lambda: _owner(cells, context)),
        "address": _check(problems, line, "address", lambda: address_of(cells)),
        "fields": field_values(cells, context.fields, line, problems),
    }
    return changes


async def _parse_contacts(tx: Unit, workspace: UUID, sheet: Sheet, context: _Context,
                          problems: list[Problem]) -> Parsed:
    named = {c.get("organisation", "").strip() for _, c in sheet.rows} - {""}
    existing = await tx.lookups.organisations_by_name(workspace, list(named))
    new: dict[str, str] = {}
    values: list[tuple[ContactValues, str | None]] = []
    for line, cells in sheet.rows:
        if "" in cells:
            problems.append(Problem(line, None, cells[""]))
            continue
        before = len(problems)
        changes = _common(cells, line, context, problems)
        _check(problems, line, "first_name/last_name",
               lambda: check_person_name(cells.get("first_name"), cells.get("last_name")))
        _check(problems, line, "job_title", lambda: check_text(cells.get("job_title"), "job title"))
        company = _check(problems, line, "organisation", lambda: check_text(cells.get("organisation"), "organisation"))
        if len(problems) > before:
            continue
        changes.update(first_name=cells.get("first_name", ""), last_name=cells.get("last_name", ""),
                       job_title=cells.get("job_title", ""))
        checked = _check(problems, line, None, lambda: apply_contact(None, changes, context.fields))
        if checked is None:
            continue
        if company and company.lower() not in existing:
            new.setdefault(company.lower(), company)
        values.append((checked, company or None))
    return Parsed(values, list(new.values()))


async def _parse_organisations(tx: Unit, workspace: UUID, sheet: Sheet, context: _Context,
                               problems: list[Problem]) -> Parsed:
    names = [c.get("name", "").strip() for _, c in sheet.rows]
    existing = await tx.lookups.organisations_by_name(workspace, [n for n in names if n])
    seen: dict[str, int] = {}
    values: list[OrganisationValues] = []
    for line, cells in sheet.rows:
        if "" in cells:
            problems.append(Problem(line, None, cells[""]))
            continue
        before = len(problems)
        changes = _common(cells, line, context, problems)
        name = _check(problems, line, "name", lambda: check_text(cells.get("name"), "organisation name", required=True))
        _check(problems, line, "website", lambda: check_text(cells.get("website"), "website"))
        if name and name.lower() in existing:
            problems.append(Problem(line, "name", f"an organisation named {name!r} exists already"))
        elif name and name.lower() in seen:
            problems.append(Problem(line, "name", f"the organisation {name!r} is also on line {seen[name.lower()]}"))
        if len(problems) > before:
            continue
        seen[name.lower()] = line
        changes.update(name=name, website=cells.get("website", ""))
        checked = _check(problems, line, None, lambda: apply_organisation(None, changes, context.fields))
        if checked is not None:
            values.append(checked)
    return Parsed(values, [])


async def _write(tx: Unit, workspace: UUID, caller: Caller, entity: Entity, parsed: Parsed) -> None:
    if entity is Entity.ORGANISATION:
        for values in parsed.values:
            await tx.organisations.insert(workspace, values, caller.id)
        return
    names = await tx.lookups.organisations_by_name(workspace, [c for _, c in parsed.values if c])
    for name in parsed.new_organisations:
        created = OrganisationValues(name, "", [], [], [], caller.id, [], {}, {})
        names[name.lower()] = await tx.organisations.insert(workspace, created, caller.id)
    rows = []
    for values, company in parsed.values:
        values = values._replace(organisation_id=names[company.lower()] if company else None)
        rows.append(Indexed(values, values.sort_name(), values.lexemes(company)))
    await tx.contacts.insert_many(workspace, rows, caller.id)
