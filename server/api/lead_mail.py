"""``/api/workspaces/{id}/leads/address`` (docs/leads.md, "By e-mail"): the workspace's secret
leads address, and a new one."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from server.api.auth import CallerDep
from server.api.bcc import Bcc, _shown
from server.services.lead_mail import LeadMailService

LeadMailDep = NamedDependency[LeadMailService]


class LeadAddressController(Controller):
    path = "/api/workspaces/{workspace:uuid}/leads/address"
    tags = ["leads"]

    @get("", summary="The workspace's leads address: mail to it becomes a lead (members; made on the first look)")
    async def show(self, workspace: FromPath[UUID], caller: CallerDep, lead_mail: LeadMailDep) -> Bcc:
        return _shown(await lead_mail.address(caller, workspace))

    @post("/regenerate", summary="A new leads address; mail to the old one is refused from now on (admins)",
          status_code=200)
    async def regenerate(self, workspace: FromPath[UUID], caller: CallerDep, lead_mail: LeadMailDep) -> Bcc:
        return _shown(await lead_mail.regenerate(caller, workspace))
