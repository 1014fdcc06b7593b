"""``/api/workspaces/{id}/leads/address`` (docs/leads.md, "By e-mail"): the workspace's secret
leads address, a new one, and who new leads from mail belong to."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api.auth import CallerDep
from server.services.lead_mail import LeadMailService, LeadsAddress

LeadMailDep = NamedDependency[LeadMailService]


class LeadsAddressView(msgspec.Struct):
    address: str | None  # null: TANDEM_BCC_DOMAIN is not set on this server
    listening: bool  # whether this server takes mail for it (TANDEM_BCC_SMTP_PORT)
    owner: UUID | None  # the member new leads from mail belong to and who is told (null: no member)


class LeadsOwner(msgspec.Struct):
    owner: UUID


def _shown(found: LeadsAddress) -> LeadsAddressView:
    return LeadsAddressView(found.address.address, found.address.listening, found.owner)


class LeadAddressController(Controller):
    path = "/api/workspaces/{workspace:uuid}/leads/address"
    tags = ["leads"]

    @get("", summary="The workspace's leads address: mail to it becomes a lead (members; made on the first look)")
    async def show(self, workspace: FromPath[UUID], caller: CallerDep, lead_mail: LeadMailDep) -> LeadsAddressView:
        return _shown(await lead_mail.address(caller, workspace))

    @post("/regenerate", summary="A new leads address; mail to the old one is refused from now on (admins)",
          status_code=200)
    async def regenerate(self, workspace: FromPath[UUID], caller: CallerDep,
                         lead_mail: LeadMailDep) -> LeadsAddressView:
        return _shown(await lead_mail.regenerate(caller, workspace))

    @put("/owner", summary="Who new leads from mail belong to and who is told of them (admins; a member)")
    async def change_owner(self, workspace: FromPath[UUID], caller: CallerDep, lead_mail: LeadMailDep,
                           data: JSONBody[LeadsOwner]) -> LeadsAddressView:
        return _shown(await lead_mail.change_owner(caller, workspace, data.owner))
