"""Files on records over HTTP (docs/files.md): ``/api/contacts/{id}/files``,
``/api/organisations/{id}/files``, ``/api/deals/{board}/{card}/files`` (GET lists, POST uploads the
request body as one file named by ``?name=``), ``GET /api/files/{id}`` (download) and
``DELETE /api/files/{id}``.

An upload is the raw body, streamed to the file store as it arrives and refused (413) once it passes
the server's cap (``TANDEM_FILES_MAX_BYTES``; a declared ``Content-Length`` over it is refused
before reading); it is never held whole in memory. A download is always an attachment,
served ``nosniff`` with a sandboxing policy, and HTML or SVG as plain octets: an uploaded page
never runs in the app's origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from server.api import file_types as types
from server.api.auth import CallerDep
from server.domain.access import NotFound
from server.domain.files import RecordKind, RecordRef, check_size, disposition, served_type
from server.services.files import RecordFilesService
from server.services.ports.files import FileMissing

RecordFilesDep = NamedDependency[RecordFilesService]
Name = Annotated[str, QueryParameter(min_length=1, max_length=1000, description="the file's name")]
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                    "Content-Security-Policy": "default-src 'none'; sandbox", "Cross-Origin-Resource-Policy": "same-origin"}


def body_of(request: Request, cap: int) -> AsyncIterator[bytes]:
    """The request body as it arrives; a declared ``Content-Length`` over ``cap`` is refused
    (``FileTooLarge``) before reading. The service counts the rest against the cap as it streams."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        check_size(int(declared), cap)
    return request.stream()


async def _listing(files: RecordFilesService, caller: CallerDep, record: RecordRef) -> types.RecordFiles:
    return types.RecordFiles([types.record_file(f) for f in await files.of_record(caller, record)], files.max_bytes,
                             files.attachments_max_bytes)


async def _upload(files: RecordFilesService, caller: CallerDep, record: RecordRef, name: str,
                  request: Request) -> types.RecordFile:
    return types.record_file(await files.upload(caller, record, name, body_of(request, files.max_bytes)))


class RecordFilesController(Controller):
    path = "/api"
    tags = ["files"]

    @get("/contacts/{contact_id:uuid}/files", summary="A contact's files, newest first")
    async def contact_files(self, contact_id: FromPath[UUID], caller: CallerDep,
                            record_files: RecordFilesDep) -> types.RecordFiles:
        return await _listing(record_files, caller, RecordRef(RecordKind.CONTACT, contact_id))

    @post("/contacts/{contact_id:uuid}/files", status_code=201, request_max_body_size=None,
          summary="Upload the body as a file of the contact (members)")
    async def upload_to_contact(self, contact_id: FromPath[UUID], name: Name, request: Request, caller: CallerDep,
                                record_files: RecordFilesDep) -> types.RecordFile:
        return await _upload(record_files, caller, RecordRef(RecordKind.CONTACT, contact_id), name, request)

    @get("/organisations/{organisation_id:uuid}/files", summary="An organisation's files, newest first")
    async def organisation_files(self, organisation_id: FromPath[UUID], caller: CallerDep,
                                 record_files: RecordFilesDep) -> types.RecordFiles:
        return await _listing(record_files, caller, RecordRef(RecordKind.ORGANISATION, organisation_id))

    @post("/organisations/{organisation_id:uuid}/files", status_code=201, request_max_body_size=None,
          summary="Upload the body as a file of the organisation (members)")
    async def upload_to_organisation(self, organisation_id: FromPath[UUID], name: Name, request: Request,
                                     caller: CallerDep, record_files: RecordFilesDep) -> types.RecordFile:
        return await _upload(record_files, caller, RecordRef(RecordKind.ORGANISATION, organisation_id), name,
                             request)

    @get("/deals/{board:uuid}/{card:uuid}/files", summary="A deal's files, newest first (whoever reaches its board)")
    async def deal_files(self, board: FromPath[UUID], card: FromPath[UUID], caller: CallerDep,
                         record_files: RecordFilesDep) -> types.RecordFiles:
        return await _listing(record_files, caller, RecordRef(RecordKind.DEAL, card, board))

    @post("/deals/{board:uuid}/{card:uuid}/files", status_code=201, request_max_body_size=None,
          summary="Upload the body as a file of the deal (whoever may edit its board)")
    async def upload_to_deal(self, board: FromPath[UUID], card: FromPath[UUID], name: Name, request: Request,
                             caller: CallerDep, record_files: RecordFilesDep) -> types.RecordFile:
        return await _upload(record_files, caller, RecordRef(RecordKind.DEAL, card, board), name, request)

    @get("/files/{file_id:uuid}", summary="Download a file (always as an attachment)",
         response_description="the file's bytes")
    async def download(self, file_id: FromPath[UUID], caller: CallerDep, record_files: RecordFilesDep) -> Stream:
        file, chunks = await record_files.download(caller, file_id)
        try:
            first = await anext(chunks, b"")
        except FileMissing:
            raise NotFound("this file's bytes are missing from the file store") from None
        return Stream(_joined(first, chunks), media_type=served_type(file.content_type),
                      headers={**DOWNLOAD_HEADERS, "Content-Disposition": disposition(file.name),
                               "Content-Length": str(file.size)})

    @delete("/files/{file_id:uuid}", status_code=204, summary="Delete a file (whoever may change its record)")
    async def remove(self, file_id: FromPath[UUID], caller: CallerDep, record_files: RecordFilesDep) -> None:
        await record_files.delete(caller, file_id)


async def _joined(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
