"""Bodies and answers of the lead scoring API (docs/lead-scoring.md), snake_case on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

Kind = Literal["lead", "contact"]


class ScoringRule(msgspec.Struct, kw_only=True):
    """``fit``: ``field`` ``op`` ``values``; ``engagement``: ``event`` within ``days``; ``decay``: no
    engagement for ``days``. ``points`` −100..100."""

    kind: Literal["fit", "engagement", "decay"]
    points: int
    field: str = ""
    op: str = ""
    values: list[str] = []
    event: str = ""
    days: int = 0


class ScoringRules(msgspec.Struct, kw_only=True):
    rules: list[ScoringRule]
    defaults: list[ScoringRule]  # what a reset gives back


class ScoringRulesBody(msgspec.Struct, kw_only=True):
    """The rules to save or preview (checked by the service: 422 names ``rules[i].<field>``)."""

    rules: list[dict[str, Any]]


class ScorePreviewBody(ScoringRulesBody, kw_only=True):
    kind: Kind = "lead"
    subject: UUID


class MatchedRule(msgspec.Struct, kw_only=True):
    rule: int  # its index in the rules
    kind: str
    points: int
    evidence: dict[str, Any]  # fit: field, op, values, value; engagement: event, count, days; decay: days, idle_days
    text: str  # the English wording


class ScorePreview(msgspec.Struct, kw_only=True):
    score: int
    total: int  # before clamping to 0..100
    matched: list[MatchedRule]


class LeadScore(ScorePreview, kw_only=True):
    subject: UUID
    kind: Kind
    computed_at: datetime


class WinRate(msgspec.Struct, kw_only=True):
    value: str
    won: int
    lost: int


class ScoringRuleHistory(msgspec.Struct, kw_only=True):
    """Closed deals of contacts that met fit rule ``rule`` against the others', and per value."""

    rule: int
    matching: WinRate
    others: WinRate
    by_value: list[WinRate]
