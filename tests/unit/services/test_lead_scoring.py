"""``LeadScoring``'s jobs over the memory twins (docs/lead-scoring.md): marks are scored and then
forgotten, exactly those read; a whole workspace is scored in batches; the sweep takes every
workspace with marks; a workspace without stored rules scores by the defaults."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

from server.domain.lead_scoring import Facts, Rule
from server.services import lead_scoring
from server.services.lead_scoring import LeadScoring
from server.storage.memory.lead_scoring import MemoryLeadScores, MemoryScoringFacts, MemoryScoringRuleStore
from server.storage.memory.unit import MemoryDatabase

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)


def world():
    db = MemoryDatabase()
    scoring = LeadScoring(None, MemoryScoringRuleStore(db), MemoryLeadScores(db),  # type: ignore[arg-type]
                          MemoryScoringFacts(db), now=lambda: NOW)
    return db, scoring


def add(db: MemoryDatabase, workspace, kind: str = "lead", **fields) -> object:
    subject = uuid4()
    db.table("lead_scoring_facts")[kind, subject] = (workspace, Facts(fields, {}, NOW - timedelta(days=1)))
    return subject


async def test_marked_subjects_are_scored_and_exactly_their_marks_forgotten():
    db, scoring = world()
    workspace, other = uuid4(), uuid4()
    lead, contact = add(db, workspace, source="web_form"), add(db, workspace, "contact", country="DE")
    db.table("lead_scoring_marks", list).extend([(1, workspace, "lead", lead), (2, workspace, "contact", contact),
                                                 (3, other, "lead", uuid4())])
    assert await scoring.rescore_marked(workspace) == 2
    assert [m[0] for m in db.table("lead_scoring_marks", list)] == [3]
    lead_score = (await scoring._scores.of("lead", [lead]))[lead]
    assert lead_score.score == 5 and lead_score.matched[0].evidence["field"] == "source"  # the defaults
    assert (await scoring._scores.of("contact", [contact]))[contact].score == 10


async def test_a_whole_workspace_is_scored_in_batches_under_its_own_rules(monkeypatch):
    db, scoring = world()
    monkeypatch.setattr(lead_scoring, "BATCH", 2)
    workspace = uuid4()
    leads = [add(db, workspace, source="manual") for _ in range(5)]
    await scoring._rules.put(workspace, [Rule("fit", 30, field="source", op="equals", values=["manual"])], None)
    assert await scoring.rescore_all(workspace) == 5
    assert {s.score for s in (await scoring._scores.of("lead", leads)).values()} == {30}


async def test_the_sweep_takes_every_workspace_with_marks():
    db, scoring = world()
    first, second = uuid4(), uuid4()
    a, b = add(db, first, source="web_form"), add(db, second, source="web_form")
    db.table("lead_scoring_marks", list).extend([(1, first, "lead", a), (2, second, "lead", b)])
    await scoring.run({})
    assert set(await scoring._scores.of("lead", [a, b])) == {a, b}
    assert db.table("lead_scoring_marks", list) == []
