"""Lead scoring (docs/lead-scoring.md): a workspace's rules (``ScoringRuleStore``), the stored
scores with their explanations (``LeadScores``) and the facts scores are computed from
(``ScoringFacts``: fields, engagement events, who is marked for rescoring, closed deals)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple, Protocol
from uuid import UUID

from server.domain.lead_scoring import Facts, Rule, Scored, StoredScore, Value

Kind = Literal["lead", "contact"]


class Marked(NamedTuple):
    """Who the marks read name (leads, contacts) and the exact marks read (to forget once scored)."""

    leads: list[UUID]
    contacts: list[UUID]
    marks: list[int]


class ScoringRuleStore(Protocol):
    async def get(self, workspace: UUID) -> list[Rule] | None:
        """The workspace's rules; None if it never had any (the defaults apply then)."""

    async def put(self, workspace: UUID, rules: Sequence[Rule], by: UUID | None) -> None:
        """Replace the workspace's rules."""

    async def forget(self, workspace: UUID) -> None:
        """Drop the workspace's rules (a reset: the defaults apply again)."""


class LeadScores(Protocol):
    async def put(self, workspace: UUID, kind: Kind, scored: Sequence[tuple[UUID, Scored]], at: datetime) -> None:
        """Store (replace) each subject's score and explanation, computed at ``at``."""

    async def of(self, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, StoredScore]:
        """The stored scores of those of ``subjects`` that have one."""

    async def ranked(self, workspace: UUID, kind: Kind, least: int, limit: int) -> list[StoredScore]:
        """The workspace's scores of at least ``least``, the highest first."""


class ScoringFacts(Protocol):
    async def facts(self, workspace: UUID, kind: Kind, subjects: Sequence[UUID]) -> dict[UUID, Facts]:
        """Each subject's fields and engagement moments (subjects not of the workspace are left out)."""

    async def page(self, workspace: UUID, kind: Kind, after: UUID | None, limit: int) -> list[UUID]:
        """The workspace's leads (not converted) or contacts (not deleted) by id, after ``after``."""

    async def marked(self, workspace: UUID, limit: int) -> Marked:
        """Up to ``limit`` marks of the workspace, resolved to leads and contacts (an address names
        the leads and contacts with it)."""

    async def unmark(self, marks: Sequence[int]) -> None:
        """Delete exactly these marks."""

    async def workspaces(self, marked_only: bool) -> list[UUID]:
        """Workspaces with marks waiting (or, ``marked_only`` False, every workspace)."""

    async def closed_deals(self, workspace: UUID) -> list[tuple[dict[str, Value], bool]]:
        """Each won or lost deal's contact's fields (empty if none) and whether it was won."""
