"""Lead scoring over HTTP (docs/lead-scoring.md): Settings › Lead scoring's rules (read, save, reset,
preview on a lead), the stored scores with their explanations, and win rates from closed deals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.api import lead_scoring_types as types
from server.api.auth import CallerDep
from server.domain.lead_scoring import Rate, Rule, Scored, StoredScore
from server.services.lead_scoring import LeadScoring, RuleSet

LeadScoringDep = NamedDependency[LeadScoring]
MinScore = Annotated[int | None, QueryParameter(ge=0, le=100)]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]


def _rules(rules: Sequence[Rule]) -> list[types.ScoringRule]:
    return [types.ScoringRule(**msgspec.structs.asdict(r)) for r in rules]


def _set(found: RuleSet) -> types.ScoringRules:
    return types.ScoringRules(rules=_rules(found.rules), defaults=_rules(found.defaults))


def _matched(scored: Scored | StoredScore) -> list[types.MatchedRule]:
    return [types.MatchedRule(**msgspec.structs.asdict(m)) for m in scored.matched]


def _score(stored: StoredScore) -> types.LeadScore:
    return types.LeadScore(subject=stored.subject_id, kind=stored.kind, score=stored.score, total=stored.total,
                           matched=_matched(stored), computed_at=stored.computed_at)


def _rate(rate: Rate) -> types.WinRate:
    return types.WinRate(value=rate.value, won=rate.won, lost=rate.lost)


class LeadScoringController(Controller):
    path = "/api/workspaces/{workspace:uuid}/lead-scoring"
    tags = ["lead scoring"]

    @get("/rules", summary="The workspace's scoring rules (the defaults are stored on the first open)")
    async def scoring_rules(self, workspace: FromPath[UUID], caller: CallerDep,
                            lead_scoring: LeadScoringDep) -> types.ScoringRules:
        return _set(await lead_scoring.rules(caller, workspace))

    @put("/rules", summary="Replace the scoring rules (admins); the workspace is rescored by a job")
    async def change_scoring_rules(self, workspace: FromPath[UUID], data: JSONBody[types.ScoringRulesBody],
                                   caller: CallerDep, lead_scoring: LeadScoringDep) -> types.ScoringRules:
        return _set(await lead_scoring.change(caller, workspace, data.rules))

    @delete("/rules", status_code=200, summary="Back to the default rules (admins); rescored by a job")
    async def reset_scoring_rules(self, workspace: FromPath[UUID], caller: CallerDep,
                                  lead_scoring: LeadScoringDep) -> types.ScoringRules:
        return _set(await lead_scoring.reset(caller, workspace))

    @post("/preview", status_code=200, summary="What a lead or contact would score under rules not saved yet")
    async def preview_scoring(self, workspace: FromPath[UUID], data: JSONBody[types.ScorePreviewBody],
                              caller: CallerDep, lead_scoring: LeadScoringDep) -> types.ScorePreview:
        scored = await lead_scoring.preview(caller, workspace, data.rules, data.kind, data.subject)
        return types.ScorePreview(score=scored.score, total=scored.total, matched=_matched(scored))

    @get("/scores", summary="Stored scores with their explanations: of the ids given, else the best of at "
                            "least `min_score` (highest first)")
    async def lead_scores(self, workspace: FromPath[UUID], caller: CallerDep, lead_scoring: LeadScoringDep,
                          kind: FromQuery[types.Kind] = "lead", ids: FromQuery[list[UUID] | None] = None,
                          min_score: MinScore = None, limit: Limit = 200) -> list[types.LeadScore]:
        found = await lead_scoring.scores(caller, workspace, kind, ids or [], min_score, limit)
        return [_score(s) for s in found]

    @get("/history", summary="Per fit rule: won and lost deals of contacts that met it, the others', per value")
    async def scoring_history(self, workspace: FromPath[UUID], caller: CallerDep,
                              lead_scoring: LeadScoringDep) -> list[types.ScoringRuleHistory]:
        return [types.ScoringRuleHistory(rule=h.rule, matching=_rate(h.matching), others=_rate(h.others),
                                         by_value=[_rate(r) for r in h.by_value])
                for h in await lead_scoring.history(caller, workspace)]



