"""The lead scoring ports (``server.services.ports.lead_scoring``), one contract over the memory twins and
Postgres: rules read back as stored and a reset forgets them; scores replace each other, read back with
their explanation, and rank the highest first above a floor, per workspace and kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from server.domain.lead_scoring import Facts, Rule, default_rules, score
from server.storage.lead_scoring import PostgresLeadScores, PostgresScoringRuleStore
from server.storage.memory.lead_scoring import MemoryLeadScores, MemoryScoringRuleStore
from tests.support.units import backend

AT = datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[SimpleNamespace]:
    async with backend(request.param, database_url, lambda conn: None, lambda db: None) as (_, world):
        if world.pool is not None:
            rules, scores = PostgresScoringRuleStore(world.pool), PostgresLeadScores(world.pool)
        else:
            rules, scores = MemoryScoringRuleStore(world.db), MemoryLeadScores(world.db)
        yield SimpleNamespace(rules=rules, scores=scores, world=world)


def scored(points: int, replied_days_ago: float = 1):
    facts = Facts({"country": "DE"}, {"replied": [AT - timedelta(days=replied_days_ago)]}, AT - timedelta(days=2))
    rules = [Rule("fit", points, field="country", op="is_set"), Rule("engagement", 10, event="replied", days=7)]
    return score(facts, rules, AT)


async def test_rules_read_back_as_stored_and_a_reset_forgets_them(store):
    workspace, other = await store.world.workspace(), await store.world.workspace()
    assert await store.rules.get(workspace) is None
    await store.rules.put(workspace, default_rules(), None)
    assert await store.rules.get(workspace) == default_rules()
    changed = [Rule("fit", -5, field="custom.industry", op="one_of", values=["retail"])]
    await store.rules.put(workspace, changed, await store.world.user())
    assert await store.rules.get(workspace) == changed
    assert await store.rules.get(other) is None
    await store.rules.forget(workspace)
    assert await store.rules.get(workspace) is None


async def test_a_score_reads_back_with_its_explanation_and_a_new_one_replaces_it(store):
    workspace = await store.world.workspace()
    lead = uuid4()
    await store.scores.put(workspace, "lead", [(lead, scored(30))], AT)
    [got] = (await store.scores.of("lead", [lead, uuid4()])).values()
    assert (got.subject_id, got.kind, got.score, got.total, got.computed_at) == (lead, "lead", 40, 40, AT)
    assert [m.text for m in got.matched] == ["country is de", "replied 1 time(s) in the last 7 days"]
    assert got.matched == scored(30).matched
    await store.scores.put(workspace, "lead", [(lead, scored(-40))], AT + timedelta(hours=1))
    again = (await store.scores.of("lead", [lead]))[lead]
    assert (again.score, again.total, again.computed_at) == (0, -30, AT + timedelta(hours=1))
    assert await store.scores.of("contact", [lead]) == {}


async def test_ranked_lists_the_highest_first_above_the_floor_per_workspace_and_kind(store):
    workspace, other = await store.world.workspace(), await store.world.workspace()
    a, b, c = uuid4(), uuid4(), uuid4()
    await store.scores.put(workspace, "lead", [(a, scored(10)), (b, scored(50)), (c, scored(-10))], AT)
    await store.scores.put(workspace, "contact", [(uuid4(), scored(60))], AT)
    await store.scores.put(other, "lead", [(uuid4(), scored(80))], AT)
    assert [s.subject_id for s in await store.scores.ranked(workspace, "lead", 0, 10)] == [b, a, c]
    assert [(s.subject_id, s.score) for s in await store.scores.ranked(workspace, "lead", 20, 10)] == [(b, 60),
                                                                                                      (a, 20)]
    assert len(await store.scores.ranked(workspace, "lead", 0, 1)) == 1


async def test_the_leads_inbox_filters_and_sorts_by_the_stored_score(database_url):
    """``Leads.list`` and ``counts`` with ``min_score`` / ``by_score`` (unscored leads count as 0, and
    come last by score), alike over memory and Postgres."""
    from server.domain.leads import LeadFilter
    from tests.contract.test_leads import adapters, lead, twins

    for kind in ("memory", "postgres"):
        async with backend(kind, database_url, adapters, twins) as (begin, world):
            scores = PostgresLeadScores(world.pool) if world.pool is not None else MemoryLeadScores(world.db)
            workspace = await world.workspace()
            old, new, unscored = (lead(workspace, "Old", minutes=0), lead(workspace, "New", minutes=5),
                                  lead(workspace, "None", minutes=9))
            async with begin() as unit:
                for one in (old, new, unscored):
                    await unit.leads.add(one)
            await scores.put(workspace, "lead", [(old.id, scored(50)), (new.id, scored(0))], AT)  # 60, 10
            async with begin() as unit:
                titles = [x.title for x in await unit.leads.list(workspace, LeadFilter(by_score=True), 10, 0)]
                assert titles == ["Old", "New", "None"], kind
                newest = [x.title for x in await unit.leads.list(workspace, LeadFilter(), 10, 0)]
                assert newest == ["None", "New", "Old"], kind
                floor = LeadFilter(min_score=20)
                assert [x.title for x in await unit.leads.list(workspace, floor, 10, 0)] == ["Old"], kind
                assert await unit.leads.counts(workspace, floor) == {"new": 1}, kind
