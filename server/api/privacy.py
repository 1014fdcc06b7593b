"""``/api/workspaces/{id}/permissions`` (who may delete and export) and erasing a contact's personal data."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api.auth import CallerDep, client_address
from server.domain.permissions import DeleteLevel, ExportLevel, what_role_may
from server.services.erasure import Erasure
from server.services.permissions import PermissionsView, WorkspacePermissions

PermissionsDep = NamedDependency[WorkspacePermissions]
ErasureDep = NamedDependency[Erasure]


class YourPermissions(msgspec.Struct):
    """What the caller may do: ``delete`` is ``all``, ``own`` (records they own) or ``none``."""

    delete: Literal["all", "own", "none"]
    export: bool
    erase: bool
    change_permissions: bool


class Permissions(msgspec.Struct):
    delete: DeleteLevel
    export: ExportLevel
    you: YourPermissions


class ErasureReport(msgspec.Struct):
    contact: UUID
    contacts_blanked: int
    notes_blanked: int
    deal_references_removed: int
    activity_references_removed: int
    text_fields_redacted: int
    documents_compacted: int
    log_rows_squashed: int
    documents_still_holding: int


def _permissions(view: PermissionsView) -> Permissions:
    you = msgspec.convert(what_role_may(view.role, view.permissions), YourPermissions)
    return Permissions(view.permissions.delete, view.permissions.export, you)


class PrivacyController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["permissions and erasure"]

    @get("/permissions", summary="Who may delete records and export (every member may read)")
    async def read(self, workspace: FromPath[UUID], caller: CallerDep,
                   permissions: PermissionsDep) -> Permissions:
        return _permissions(await permissions.get(caller, workspace))

    @put("/permissions", summary="Set who may delete records and export (admins and owners)")
    async def change(self, request: Request, workspace: FromPath[UUID], data: JSONBody[dict[str, Any]],
                     caller: CallerDep, permissions: PermissionsDep) -> Permissions:
        return _permissions(await permissions.change(caller, workspace, data, client_address(request)))

    @post("/contacts/{contact:uuid}/erase", status_code=200,
          summary="Erase a contact's personal data everywhere (admins and owners); says what was removed")
    async def erase(self, request: Request, workspace: FromPath[UUID], contact: FromPath[UUID], caller: CallerDep,
                    erasure: ErasureDep) -> ErasureReport:
        report = await erasure.erase(caller, contact, client_address(request), workspace=workspace)
        return ErasureReport(*report)

