"""``POST /api/workspaces/{id}/import/{kind}``, ``GET /api/workspaces/{id}/export/{kind}.csv``,
``GET /api/workspaces/{id}/imports`` and ``POST /api/workspaces/{id}/imports/{batch}/undo``.

Import takes the CSV as the body (any of the encodings and delimiters spreadsheets write) or as
the one file of a ``multipart/form-data`` form, whose ``mapping`` field (or ``?mapping=``) is a
JSON object of header → column (``null``: ignore that column). ``?dry_run=true`` checks it and
writes nothing (the preview); ``?duplicates=skip|update|merge`` says what a row that duplicates a
record does; ``?partial=true`` imports the good rows and reports the bad (else all or none). It
answers the report: 200 when the file is (or would be) imported, 422 with every problem (line,
column, reason) when nothing is. Deals go onto the pipeline board named by ``?board=`` (name or
id); their export needs it too. Kinds: contacts, leads (contacts labelled "lead"), organisations,
deals.
"""

from __future__ import annotations

import json
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from server.api import transfer_types as types
from server.api.auth import CallerDep, client_address
from server.domain.accounts import InvalidInput
from server.domain.imports import ImportBatch, check_on_duplicate
from server.services.deal_transfer import DealTransfer
from server.services.transfer import ImportOptions, ImportReport, Transfer

TransferDep = NamedDependency[Transfer]
DealTransferDep = NamedDependency[DealTransfer]


async def upload(request: Request) -> tuple[bytes, str | None]:
    """The uploaded CSV's bytes (the body, or the first file of a multipart form) and the form's mapping."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body(), None
    form = await request.form()
    file = next((value for _, value in form.multi_items() if isinstance(value, UploadFile)), None)
    if file is None:
        raise InvalidInput("expected a CSV file in the multipart form, got none")
    mapping = form.get("mapping")
    return await file.read(), mapping if isinstance(mapping, str) else None


def parse_mapping(raw: str | None) -> dict[str, str | None] | None:
    if raw is None or not raw.strip():
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
        raise InvalidInput(f"expected mapping as a JSON object of header → column or null, got {raw[:80]!r}")
    return {header: column or None for header, column in mapping.items()}


class TransferController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["import and export"]

    @post("/import/{kind:str}", summary="Import contacts, leads, organisations or deals from CSV")
    async def import_csv(self, request: Request, workspace: FromPath[UUID], kind: FromPath[str], caller: CallerDep,
                         transfer: TransferDep, deal_transfer: DealTransferDep, dry_run: FromQuery[bool] = False,
                         board: FromQuery[str | None] = None, duplicates: FromQuery[str] = "skip",
                         partial: FromQuery[bool] = False,
                         mapping: FromQuery[str | None] = None) -> Response[types.ImportReport]:
        raw, form_mapping = await upload(request)
        options = ImportOptions(dry_run, check_on_duplicate(duplicates), partial,
                                parse_mapping(form_mapping if form_mapping is not None else mapping))
        address = client_address(request)
        if kind == "deals":
            report = await deal_transfer.import_csv(caller, workspace, board, raw, options, address=address)
        else:
            report = await transfer.import_csv(caller, workspace, kind, raw, options, address=address)
        failed = report.problems and not report.imported
        return Response(_report(report), status_code=422 if failed else 200)

    @get("/imports", summary="The workspace's latest imports, the newest first")
    async def imports(self, workspace: FromPath[UUID], caller: CallerDep,
                      transfer: TransferDep) -> list[types.ImportBatch]:
        batches = await transfer.recent(caller, workspace)
        last = next((b.id for b in batches if b.undone_at is None), None)
        return [_batch(b, b.id == last) for b in batches]

    @post("/imports/{batch:uuid}/undo", status_code=200,
          summary="Undo the last import: remove what it created, restore what it updated")
    async def undo(self, request: Request, workspace: FromPath[UUID], batch: FromPath[UUID], caller: CallerDep,
                   transfer: TransferDep, deal_transfer: DealTransferDep) -> types.ImportBatch:
        found = next((b for b in await transfer.recent(caller, workspace) if b.id == batch), None)
        address = client_address(request)
        if found is not None and found.kind == "deals":
            return _batch(await deal_transfer.undo(caller, workspace, batch, address=address), False)
        return _batch(await transfer.undo(caller, workspace, batch, address=address), False)

    @get("/export/{filename:str}", summary="Export contacts.csv, organisations.csv or deals.csv (?board=)")
    async def export_csv(self, workspace: FromPath[UUID], filename: FromPath[str], caller: CallerDep,
                         transfer: TransferDep, deal_transfer: DealTransferDep,
                         board: FromQuery[str | None] = None) -> Stream:
        kind, dot, extension = filename.rpartition(".")
        if not dot or extension != "csv":
            raise InvalidInput(f"expected a file name like contacts.csv, got {filename!r}")
        if kind == "deals":
            chunks = await deal_transfer.export_csv(caller, workspace, board)
        else:
            chunks = await transfer.export_csv(caller, workspace, kind)
        return Stream(chunks, media_type="text/csv; charset=utf-8",
                      headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'})


def _problems(problems: list) -> list[types.ImportProblem]:
    return [types.ImportProblem(*problem) for problem in problems]


def _report(r: ImportReport) -> types.ImportReport:
    preview = [types.ImportPreviewRow(p.line, p.action, p.cells, _problems(p.problems), p.note) for p in r.preview]
    return types.ImportReport(
        r.kind, r.dry_run, r.imported, r.rows, r.created, r.updated, r.skipped, r.organisations_created,
        _problems(r.problems), r.ignored_columns, r.encoding, r.delimiter, r.headers, r.mapping, r.remembered,
        r.columns, r.fields, preview, r.batch)


def _batch(b: ImportBatch, undoable: bool) -> types.ImportBatch:
    return types.ImportBatch(b.id, b.kind, b.board_id, b.created_by, b.created_at, b.created, b.updated, b.skipped,
                             b.undone_at, undoable)
