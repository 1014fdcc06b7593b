"""CSV import (checked whole, written in one transaction: every row, or — if the importer asks —
the good ones) and streamed CSV export; the imports a workspace ran, and the undo of the last.

Import decodes the bytes (UTF-8 with or without BOM, UTF-16, Windows-1252) and reads them with
the delimiter their header uses (``server.domain.imports``), maps the columns (the mapping the
importer chose, else the one remembered for this header row, else the headers' names), checks
every row and plans it against the workspace (``services.import_rows``: create, update a
duplicate, or skip). A dry run answers that plan with a preview of the first rows. Otherwise the
plan is written with an import batch naming every record created or updated (and the values an
update replaced), the mapping is remembered, an audit event is written, and one ``contact:*`` /
``organisation:*`` notice goes to the workspace document. Undo replays a batch backwards: it
retires what the import created and restores what it updated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import RANK, Action, Forbidden, NotFound, Role
from server.domain.accounts import Conflict, InvalidInput
from server.domain.contacts import ContactValues, Indexed, OrganisationValues
from server.domain.fields import Entity, FieldDefinition
from server.domain.imports import (
    PREVIEW_ROWS, Action as Did, Decoded, ImportBatch, ImportChange, OnDuplicate, as_json, decode, first_row,
    header_key,
)
from server.domain.transfer import (
    CONTACT_COLUMNS, EXPORT_ONLY, ORGANISATION_COLUMNS, Problem, Sheet, SheetError, csv_lines, export_cells,
    export_columns, read_sheet,
)
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.file_removal import forget_contacts, forget_organisation
from server.services.import_rows import Context, Plan, plan_contacts, plan_organisations
from server.services.lead_import import plan_leads, write_leads
from server.services.permissions import check_export
from server.services.ports.unit import Begin, Unit
from server.services.records import definitions, members, workspace_role

PAGE = 1000
RECENT = 10
KINDS = {"contacts": Entity.CONTACT, "leads": Entity.CONTACT, "organisations": Entity.ORGANISATION}


class ImportOptions(NamedTuple):
    dry_run: bool = False
    on_duplicate: OnDuplicate = OnDuplicate.SKIP
    partial: bool = False  # import the good rows, report the bad (else: all or nothing)
    mapping: dict[str, str | None] | None = None  # header → column (None: ignore); None: remembered or by name


class PreviewRow(NamedTuple):
    """A row as the record it would become: its cells by column, what happens, and its problems."""

    line: int
    action: str  # create, update, skip or error
    cells: dict[str, str]
    problems: list[Problem]
    note: str


class ImportReport(NamedTuple):
    kind: str
    dry_run: bool
    imported: bool
    rows: int
    created: int
    organisations_created: list[str]
    problems: list[Problem]
    ignored_columns: list[str]
    updated: int = 0
    skipped: int = 0
    encoding: str = "utf-8"
    delimiter: str = ","
    headers: list[str] = []
    mapping: dict[str, str | None] = {}
    remembered: bool = False
    columns: list[str] = []  # what a header may be mapped to, besides the custom fields
    fields: dict[str, str] = {}  # custom field key → label
    preview: list[PreviewRow] = []
    batch: UUID | None = None


class Upload(NamedTuple):
    decoded: Decoded
    sheet: Sheet
    remembered: bool


def _entity(kind: str) -> Entity:
    if kind not in KINDS:
        raise InvalidInput(f"expected an import or export kind among {', '.join([*KINDS, 'deals'])}, got {kind!r}")
    return KINDS[kind]


async def read_upload(tx: Unit, workspace: UUID, kind: str, raw: bytes, options: ImportOptions,
                      known: Sequence[str], fields: Mapping[str, FieldDefinition],
                      export_only: Sequence[str] = EXPORT_ONLY) -> Upload | ImportReport:
    """The file as a sheet under the mapping to use; if it cannot be read, the report saying why."""
    decoded = decode(raw)
    headers = first_row(decoded.text, decoded.delimiter)
    mapping, remembered = options.mapping, False
    if mapping is None and headers:
        found = await tx.import_mappings.find(workspace, kind, header_key(headers))
        if found is not None:  # a custom field since deleted: that column goes by its name again
            mapping = {h: c for h, c in found.items() if c is None or c in known or c in fields or c in export_only}
            remembered = True
    try:
        sheet = read_sheet(decoded.text, known, fields, export_only, delimiter=decoded.delimiter, mapping=mapping)
    except SheetError as exc:
        return report_of(kind, options, decoded, Sheet([], [], [], headers, mapping or {}), known, fields,
                         problems=[Problem(exc.line, None, exc.reason)], remembered=remembered)
    return Upload(decoded, sheet, remembered)


def report_of(kind: str, options: ImportOptions, decoded: Decoded, sheet: Sheet, known: Sequence[str],
              fields: Mapping[str, FieldDefinition], *, problems: list[Problem], remembered: bool,
              actions: Mapping[int, tuple[str, str]] = {}, **counts: Any) -> ImportReport:
    """The report of an import (before it writes): counts, the mapping, and the preview."""
    preview = []
    for line, cells in sheet.rows[:PREVIEW_ROWS]:
        mine = [p for p in problems if p.line == line]
        action, note = ("error", "") if mine else actions.get(line, ("error", ""))
        shown = {c: v for c, v in cells.items() if c and not c.startswith("#")}
        preview.append(PreviewRow(line, action, shown, mine, note))
    return ImportReport(
        kind, options.dry_run, False, len(sheet.rows), counts.get("created", 0), counts.get("new_organisations", []),
        problems, sheet.ignored, counts.get("updated", 0), counts.get("skipped", 0), decoded.encoding,
        decoded.delimiter, sheet.headers, sheet.mapping, remembered, list(known),
        {key: d.label for key, d in fields.items()}, preview)


def counts_of(actions: Sequence[str]) -> dict[str, int]:
    return {"created": actions.count("create"), "updated": actions.count("update"), "skipped": actions.count("skip")}


async def undoable(tx: Unit, caller: Caller, workspace: UUID, batch: UUID) -> ImportBatch:
    """The batch, if it is the workspace's last import not undone and the caller may undo it
    (who ran it, or an admin); raises otherwise."""
    role = await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
    recent = await tx.import_batches.recent(workspace, RECENT)
    found = next((b for b in recent if b.id == batch), None)
    if found is None:
        raise NotFound("no such import")
    latest = next((b for b in recent if b.undone_at is None), None)
    if found.undone_at is not None or latest is None or latest.id != batch:
        raise Conflict("expected the last import that is not undone yet; this one is "
                       + ("undone already" if found.undone_at else "followed by a later import: undo that first"))
    if found.created_by != caller.id and RANK[role] < RANK[Role.ADMIN]:
        raise Forbidden("only whoever ran an import, or an admin, may undo it")
    return found


class Transfer:
    """The CSV import and export use cases, and the imports' history and undo."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def import_csv(self, caller: Caller, workspace: UUID, kind: str, raw: bytes, options: ImportOptions, *,
                         address: str) -> ImportReport:
        entity = _entity(kind)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            fields = await definitions(tx, workspace, entity)
            columns = CONTACT_COLUMNS if entity is Entity.CONTACT else ORGANISATION_COLUMNS
            upload = await read_upload(tx, workspace, kind, raw, options, columns, fields)
            if isinstance(upload, ImportReport):
                return upload
            owners = {email: user for user, email in (await members(tx, workspace)).items()}
            context = Context(caller, fields, owners, options.on_duplicate)
            plan_rows = plan_leads if kind == "leads" else plan_contacts if entity is Entity.CONTACT else plan_organisations
            problems: list[Problem] = []
            plan = await plan_rows(tx, workspace, upload.sheet, context, problems)
            problems.sort(key=lambda p: p.line)
            actions = [step.action for step in plan.rows]
            report = report_of(kind, options, upload.decoded, upload.sheet, columns, fields, problems=problems,
                               remembered=upload.remembered, actions={s.line: (s.action, s.note) for s in plan.rows},
                               new_organisations=plan.new_organisations, **counts_of(actions))
            if options.dry_run or (problems and not options.partial):
                return report
            batch = None
            if any(action != "skip" for action in actions):
                batch = await tx.import_batches.start(workspace, kind, None, caller.id)
                changes = await (write_leads(tx, workspace, caller, plan) if kind == "leads"  # docs/leads.md
                                 else _write(tx, workspace, caller, entity, plan))
                await tx.import_batches.record(batch, changes, skipped=actions.count("skip"))
            await tx.import_mappings.remember(workspace, kind, header_key(upload.sheet.headers), upload.sheet.mapping)
            await tx.audit.record("import", actor=caller.id, workspace=workspace, address=address, kind=kind,
                                  rows=len(plan.rows), organisations_created=len(plan.new_organisations),
                                  **counts_of(actions), problems=len(problems))
        keys = [f"{entity}:*"] + (["organisation:*"] if plan.new_organisations else [])
        await self._feed.changed(workspace, keys)
        return report._replace(imported=True, batch=batch)

    async def recent(self, caller: Caller, workspace: UUID) -> list[ImportBatch]:
        """The workspace's latest imports, the newest first."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.import_batches.recent(workspace, RECENT)

    async def undo(self, caller: Caller, workspace: UUID, batch: UUID, *, address: str) -> ImportBatch:
        """Undo the last import of contacts, leads or organisations (deals: ``DealTransfer.undo``)."""
        async with self._begin() as tx:
            found = await undoable(tx, caller, workspace, batch)
            if found.kind not in KINDS:
                raise InvalidInput(f"expected an import of contacts or organisations, got one of {found.kind}")
            changes = await tx.import_batches.changes(batch)
            for change in reversed(changes):
                await _revert(tx, workspace, change)
            await tx.import_batches.mark_undone(batch)
            await tx.audit.record("import undone", actor=caller.id, workspace=workspace, address=address,
                                  kind=found.kind, batch=str(batch), records=len(changes))
        await self._feed.changed(workspace, ["contact:*", "organisation:*"])
        return next(b for b in await self.recent(caller, workspace) if b.id == batch)

    async def export_csv(self, caller: Caller, workspace: UUID, kind: str) -> AsyncIterator[str]:
        """Check access now; the returned iterator yields the file a page of rows at a time."""
        entity = _entity(kind)
        if kind == "leads":
            raise InvalidInput("expected contacts.csv or organisations.csv: leads are not exported")
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


async def _write(tx: Unit, workspace: UUID, caller: Caller, entity: Entity, plan: Plan) -> list[ImportChange]:
    """Write the plan; what it created and updated, in order."""
    changes: list[ImportChange] = []
    if entity is Entity.ORGANISATION:
        for step in plan.rows:
            if step.action == "create":
                made = await tx.organisations.insert(workspace, step.values, caller.id)
                changes.append(ImportChange("organisation", made, Did.CREATED))
            elif step.action == "update":
                await tx.organisations.update(step.record, step.values)
                changes.append(ImportChange("organisation", step.record, Did.UPDATED, as_json(step.before._asdict())))
        return changes
    names = await tx.lookups.organisations_by_name(workspace, [s.company for s in plan.rows if s.company])
    for name in plan.new_organisations:
        created = OrganisationValues(name, "", [], [], [], caller.id, [], {}, {})
        names[name.lower()] = made = await tx.organisations.insert(workspace, created, caller.id)
        changes.append(ImportChange("organisation", made, Did.CREATED))
    updated = [s.record for s in plan.rows if s.action == "update"]
    current = {c.id: c.organisation_name for c in await tx.contacts.by_ids(updated)}
    for step in plan.rows:
        if step.action == "skip":
            continue
        organisation = names[step.company.lower()] if step.company else step.values.organisation_id
        values = step.values._replace(organisation_id=organisation if step.action == "update" or step.company else None)
        company = step.company or (current.get(step.record) if step.action == "update" else None)
        indexed = Indexed(values, values.sort_name(), values.lexemes(company))
        if step.action == "create":
            changes.append(ImportChange("contact", await tx.contacts.insert(workspace, indexed, caller.id),
                                        Did.CREATED))
        else:
            await tx.contacts.update(step.record, indexed)
            changes.append(ImportChange("contact", step.record, Did.UPDATED, as_json(step.before._asdict())))
    return changes


def _ids(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {**values, **{key: UUID(values[key]) if values.get(key) else None for key in keys}}


async def _revert(tx: Unit, workspace: UUID, change: ImportChange) -> None:
    """Undo one change: retire a record the import created (with files uploaded on it since),
    restore one it updated."""
    if change.record_kind == "lead":  # an import of leads only creates them (docs/leads.md)
        await tx.leads.delete(change.record_id)
        return
    if change.record_kind == "contact":
        if change.action is Did.CREATED:
            await tx.contacts.delete(change.record_id)
            await forget_contacts(tx, workspace, [change.record_id, *await tx.links.merged_into(change.record_id)])
            return
        if change.before is None:  # erased since: its old values are forgotten, not restored
            return
        values = ContactValues(**_ids(change.before, "organisation_id", "owner_id"))
        company = None
        if values.organisation_id:
            found = await tx.organisations.by_ids([values.organisation_id])
            company = found[0].values.name if found and found[0].deleted_at is None else None
        await tx.contacts.update(change.record_id, Indexed(values, values.sort_name(), values.lexemes(company)))
    elif change.action is Did.CREATED:
        await tx.organisations.delete(change.record_id)
        await forget_organisation(tx, workspace, change.record_id)
    else:
        await tx.organisations.update(change.record_id, OrganisationValues(**_ids(change.before, "owner_id")))
