"""Automation rules and their runs (``server.domain.automations``)."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from server.domain.automations import NewRule, Rule, Run, RunStatus


class AutomationRules(Protocol):
    async def of_workspace(self, workspace: UUID) -> list[Rule]:
        """The workspace's rules, oldest first."""
        ...

    async def enabled_on_board(self, board: UUID) -> list[Rule]:
        """The enabled rules whose trigger watches ``board``, oldest first."""
        ...

    async def get(self, rule: UUID) -> Rule | None:
        ...

    async def add(self, workspace: UUID, rule: NewRule, by: UUID | None) -> Rule:
        ...

    async def change(self, rule: UUID, new: NewRule) -> Rule | None:
        """Replace name, enabled, trigger and actions; None if it is gone."""
        ...

    async def remove(self, rule: UUID) -> None:
        """Delete the rule and its runs."""
        ...


class AutomationRuns(Protocol):
    async def start(self, rule: UUID, event_key: str, trigger: dict[str, Any], inputs: dict[str, Any],
                    depth: int, status: RunStatus = RunStatus.RUNNING, error: str | None = None) -> Run:
        """The run of ``rule`` for ``event_key``: a new one, or the one that exists (exactly one per pair)."""
        ...

    async def record(self, run: UUID, results: list[dict[str, Any]], status: RunStatus,
                     error: str | None = None) -> None:
        """Store the actions' results so far and the status (a finished status stamps the end)."""
        ...

    async def of_rule(self, rule: UUID, limit: int = 100) -> list[Run]:
        """The rule's runs, newest first."""
        ...
