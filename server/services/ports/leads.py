"""Leads and the web forms that capture them (docs/leads.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.leads import Lead, LeadFilter, LeadForm


class Leads(Protocol):
    async def add(self, lead: Lead) -> None:
        """Store a new lead."""
        ...

    async def get(self, lead: UUID, *, lock: bool = False) -> Lead | None:
        """One lead; ``lock`` holds its row until the transaction ends (one conversion at a time)."""
        ...

    async def list(self, workspace: UUID, where: LeadFilter, limit: int, offset: int) -> list[Lead]:
        """``workspace``'s leads that ``where`` selects, the newest first."""
        ...

    async def counts(self, workspace: UUID, where: LeadFilter) -> dict[str, int]:
        """How many leads per status ``where`` selects, its own status aside (absent: none)."""
        ...

    async def put(self, lead: Lead) -> None:
        """Replace a stored lead's values, status and links with ``lead``'s."""
        ...

    async def archive(self, workspace: UUID, leads: Sequence[UUID], archived: bool) -> list[UUID]:
        """Archive new and qualified leads of ``workspace`` (keeping their status to restore), or
        restore archived ones; the ids that changed."""
        ...

    async def delete(self, lead: UUID) -> bool:
        """Remove a lead (an import's undo); False if it was gone."""
        ...


class LeadForms(Protocol):
    async def add(self, form: LeadForm) -> None:
        """Store a new form."""
        ...

    async def get(self, form: UUID) -> LeadForm | None:
        """One form, whichever workspace's."""
        ...

    async def of_workspace(self, workspace: UUID) -> list[LeadForm]:
        """``workspace``'s forms, the oldest first."""
        ...

    async def put(self, form: LeadForm) -> None:
        """Replace a stored form's name, fields, owner and thank-you URL."""
        ...

    async def delete(self, form: UUID) -> bool:
        """Remove a form (its leads stay); False if it was gone."""
        ...
