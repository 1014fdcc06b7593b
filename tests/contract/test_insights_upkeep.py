"""The insights rollups' upkeep port (``server.services.ports.insights_upkeep.InsightsUpkeep``), one
contract over the memory twin and Postgres: a board with nothing stale (here: one nobody wrote to)
is up to date at once and is not listed as stale, and the ``insights.refresh`` job's sweep over the
port refreshes every board it lists. What makes Postgres boards stale (the triggers) and the job
clearing them: tests/integration/test_insights_rollup.py and test_insights_refresh_job.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import pytest

from server.services.insights_upkeep import refresh
from server.storage.insights_upkeep import PostgresInsightsUpkeep
from server.storage.memory.insights_upkeep import MemoryInsightsUpkeep
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[SimpleNamespace]:
    async with backend(request.param, database_url, lambda conn: None, lambda db: None) as (_, world):
        upkeep = PostgresInsightsUpkeep(world.pool) if world.pool is not None else MemoryInsightsUpkeep()
        yield SimpleNamespace(upkeep=upkeep, world=world)


async def test_a_board_with_nothing_stale_is_up_to_date_at_once(store):
    board = uuid4()
    assert await store.upkeep.refresh(board) is True
    assert board not in await store.upkeep.stale_boards()


async def test_the_sweep_refreshes_every_board_listed_and_leaves_none_stale(store):
    done, left = await refresh(store.upkeep, None)
    assert left == 0 and done >= 0
    assert await store.upkeep.stale_boards() == []
    assert await refresh(store.upkeep, uuid4()) == (1, 0)
