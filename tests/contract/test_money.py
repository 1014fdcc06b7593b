"""The ``CurrencySettings`` contract, over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from server.domain.money import MoneySettings
from server.storage.memory.money import MemoryCurrencySettings
from server.storage.money import PostgresCurrencySettings
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, lambda conn: SimpleNamespace(money=PostgresCurrencySettings(conn)),
                       lambda db: SimpleNamespace(money=MemoryCurrencySettings(db))) as (begin, world):
        yield begin, world


async def test_a_workspace_without_a_currency_reads_none(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        assert await tx.money.of_workspace(workspace) is None


async def test_the_currency_and_rates_read_back_rates_by_code_and_a_new_set_replaces_them(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        await tx.money.set_currency(workspace, "EUR", None)
        await tx.money.set_rates(workspace, {"USD": 0.92, "CHF": 1.05})
        await tx.money.set_currency(other, "GBP", None)
    async with begin() as tx:
        assert await tx.money.of_workspace(workspace) == MoneySettings("EUR", {"CHF": 1.05, "USD": 0.92})
        assert list((await tx.money.of_workspace(workspace)).rates) == ["CHF", "USD"]
        await tx.money.set_currency(workspace, "CHF", None)
        await tx.money.set_rates(workspace, {"EUR": 0.95})
    async with begin() as tx:
        assert await tx.money.of_workspace(workspace) == MoneySettings("CHF", {"EUR": 0.95})
        assert await tx.money.of_workspace(other) == MoneySettings("GBP", {})
