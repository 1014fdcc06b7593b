"""The in-memory twins of ``server.storage.automations``."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID, uuid4

from server.domain.automations import NewRule, Rule, Run, RunStatus
from server.storage.memory.unit import MemoryDatabase


class MemoryAutomationRules:
    """Implements ``AutomationRules`` (table ``automation_rules``: id -> Rule, in insertion order)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rules: dict[UUID, Rule] = db.table("automation_rules")

    async def of_workspace(self, workspace: UUID) -> list[Rule]:
        return [copy.deepcopy(r) for r in self._rules.values() if r.workspace_id == workspace]

    async def enabled_on_board(self, board: UUID) -> list[Rule]:
        return [copy.deepcopy(r) for r in self._rules.values() if r.enabled and r.trigger.get("board") == str(board)]

    async def get(self, rule: UUID) -> Rule | None:
        return copy.deepcopy(self._rules.get(rule))

    async def add(self, workspace: UUID, rule: NewRule, by: UUID | None) -> Rule:
        now = self._db.now()
        made = Rule(uuid4(), workspace, rule.name, rule.enabled, copy.deepcopy(rule.trigger),
                    copy.deepcopy(rule.actions), by, now, now, copy.deepcopy(rule.conditions))
        self._rules[made.id] = made
        return copy.deepcopy(made)

    async def change(self, rule: UUID, new: NewRule) -> Rule | None:
        found = self._rules.get(rule)
        if found is None:
            return None
        self._rules[rule] = found._replace(name=new.name, enabled=new.enabled, trigger=copy.deepcopy(new.trigger),
                                           actions=copy.deepcopy(new.actions), updated_at=self._db.now(),
                                           conditions=copy.deepcopy(new.conditions))
        return copy.deepcopy(self._rules[rule])

    async def remove(self, rule: UUID) -> None:
        self._rules.pop(rule, None)
        runs = self._db.table("automation_runs")
        for key in [k for k, r in runs.items() if r.rule_id == rule]:
            del runs[key]


class MemoryAutomationRuns:
    """Implements ``AutomationRuns`` (table ``automation_runs``: (rule, event key) -> Run)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._runs: dict[tuple[UUID, str], Run] = db.table("automation_runs")

    async def start(self, rule: UUID, event_key: str, trigger: dict[str, Any], inputs: dict[str, Any],
                    depth: int, status: RunStatus = RunStatus.RUNNING, error: str | None = None) -> Run:
        key = (rule, event_key)
        if key not in self._runs:
            now = self._db.now()
            self._runs[key] = Run(uuid4(), rule, event_key, copy.deepcopy(trigger), copy.deepcopy(inputs), status,
                                  [], error, depth, now, None if status is RunStatus.RUNNING else now)
        return copy.deepcopy(self._runs[key])

    async def record(self, run: UUID, results: list[dict[str, Any]], status: RunStatus,
                     error: str | None = None) -> None:
        for key, found in self._runs.items():
            if found.id == run:
                finished = None if status in (RunStatus.RUNNING, RunStatus.WAITING) else self._db.now()
                self._runs[key] = found._replace(results=copy.deepcopy(results), status=status, error=error,
                                                 finished_at=finished)
                return

    async def of_rule(self, rule: UUID, limit: int = 100) -> list[Run]:
        runs = [r for r in self._runs.values() if r.rule_id == rule]
        runs.sort(key=lambda r: r.started_at, reverse=True)
        return copy.deepcopy(runs[:limit])
