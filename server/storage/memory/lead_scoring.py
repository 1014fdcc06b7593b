"""In-memory twins of ``ScoringRuleStore``, ``LeadScores`` and ``ScoringFacts``
(``server.services.ports.lead_scoring``). The facts twin serves what a test put in its tables
(``lead_scoring_facts``: (kind, id) -> (workspace, Facts); ``lead_scoring_marks``: list of
(id, workspace, kind, subject); ``lead_scoring_closed``: workspace -> [(fields, won)])."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from server.domain.lead_scoring import Facts, Rule, Scored, StoredScore, Value
from server.services.ports.lead_scoring import Kind, Marked
from server.storage.memory.unit import MemoryDatabase


class MemoryScoringRuleStore:
    """Implements ``ScoringRuleStore`` (table ``lead_score_rules``: workspace -> rules)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rules: dict[UUID, list[Rule]] = db.table("lead_score_rules")

    async def get(self, workspace: UUID) -> list[Rule] | None:
        rules = self._rules.get(workspace)
        return list(rules) if rules is not None else None

    async def put(self, workspace: UUID, rules: Sequence[Rule], by: UUID | None) -> None:
        self._rules[workspace] = list(rules)

    async def forget(self, workspace: UUID) -> None:
        self._rules.pop(workspace, None)


class MemoryLeadScores:
    """Implements ``LeadScores`` (table ``lead_scores``: (kind, id) -> (workspace, StoredScore))."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._scores: dict[tuple[str, UUID], tuple[UUID, StoredScore]] = db.table("lead_scores")

    async def put(self, workspace: UUID, kind: Kind, scored: Sequence[tuple[UUID, Scored]], at: datetime) -> None:
        for subject, one in scored:
            self._scores[kind, subject] = (workspace, StoredScore(subject, kind, one.score, one.total,
                                                                  list(one.matched), at))

    async def of(self, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, StoredScore]:
        return {s: self._scores[kind, s][1] for s in subjects if (kind, s) in self._scores}

    async def ranked(self, workspace: UUID, kind: Kind, least: int, limit: int) -> list[StoredScore]:
        found = [s for (k, _), (ws, s) in self._scores.items() if k == kind and ws == workspace and s.score >= least]
        return sorted(found, key=lambda s: (-s.score, str(s.subject_id)))[:limit]


class MemoryScoringFacts:
    """Implements ``ScoringFacts`` over facts a test stored (see the module docstring)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._facts: dict[tuple[str, UUID], tuple[UUID, Facts]] = db.table("lead_scoring_facts")
        self._marks: list[tuple[int, UUID, str, UUID]] = db.table("lead_scoring_marks", list)
        self._closed: dict[UUID, list[tuple[dict[str, Value], bool]]] = db.table("lead_scoring_closed")
        self._workspaces: set[UUID] = db.table("lead_scoring_workspaces", set)

    async def facts(self, workspace: UUID, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, Facts]:
        return {s: self._facts[kind, s][1] for s in subjects
                if (kind, s) in self._facts and self._facts[kind, s][0] == workspace}

    async def page(self, workspace: UUID, kind: Kind, after: UUID | None, limit: int) -> list[UUID]:
        ids = sorted(s for (k, s), (ws, _) in self._facts.items() if k == kind and ws == workspace)
        return [s for s in ids if after is None or s > after][:limit]

    async def marked(self, workspace: UUID, limit: int) -> Marked:
        marks = [m for m in self._marks if m[1] == workspace][:limit]
        leads = sorted({m[3] for m in marks if m[2] == "lead"})
        contacts = sorted({m[3] for m in marks if m[2] == "contact"})
        return Marked(leads, contacts, [m[0] for m in marks])

    async def unmark(self, marks: Sequence[int]) -> None:
        gone = set(marks)
        self._marks[:] = [m for m in self._marks if m[0] not in gone]

    async def workspaces(self, marked_only: bool) -> list[UUID]:
        marked = {m[1] for m in self._marks}
        return sorted(marked if marked_only else marked | {ws for ws, _ in self._facts.values()} | self._workspaces)

    async def closed_deals(self, workspace: UUID) -> list[tuple[dict[str, Value], bool]]:
        return list(self._closed.get(workspace, []))
