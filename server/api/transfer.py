"""``POST /api/workspaces/{id}/import/{kind}`` and ``GET /api/workspaces/{id}/export/{kind}.csv``.

Import takes the CSV as the body (``text/csv``) or as the one file of a ``multipart/form-data``
form; ``?dry_run=true`` checks it and writes nothing. It answers the validation report: 200 when
the file is (or would be) imported, 422 with every problem (line, column, reason) when it is not.
Deals go onto the pipeline board named by ``?board=`` (name or id); their export needs it too.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from server.api import contact_types as types
from server.api.auth import CallerDep, client_address
from server.domain.accounts import InvalidInput
from server.services.deal_transfer import DealTransfer
from server.services.transfer import ImportReport, Transfer

TransferDep = NamedDependency[Transfer]
DealTransferDep = NamedDependency[DealTransfer]


async def csv_text(request: Request) -> str:
    """The uploaded CSV as text: the body, or the first file of a multipart form."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = next((value for _, value in form.multi_items() if isinstance(value, UploadFile)), None)
        if upload is None:
            raise InvalidInput("expected a CSV file in the multipart form, got none")
        raw = await upload.read()
    else:
        raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"expected UTF-8 text, got a byte that is not at offset {exc.start}") from None


class TransferController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["import and export"]

    @post("/import/{kind:str}", summary="Import contacts, organisations or deals from CSV (all rows or none)")
    async def import_csv(self, request: Request, workspace: FromPath[UUID], kind: FromPath[str], caller: CallerDep,
                         transfer: TransferDep, deal_transfer: DealTransferDep, dry_run: FromQuery[bool] = False,
                         board: FromQuery[str | None] = None) -> Response[types.ImportReport]:
        text = await csv_text(request)
        address = client_address(request)
        if kind == "deals":
            report = await deal_transfer.import_csv(caller, workspace, board, text, dry_run=dry_run, address=address)
        else:
            report = await transfer.import_csv(caller, workspace, kind, text, dry_run=dry_run, address=address)
        return Response(_report(report), status_code=422 if report.problems else 200)

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


def _report(report: ImportReport) -> types.ImportReport:
    return types.ImportReport(
        report.kind, report.dry_run, report.imported, report.rows, report.created, report.organisations_created,
        [types.ImportProblem(*problem) for problem in report.problems], report.ignored_columns)
