"""The contract of ``SeriesExceptions`` (issue 18) over memory and Postgres — one suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.storage.memory.series import MemorySeriesExceptions
from server.storage.series import PostgresSeriesExceptions
from tests.contract import test_crm
from tests.contract.test_crm import crm
from tests.support.units import backend


def adapters(conn) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.adapters(conn)), series_exceptions=PostgresSeriesExceptions(conn))


def twins(db) -> SimpleNamespace:
    return SimpleNamespace(**vars(test_crm.twins(db)), series_exceptions=MemorySeriesExceptions(db))


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


async def test_an_occurrence_is_taken_out_once_and_read_back_by_series_and_by_board(begin):
    c = await crm(begin)
    other = await crm(begin, "Elsewhere")
    series, second, replacement = uuid4(), uuid4(), uuid4()
    async with begin() as unit:
        assert await unit.series_exceptions.add(c.workspace, c.board.id, series, date(2030, 4, 1), None)
        assert await unit.series_exceptions.add(c.workspace, c.board.id, series, date(2030, 3, 25), replacement)
        assert not await unit.series_exceptions.add(c.workspace, c.board.id, series, date(2030, 4, 1), uuid4())
        assert await unit.series_exceptions.add(c.workspace, c.board.id, second, date(2030, 4, 1), None)
        assert await unit.series_exceptions.add(other.workspace, other.board.id, series, date(2030, 5, 1), None)
    async with begin() as unit:
        days = await unit.series_exceptions.days(c.board.id, series)
        assert list(days.items()) == [(date(2030, 3, 25), replacement), (date(2030, 4, 1), None)]
        assert await unit.series_exceptions.days(c.board.id, uuid4()) == {}
        assert await unit.series_exceptions.of_boards([c.board.id]) == {
            (c.board.id, series): frozenset({date(2030, 3, 25), date(2030, 4, 1)}),
            (c.board.id, second): frozenset({date(2030, 4, 1)})}
        assert await unit.series_exceptions.of_boards([]) == {}


async def test_an_occurrence_put_back_leaves_the_exceptions_and_rows_name_what_replaced_each(begin):
    c = await crm(begin)
    series, replacement = uuid4(), uuid4()
    async with begin() as unit:
        await unit.series_exceptions.add(c.workspace, c.board.id, series, date(2030, 4, 1), None)
        await unit.series_exceptions.add(c.workspace, c.board.id, series, date(2030, 4, 8), replacement)
    async with begin() as unit:
        assert [tuple(r) for r in await unit.series_exceptions.rows([c.board.id])] == [
            (c.board.id, series, date(2030, 4, 1), None), (c.board.id, series, date(2030, 4, 8), replacement)]
        assert await unit.series_exceptions.remove(c.board.id, series, date(2030, 4, 1))
        assert not await unit.series_exceptions.remove(c.board.id, series, date(2030, 4, 1))
    async with begin() as unit:
        assert await unit.series_exceptions.days(c.board.id, series) == {date(2030, 4, 8): replacement}
        assert await unit.series_exceptions.rows([]) == []
