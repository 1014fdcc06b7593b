"""In-memory twin of ``CurrencySettings`` (tables ``workspace_money``, ``exchange_rates``)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from server.domain.money import MoneySettings
from server.storage.memory.unit import MemoryDatabase


class MemoryCurrencySettings:
    """Implements ``server.services.ports.money.CurrencySettings`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._currency: dict[UUID, str] = db.table("workspace_money")
        self._rates: dict[UUID, dict[str, float]] = db.table("exchange_rates")

    async def of_workspace(self, workspace: UUID) -> MoneySettings | None:
        currency = self._currency.get(workspace)
        if currency is None:
            return None
        return MoneySettings(currency, dict(sorted(self._rates.get(workspace, {}).items())))

    async def set_currency(self, workspace: UUID, currency: str, by: UUID | None) -> None:
        self._currency[workspace] = currency

    async def set_rates(self, workspace: UUID, rates: Mapping[str, float]) -> None:
        self._rates[workspace] = {code: float(rate) for code, rate in rates.items()}
