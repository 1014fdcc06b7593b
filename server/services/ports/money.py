"""A workspace's currency and the exchange rates an admin sets into it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from uuid import UUID

from server.domain.money import MoneySettings


class CurrencySettings(Protocol):
    """The currency of each workspace and its exchange rates (``server.domain.money``)."""

    async def of_workspace(self, workspace: UUID) -> MoneySettings | None:
        """The workspace's currency and rates, or None while it has never had one set."""

    async def set_currency(self, workspace: UUID, currency: str, by: UUID | None) -> None:
        """Store the workspace's currency (who set it, and when, is kept too)."""

    async def set_rates(self, workspace: UUID, rates: Mapping[str, float]) -> None:
        """Replace the workspace's exchange rates with ``rates``."""
