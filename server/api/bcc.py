"""``/api/workspaces/{id}/bcc`` (issue 17 item 3): the workspace's secret BCC address, and a new one."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from server.api.auth import CallerDep
from server.services.bcc import BccAddress, BccService

BccDep = NamedDependency[BccService]


class Bcc(msgspec.Struct):
    address: str | None  # null: TANDEM_BCC_DOMAIN is not set on this server
    listening: bool  # whether this server takes mail for it (TANDEM_BCC_SMTP_PORT)


def _shown(found: BccAddress) -> Bcc:
    return Bcc(found.address, found.listening)


class BccController(Controller):
    path = "/api/workspaces/{workspace:uuid}/bcc"
    tags = ["email"]

    @get("", summary="The workspace's BCC address (members; made on the first look)")
    async def show(self, workspace: FromPath[UUID], caller: CallerDep, bcc: BccDep) -> Bcc:
        return _shown(await bcc.address(caller, workspace))

    @post("/regenerate", summary="A new BCC address; the old one stops filing at once (admins)", status_code=200)
    async def regenerate(self, workspace: FromPath[UUID], caller: CallerDep, bcc: BccDep) -> Bcc:
        return _shown(await bcc.regenerate(caller, workspace))
