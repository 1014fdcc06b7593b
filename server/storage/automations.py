"""``PostgresAutomationRules`` and ``PostgresAutomationRuns``, through one connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.automations import NewRule, Rule, Run, RunStatus
from server.services.ports.automations import DueActivity, IdleDeal
from server.storage.queries import queries

SQL = queries("automations")


def _rule(r: asyncpg.Record) -> Rule:
    return Rule(r["id"], r["workspace_id"], r["name"], r["enabled"], json.loads(r["trigger"]),
                json.loads(r["actions"]), r["created_by"], r["created_at"], r["updated_at"], json.loads(r["conditions"]))


def _run(r: asyncpg.Record) -> Run:
    return Run(r["id"], r["rule_id"], r["event_key"], json.loads(r["trigger"]), json.loads(r["inputs"]),
               RunStatus(r["status"]), json.loads(r["results"]), r["error"], r["depth"], r["started_at"],
               r["finished_at"])


class PostgresAutomationRules:
    """Implements ``server.services.ports.automations.AutomationRules``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_workspace(self, workspace: UUID) -> list[Rule]:
        return [_rule(r) for r in await self._conn.fetch(SQL["rules_of_workspace"], workspace)]

    async def enabled_on_board(self, board: UUID) -> list[Rule]:
        return [_rule(r) for r in await self._conn.fetch(SQL["enabled_on_board"], str(board))]

    async def get(self, rule: UUID) -> Rule | None:
        found = await self._conn.fetchrow(SQL["rule_by_id"], rule)
        return _rule(found) if found else None

    async def add(self, workspace: UUID, rule: NewRule, by: UUID | None) -> Rule:
        return _rule(await self._conn.fetchrow(SQL["insert_rule"], workspace, rule.name, rule.enabled,
                                               json.dumps(rule.trigger), json.dumps(rule.actions), by,
                                               json.dumps(rule.conditions)))

    async def change(self, rule: UUID, new: NewRule) -> Rule | None:
        found = await self._conn.fetchrow(SQL["update_rule"], rule, new.name, new.enabled, json.dumps(new.trigger),
                                          json.dumps(new.actions), json.dumps(new.conditions))
        return _rule(found) if found else None

    async def remove(self, rule: UUID) -> None:
        await self._conn.execute(SQL["delete_rule"], rule)

    async def enabled_of_types(self, types: Sequence[str]) -> list[Rule]:
        return [_rule(r) for r in await self._conn.fetch(SQL["enabled_of_types"], list(types))]

    async def secret(self, rule: UUID) -> bytes | None:
        found = await self._conn.fetchval(SQL["secret_of_rule"], rule)
        return bytes(found) if found is not None else None

    async def set_secret(self, rule: UUID, sealed: bytes) -> None:
        await self._conn.execute(SQL["set_secret"], rule, sealed)

    async def team_members(self, workspace: UUID, team: UUID) -> list[UUID] | None:
        rows = await self._conn.fetch(SQL["team_members"], team, workspace)
        return [row["user_id"] for row in rows if row["user_id"] is not None] if rows else None


class PostgresAutomationRuns:
    """Implements ``server.services.ports.automations.AutomationRuns``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start(self, rule: UUID, event_key: str, trigger: dict[str, Any], inputs: dict[str, Any],
                    depth: int, status: RunStatus = RunStatus.RUNNING, error: str | None = None) -> Run:
        args = (rule, event_key, json.dumps(trigger), json.dumps(inputs), depth, str(status), error)
        found = await self._conn.fetchrow(SQL["start_run"], *args)
        if found is None:  # a concurrent insert committed after this statement's snapshot: read it now
            found = await self._conn.fetchrow(SQL["start_run"], *args)
        return _run(found)

    async def record(self, run: UUID, results: list[dict[str, Any]], status: RunStatus,
                     error: str | None = None) -> None:
        await self._conn.execute(SQL["record_run"], run, json.dumps(results), str(status), error)

    async def of_rule(self, rule: UUID, limit: int = 100) -> list[Run]:
        return [_run(r) for r in await self._conn.fetch(SQL["runs_of_rule"], rule, limit)]

    async def turn(self, rule: UUID, action_index: int, run: UUID) -> int:
        found = await self._conn.fetchval(SQL["turn_of_run"], action_index, run)
        if found is None:
            found = await self._conn.fetchval(SQL["take_turn"], rule, action_index, run)
        if found is None:  # drawn concurrently for this run: read the turn it drew
            found = await self._conn.fetchval(SQL["turn_of_run"], action_index, run)
        return int(found)

    async def known(self, rule: UUID, keys: Sequence[str]) -> set[str]:
        return {r["event_key"] for r in await self._conn.fetch(SQL["known_events"], rule, list(keys))}

    async def idle_deals(self, board: UUID, quiet_since: datetime) -> list[IdleDeal]:
        return [IdleDeal(r["card_id"], r["since"]) for r in await self._conn.fetch(SQL["idle_deals"], board,
                                                                                   quiet_since)]

    async def due_activities(self, board: UUID, after: datetime, until: datetime, *,
                             overdue: bool) -> list[DueActivity]:
        rows = await self._conn.fetch(SQL["due_activities"], board, after, until, overdue)
        return [DueActivity(r["activity_id"], r["card_id"], r["type"], r["title"], r["assignee_id"], r["due"])
                for r in rows]
