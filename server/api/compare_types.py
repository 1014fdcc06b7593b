"""The rep comparison's answer (``GET /api/workspaces/{id}/insights/compare``; docs/insights.md)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

from server.api.insight_types import Header

CompareKey = Literal["conversion", "median_days", "per_won", "per_open", "first_activity_hours", "win_rate",
                     "average_won", "lost_share", "coverage"]


class CompareCell(msgspec.Struct, kw_only=True):
    """A figure's value for a rep (or the baseline), the number of deals behind it, and the
    drill-down's query for those deals (``figure``, ``owner`` — '' lifts the filter —, ``stage``,
    ``reason``), None where there is none."""

    value: float | None
    sample: int
    drill: dict[str, str] | None


class RepCell(CompareCell, kw_only=True):
    owner: UUID


class CompareFigure(msgspec.Struct, kw_only=True):
    """One row: ``key``, what it is of (a stage's name — with the next one for a conversion —, an
    activity kind calls/meetings/emails/tasks, a lost reason: '' other text, None none given; the
    currency of an average), the stage's id for a stage's row, a cell per rep and the baseline's."""

    key: CompareKey
    of: str | None
    stage: UUID | None
    cells: list[RepCell]
    baseline: CompareCell


class ComparedRep(msgspec.Struct, kw_only=True):
    owner: UUID
    name: str


class Gap(msgspec.Struct, kw_only=True):
    """A difference that explains, as a sentence in the asked language, with its numbers."""

    owner: UUID
    key: CompareKey
    of: str | None
    stage: UUID | None
    value: float
    baseline: float
    sample: int
    relative: float
    score: float
    text: str
    drill: dict[str, str] | None


class Explanation(msgspec.Struct, kw_only=True):
    """The biggest gaps, ranked (relative gap weighted by the square root of its deals); ``left_out``
    gaps on fewer than ``min_sample`` deals."""

    min_sample: int
    left_out: int
    gaps: list[Gap]


class RepComparison(Header, kw_only=True):
    baseline: Literal["team", "workspace"]
    baseline_name: str | None
    lang: Literal["en", "de"]
    reps: list[ComparedRep]
    figures: list[CompareFigure]
    explanation: Explanation
