"""``PostgresCurrencySettings``: a workspace's currency and exchange rates, through one connection."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import asyncpg

from server.domain.money import MoneySettings
from server.storage.queries import queries

SQL = queries("money")


class PostgresCurrencySettings:
    """Implements ``server.services.ports.money.CurrencySettings``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_workspace(self, workspace: UUID) -> MoneySettings | None:
        currency = await self._conn.fetchval(SQL["money"], workspace)
        if currency is None:
            return None
        rates = {r["currency"]: r["rate"] for r in await self._conn.fetch(SQL["rates"], workspace)}
        return MoneySettings(currency, rates)

    async def set_currency(self, workspace: UUID, currency: str, by: UUID | None) -> None:
        await self._conn.execute(SQL["set_currency"], workspace, currency, by)

    async def set_rates(self, workspace: UUID, rates: Mapping[str, float]) -> None:
        await self._conn.execute(SQL["clear_rates"], workspace)
        if rates:
            await self._conn.execute(SQL["insert_rates"], workspace, list(rates), list(rates.values()))
