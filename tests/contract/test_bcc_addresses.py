"""The ``BccAddresses`` contract (one sealed token per workspace, found by its hash; replaced only when
asked), over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from server.storage.email_automations import PostgresBccAddresses
from server.storage.memory.email_automations import MemoryBccAddresses
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, lambda conn: SimpleNamespace(b=PostgresBccAddresses(conn)),
                       lambda db: SimpleNamespace(b=MemoryBccAddresses(db))) as (begin, world):
        yield begin, world


async def test_a_workspace_keeps_its_first_token_until_it_is_replaced_and_is_found_by_its_hash(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        assert await tx.b.sealed(workspace) is None
        assert await tx.b.put(workspace, b"hash-1", b"sealed-1", replace=False)
        assert not await tx.b.put(workspace, b"hash-2", b"sealed-2", replace=False)  # it has one
        assert await tx.b.put(other, b"hash-3", b"sealed-3", replace=False)
    async with begin() as tx:
        assert await tx.b.sealed(workspace) == b"sealed-1"
        assert await tx.b.workspace_of(b"hash-1") == workspace and await tx.b.workspace_of(b"hash-3") == other
        assert await tx.b.put(workspace, b"hash-4", b"sealed-4", replace=True)
    async with begin() as tx:
        assert await tx.b.sealed(workspace) == b"sealed-4"
        assert await tx.b.workspace_of(b"hash-1") is None  # the old address files nothing any more
        assert await tx.b.workspace_of(b"hash-4") == workspace
