"""The ``Webhooks`` contract (subscriptions and their attempt log), over memory and Postgres."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from server.storage.memory.webhooks import MemoryWebhooks
from server.storage.webhooks import PostgresWebhooks
from tests.support.units import backend


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, lambda conn: SimpleNamespace(hooks=PostgresWebhooks(conn)),
                       lambda db: SimpleNamespace(hooks=MemoryWebhooks(db))) as (begin, world):
        yield begin, world


async def test_a_subscription_reads_back_per_workspace_and_changes_what_is_given(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        first = await tx.hooks.insert(workspace, "https://a.example/h", ["deal.won"], b"sealed", None)
        second = await tx.hooks.insert(workspace, "https://b.example/h", ["contact.created", "deal.lost"], b"s2", None)
        await tx.hooks.insert(other, "https://c.example/h", ["deal.won"], b"s3", None)
    async with begin() as tx:
        assert [h.id for h in await tx.hooks.of_workspace(workspace)] == [first.id, second.id]
        got = await tx.hooks.get(second.id)
        assert (got.url, got.events, got.secret, got.enabled, got.failures, got.disabled_reason) == (
            "https://b.example/h", ["contact.created", "deal.lost"], b"s2", True, 0, None)
        changed = await tx.hooks.update(first.id, events=["deal.created"])
        assert (changed.url, changed.events, changed.enabled) == ("https://a.example/h", ["deal.created"], True)
        assert await tx.hooks.update(uuid.uuid4(), enabled=False) is None
        assert await tx.hooks.get(uuid.uuid4()) is None


async def test_attempts_count_failures_in_a_row_and_enabling_again_resets_them(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        hook = await tx.hooks.insert(workspace, "https://a.example/h", ["deal.won"], b"sealed", None)
    delivery = uuid.uuid4()
    async with begin() as tx:
        await tx.hooks.log(hook.id, delivery, "deal.won", 1, 500, 12, "the receiver answered 500", "oops", False)
        await tx.hooks.log(hook.id, delivery, "deal.won", 2, None, 10, "ConnectError", None, False)
    async with begin() as tx:
        assert (await tx.hooks.get(hook.id)).failures == 2
        attempts = await tx.hooks.attempts(hook.id, 10)
        assert [(a.attempt, a.status, a.delivered, a.response) for a in attempts] == [
            (2, None, False, None), (1, 500, False, "oops")]
        assert attempts[0].delivery == delivery and attempts[0].event == "deal.won"
        assert len(await tx.hooks.attempts(hook.id, 1)) == 1
        await tx.hooks.log(hook.id, delivery, "deal.won", 3, 204, 5, None, "", True)
    async with begin() as tx:
        assert (await tx.hooks.get(hook.id)).failures == 0
        await tx.hooks.log(hook.id, delivery, "deal.won", 4, 500, 5, "x", "", False)
        await tx.hooks.disable(hook.id, "8 failed deliveries in a row")
    async with begin() as tx:
        got = await tx.hooks.get(hook.id)
        assert (got.enabled, got.failures, got.disabled_reason) == (False, 1, "8 failed deliveries in a row")
        again = await tx.hooks.update(hook.id, enabled=True)
        assert (again.enabled, again.failures, again.disabled_reason) == (True, 0, None)


async def test_deleting_a_subscription_deletes_its_log(store):
    begin, world = store
    workspace = await world.workspace()
    async with begin() as tx:
        hook = await tx.hooks.insert(workspace, "https://a.example/h", ["deal.won"], b"sealed", None)
        await tx.hooks.log(hook.id, uuid.uuid4(), "deal.won", 1, 200, 1, None, "", True)
    async with begin() as tx:
        assert await tx.hooks.delete(hook.id) is True
        assert await tx.hooks.delete(hook.id) is False
    async with begin() as tx:
        assert await tx.hooks.get(hook.id) is None
        assert await tx.hooks.attempts(hook.id, 10) == []
