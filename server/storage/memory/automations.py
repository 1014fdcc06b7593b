"""The in-memory twins of ``server.storage.automations``."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from server.domain.automations import NewRule, Rule, Run, RunStatus
from server.services.ports.automations import DueActivity, IdleDeal
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
        self._db.table("automation_secrets").pop(rule, None)
        counters = self._db.table("automation_counters")
        for key in [k for k in counters if k[0] == rule]:
            del counters[key]

    async def enabled_of_types(self, types: Sequence[str]) -> list[Rule]:
        return [copy.deepcopy(r) for r in self._rules.values() if r.enabled and r.trigger.get("type") in types]

    async def secret(self, rule: UUID) -> bytes | None:
        return self._db.table("automation_secrets").get(rule)

    async def set_secret(self, rule: UUID, sealed: bytes) -> None:
        if rule in self._rules:
            self._db.table("automation_secrets")[rule] = sealed

    async def team_members(self, workspace: UUID, team: UUID) -> list[UUID] | None:
        found = self._db.table("teams").get(team)
        if found is None or found.workspace_id != workspace:
            return None
        return [m for m in found.members if (workspace, m) in self._db.table("memberships")]  # still in it


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

    async def turn(self, rule: UUID, action_index: int, run: UUID) -> int:
        turns = self._db.table("automation_turns")
        if (run, action_index) not in turns:
            counters = self._db.table("automation_counters")
            turns[(run, action_index)] = counters.get((rule, action_index), 0)
            counters[(rule, action_index)] = turns[(run, action_index)] + 1
        return turns[(run, action_index)]

    async def known(self, rule: UUID, keys: Sequence[str]) -> set[str]:
        return {key for key in keys if (rule, key) in self._runs}

    # The projected rows these read: ``deals`` {(board, card): {"status", "created_at"}}, ``card_events``
    # [(board, card, at)] and ``activities`` {(board, id): {"card", "type", "title", "assignee", "due_date",
    # "due_at", "time_zone", "done", "done_at"}} (the memory backend projects nothing: tests put them).

    async def idle_deals(self, board: UUID, quiet_since: datetime) -> list[IdleDeal]:
        history: dict[UUID, list[datetime]] = {}
        done: dict[UUID, list[datetime]] = {}
        for at_board, card, at in self._db.table("card_events", list):
            if at_board == board:
                history.setdefault(card, []).append(at)
        for (at_board, _), activity in self._db.table("activities").items():
            if at_board == board and activity.get("done") and activity.get("done_at") and activity.get("card"):
                done.setdefault(activity["card"], []).append(activity["done_at"])
        idle = []
        for (at_board, card), deal in self._db.table("deals").items():
            if at_board != board or deal["status"] != "open":
                continue
            changed = max(history[card]) if card in history else deal.get("created_at")  # history, else creation
            times = [t for t in (changed, *done.get(card, [])) if t is not None]
            if times and max(times) <= quiet_since:
                idle.append(IdleDeal(card, max(times)))
        return sorted(idle, key=lambda d: (d.since, str(d.card)))

    async def due_activities(self, board: UUID, after: datetime, until: datetime, *,
                             overdue: bool) -> list[DueActivity]:
        found = []
        for (at_board, ident), a in self._db.table("activities").items():
            if at_board != board or a.get("done"):
                continue
            due = a.get("due_at")
            if due is None and a.get("due_date") is not None:
                day = a["due_date"] + timedelta(days=1 if overdue else 0)
                due = datetime.combine(day, time(), ZoneInfo(a.get("time_zone") or "UTC"))
            if due is not None and after < due <= until:
                found.append(DueActivity(ident, a.get("card"), a["type"], a["title"], a.get("assignee"), due))
        return sorted(found, key=lambda d: (d.due, str(d.id)))
