"""A workspace's currency and exchange rates: every member reads them, admins change them.

New boards (and so their new deals) take the workspace currency; board totals and the pipeline
report add deals up per currency and, where an admin set rates, also in the workspace currency
(``server.domain.money``). Changing the currency drops the rates, which were rates into the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from server.domain.access import Action
from server.domain.money import FALLBACK, MoneySettings, check_currency, check_rates
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.records import workspace_role


async def money_of(unit: Unit, workspace: UUID) -> MoneySettings:
    """The workspace's settings; USD without rates for a workspace made before it had any."""
    return await unit.currencies.of_workspace(workspace) or MoneySettings(FALLBACK, {})


class Currencies:
    """The currency settings use cases."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def settings(self, caller: Caller, workspace: UUID) -> MoneySettings:
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.VIEW)
            return await money_of(unit, workspace)

    async def change(self, caller: Caller, workspace: UUID, currency: str | None,
                     rates: Mapping[str, object] | None, address: str) -> MoneySettings:
        """Set the currency and/or replace the rates; a new currency without new rates clears them."""
        async with self._begin() as unit:
            await workspace_role(unit, caller, workspace, Action.MANAGE_SETTINGS)
            current = await money_of(unit, workspace)
            code = check_currency(currency) if currency is not None else current.currency
            if rates is None:
                rates = current.rates if code == current.currency else {}
            checked = check_rates(rates, code)
            await unit.currencies.set_currency(workspace, code, caller.id)
            await unit.currencies.set_rates(workspace, checked)
            await unit.audit.record("workspace.currency_changed", actor=caller.id, workspace=workspace,
                                    address=address, currency=code, rates=len(checked))
            return MoneySettings(code, dict(sorted(checked.items())))
