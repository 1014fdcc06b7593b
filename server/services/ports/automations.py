"""Automation rules and their runs (``server.domain.automations``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol
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

    async def enabled_of_types(self, types: Sequence[str]) -> list[Rule]:
        """The enabled rules (of every workspace) whose trigger is one of ``types``, oldest first."""
        ...

    async def secret(self, rule: UUID) -> bytes | None:
        """The rule's sealed signing secret (call_webhook), if it has one."""
        ...

    async def set_secret(self, rule: UUID, sealed: bytes) -> None:
        """Keep (or replace) the rule's sealed signing secret."""
        ...

    async def team_members(self, workspace: UUID, team: UUID) -> list[UUID] | None:
        """The members of the workspace's ``team`` still in the workspace, in the team's order; None
        if the workspace has no such team (a round_robin_team assignee)."""
        ...


class IdleDeal(NamedTuple):
    card: UUID
    since: datetime  # its last change: the last card event or activity done on it


class DueActivity(NamedTuple):
    id: UUID
    card: UUID | None
    type: str
    title: str
    assignee: UUID | None
    due: datetime  # when it is due (an all-day one: the start of its day; overdue: the end of it)


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

    async def turn(self, rule: UUID, action_index: int, run: UUID) -> int:
        """The round-robin turn ``run`` drew for the rule's action: 0, 1, 2... across runs; the
        same one when the run asks again."""
        ...

    async def known(self, rule: UUID, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` the rule already has a run for."""
        ...

    async def idle_deals(self, board: UUID, quiet_since: datetime) -> list[IdleDeal]:
        """The board's open deals with no card event and no activity done on them since ``quiet_since``."""
        ...

    async def due_activities(self, board: UUID, after: datetime, until: datetime, *,
                             overdue: bool) -> list[DueActivity]:
        """The board's undone activities due after ``after`` and at or before ``until``, by due time;
        ``overdue``: an all-day one is due at the end of its day (in its zone), else at its start."""
        ...
