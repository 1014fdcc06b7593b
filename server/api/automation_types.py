"""Request and response bodies of the automations API (``/api/workspaces/{id}/automations``).

The trigger and action reference is docs/automations.md; ``server.domain.automations`` checks them
and names the field it refuses (HTTP 422). In short: a trigger is ``{"type", "board", ...}`` —
deal_created, deal_stage_entered (``stage``), deal_won, deal_lost, field_changed (``field``: value,
stage, status, title or ``custom:<custom field id>``; ``from``, ``to``), deal_idle (``days``),
activity_due (``activity_type``?, ``before_minutes``?), activity_overdue (``activity_type``?); and
without a board contact_created, organisation_created, schedule (``cron``, ``time_zone``?, ``board``?;
the cron is read in the IANA zone, default the author's).
Conditions ``{"field", "op", "value"}`` (deal fields, or a contact's / organisation's for their
triggers; ops equals, not_equals, greater_than, less_than, contains, is_empty, is_not_empty) must
all hold. Actions ``{"type", ...}``: create_task (``title``, ``assignee`` — ``deal_owner``, a user
id, ``{"round_robin": [user ids]}`` or ``{"round_robin_team": team id}`` —, ``due_in_days``); move_deal (``stage``); set_field
(``field``, ``value``); add_label (``label``); notify (``user`` — ``deal_owner``,
``activity_assignee`` or a member's id —, ``message``); wait (``days`` or ``hours``; the run is
``waiting`` meanwhile); call_webhook (``url``, ``payload``?).
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
    # A rule with a call_webhook action: the secret its requests are signed with (X-Tandem-Signature),
    # answered once, by the save that made it (or POST .../signing-secret); null otherwise.
    signing_secret: str | None = None


class SchedulePreview(msgspec.Struct, kw_only=True):
    cron: str
    time_zone: str  # the IANA zone the cron is read in
    next_runs: list[datetime]  # the next ticks, in UTC (show them in the zone)


class SigningSecret(msgspec.Struct, kw_only=True):
    signing_secret: str  # answered once


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
