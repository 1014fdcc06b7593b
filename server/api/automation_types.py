"""Request and response bodies of the automations API (``/api/workspaces/{id}/automations``).

A trigger is ``{"type", "board", ...}`` (``stage`` for deal_stage_entered; ``field``, ``from``,
``to`` for field_changed); conditions ``{"field", "op", "value"}`` (fields title, value, currency,
owner, stage, status, labels, expected_close or ``fields.<custom key>``; ops equals, not_equals,
greater_than, less_than, contains, is_empty, is_not_empty) must all hold for the deal; an action ``{"type", ...}`` with its type's inputs (create_task:
``title``, ``assignee`` — ``deal_owner`` or a user id —, ``due_in_days``; move_deal: ``stage``;
set_field: ``field``, ``value``; add_label: ``label``; notify: ``user`` — ``deal_owner`` or a member's id —, ``message``; wait: ``days``
or ``hours``, after which the next action runs; the run is ``waiting`` meanwhile). They are
checked by ``server.domain.automations``, which names the field it refuses (HTTP 422).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType


class NewAutomation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Any = None
    trigger: Any = None
    actions: Any = None
    enabled: Any = True
    conditions: Any = None  # [{"field", "op", "value"}]: all must hold (none: always)


class AutomationChanges(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Any | UnsetType = UNSET
    trigger: Any | UnsetType = UNSET
    actions: Any | UnsetType = UNSET
    enabled: Any | UnsetType = UNSET
    conditions: Any | UnsetType = UNSET


class Automation(msgspec.Struct, kw_only=True):
    id: UUID
    workspace_id: UUID
    name: str
    enabled: bool
    trigger: dict[str, Any]
    actions: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    runs: str  # the address of its run log


class AutomationRun(msgspec.Struct, kw_only=True):
    id: UUID
    rule_id: UUID
    trigger: dict[str, Any]
    inputs: dict[str, Any]
    status: str  # running, succeeded, failed, stopped
    results: list[dict[str, Any]]  # one per action done: {"type", "ok", "result" | "error"}
    error: str | None
    depth: int
    started_at: datetime
    finished_at: datetime | None
