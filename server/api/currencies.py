"""``/api/workspaces/{id}/currency``: the workspace currency and the exchange rates into it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api.auth import CallerDep, client_address
from server.domain.money import COMMON, MoneySettings
from server.services.currencies import Currencies

CurrenciesDep = NamedDependency[Currencies]


class Rate(msgspec.Struct):
    """One unit of ``currency`` counts as ``rate`` units of the workspace currency."""

    currency: str
    rate: float


class CurrencySettings(msgspec.Struct):
    """``currency``: the workspace's (new boards and deals take it); ``rates`` into it, by currency;
    ``common``: the codes a picker offers first."""

    currency: str
    rates: list[Rate]
    common: list[str]


class CurrencyChange(msgspec.Struct, forbid_unknown_fields=True):
    """A new workspace currency (its rates are dropped unless ``rates`` comes too) and/or all rates."""

    currency: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    rates: dict[Annotated[str, msgspec.Meta(max_length=20)], float] | None = None


def _answer(settings: MoneySettings) -> CurrencySettings:
    rates = [Rate(code, rate) for code, rate in sorted(settings.rates.items())]
    return CurrencySettings(settings.currency, rates, list(COMMON))


class CurrencyController(Controller):
    path = "/api/workspaces/{workspace:uuid}/currency"
    tags = ["workspaces"]

    @get("/", summary="The workspace currency and exchange rates (members)")
    async def settings(self, workspace: FromPath[UUID], caller: CallerDep,
                       currencies: CurrenciesDep) -> CurrencySettings:
        return _answer(await currencies.settings(caller, workspace))

    @patch("/", summary="Change the workspace currency or its exchange rates (admins)")
    async def change(self, request: Request, workspace: FromPath[UUID], data: JSONBody[CurrencyChange],
                     caller: CallerDep, currencies: CurrenciesDep) -> CurrencySettings:
        changed = await currencies.change(caller, workspace, data.currency, data.rates, client_address(request))
        return _answer(changed)
