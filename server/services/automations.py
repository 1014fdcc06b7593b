"""Automation rules of a workspace: admins write them, every member reads them and their runs.

A rule is checked (``server.domain.automations.check_rule``) and then against the workspace as it
is: its board must be one of the workspace's pipeline boards and every stage it names one of that
board's stages; a refusal names the field (``trigger.board``, ``actions[1].stage``), HTTP 422.
A rule with a call_webhook action gets a signing secret when saved (sealed at rest, answered
once, like a webhook subscription's; ``new_secret`` replaces it). What runs the rules is
``server.services.automation_runner``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput
from server.domain import schedules
from server.domain.automations import BY_EXPERTISE
from server.domain.automations import (ACTIVITY_ASSIGNEE, DEAL_OWNER, ROUND_ROBIN, ROUND_ROBIN_TEAM, ActionType,
                                       InvalidRule, NewRule, Rule, Run, TriggerType, check_cron, check_rule,
                                       check_time_zone, custom_field_of, stages_named)
from server.domain.crm import now_utc
from server.domain.boards import BoardKind
from server.domain.fields import Entity
from server.domain.webhooks import check_addresses, check_url
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Receivers, Sealer
from server.services.records import workspace_role

READ = Action.VIEW
WRITE = Action.MANAGE_SETTINGS


class Saved(NamedTuple):
    rule: Rule
    secret: str | None  # a signing secret made by this save (call_webhook), in clear: answered once


class Automations:
    """The rule use cases."""

    def __init__(self, begin: Begin, sealer: Sealer | None = None, receivers: Receivers | None = None,
                 allow_private: bool = False) -> None:
        self._begin, self._sealer, self._receivers, self._allow_private = begin, sealer, receivers, allow_private

    async def _check_receivers(self, rule: NewRule) -> None:
        """A call_webhook address on a loopback, private or reserved network is refused when saved
        (422 ``actions[i].url``), unless TANDEM_WEBHOOKS_ALLOW_PRIVATE; the runner checks again before
        each call (the name may resolve elsewhere by then, or resolve at all)."""
        if self._receivers is None or self._allow_private:
            return
        for index, action in enumerate(rule.actions):
            if action["type"] == ActionType.CALL_WEBHOOK:
                receiver = check_url(action["url"])
                addresses = await self._receivers.resolve(receiver.host, receiver.port)
                try:
                    if addresses:  # a name that does not resolve yet may later: the runner's check decides
                        check_addresses(receiver.host, addresses)
                except InvalidInput as error:
                    raise InvalidRule(f"actions[{index}].url: {error}") from None

    async def _secret(self, tx: Unit, rule: Rule, renew: bool = False) -> str | None:
        """A rule that calls a webhook gets a signing secret (sealed at rest) when it has none."""
        if not renew and (not any(a["type"] == ActionType.CALL_WEBHOOK for a in rule.actions)
                          or await tx.automation_rules.secret(rule.id) is not None):
            return None
        if self._sealer is None:
            raise InvalidRule("actions: call_webhook needs TANDEM_SECRET_KEY on this server to sign its requests")
        secret = "whsec_" + secrets.token_urlsafe(32)
        await tx.automation_rules.set_secret(rule.id, self._sealer.seal(secret.encode()))
        return secret

    async def list(self, caller: Caller, workspace: UUID) -> list[Rule]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, READ)
            return await tx.automation_rules.of_workspace(workspace)

    async def create(self, caller: Caller, workspace: UUID, name: Any, trigger: Any, actions: Any,
                     enabled: Any = True, conditions: Any = None) -> Saved:
        rule = check_rule(name, trigger, actions, enabled, conditions)
        await self._check_receivers(rule)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, WRITE)
            rule = await _zoned(tx, caller, rule)
            await _check_against(tx, caller, workspace, rule)
            made = await tx.automation_rules.add(workspace, rule, caller.id)
            return Saved(made, await self._secret(tx, made))

    async def new_secret(self, caller: Caller, workspace: UUID, rule: UUID) -> str:
        """Replace the rule's signing secret (call_webhook) and answer the new one, once."""
        async with self._begin() as tx:
            found = await self._reach(tx, caller, workspace, rule, WRITE)
            secret = await self._secret(tx, found, renew=True)
            assert secret is not None
            return secret

    async def update(self, caller: Caller, workspace: UUID, rule: UUID, changes: dict[str, Any]) -> Saved:
        """Change any of name, enabled, trigger, actions, conditions (the others stay)."""
        async with self._begin() as tx:
            current = await self._reach(tx, caller, workspace, rule, WRITE)
            new = check_rule(changes.get("name", current.name), changes.get("trigger", current.trigger),
                             changes.get("actions", current.actions), changes.get("enabled", current.enabled),
                             changes.get("conditions", current.conditions))
            new = await _zoned(tx, caller, new, current.trigger.get("time_zone"))
            await _check_against(tx, caller, current.workspace_id, new)
            if new.actions != current.actions:
                await self._check_receivers(new)
            changed = await tx.automation_rules.change(rule, new)
            if changed is None:
                raise NotFound("no such automation")
            return Saved(changed, await self._secret(tx, changed))

    async def delete(self, caller: Caller, workspace: UUID, rule: UUID) -> None:
        async with self._begin() as tx:
            await self._reach(tx, caller, workspace, rule, WRITE)
            await tx.automation_rules.remove(rule)

    async def get(self, caller: Caller, workspace: UUID, rule: UUID) -> Rule:
        async with self._begin() as tx:
            return await self._reach(tx, caller, workspace, rule, READ)

    async def runs(self, caller: Caller, workspace: UUID, rule: UUID, limit: int = 100) -> list[Run]:
        async with self._begin() as tx:
            await self._reach(tx, caller, workspace, rule, READ)
            return await tx.automation_runs.of_rule(rule, limit)

    async def next_runs(self, caller: Caller, workspace: UUID, cron: Any, time_zone: Any, count: int = 3,
                        now: datetime | None = None) -> list[datetime]:
        """When a schedule of ``cron`` in ``time_zone`` fires next (the builder's preview, members)."""
        checked = check_cron(cron, "cron")
        zone = check_time_zone(time_zone, "time_zone")
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, READ)
        try:
            return schedules.next_ticks(checked, zone, now or now_utc(), count)
        except schedules.NoTick as error:
            raise InvalidRule(f"cron: {error}; expected one that ticks") from None

    async def _reach(self, tx: Unit, caller: Caller, workspace: UUID, rule: UUID, action: Action) -> Rule:
        found = await tx.automation_rules.get(rule)
        if found is None or found.workspace_id != workspace:
            raise NotFound("no such automation")
        await workspace_role(tx, caller, found.workspace_id, action)
        return found


async def _zoned(tx: Unit, caller: Caller, rule: NewRule, kept: str | None = None) -> NewRule:
    """A schedule saved without a time zone keeps the one it had (``kept``), else gets its author's
    (notification settings; UTC when they chose none)."""
    if rule.trigger["type"] != TriggerType.SCHEDULE or "time_zone" in rule.trigger:
        return rule
    zone = kept or (await tx.notification_settings.get(caller.id)).time_zone
    return rule._replace(trigger={**rule.trigger, "time_zone": zone})


async def _check_expertise(tx: Unit, workspace: UUID, index: int, tags: list[str]) -> None:
    """``{"by_expertise": [...]}`` names expertise tags of the workspace (docs/expertise.md)."""
    known = {str(t.id) for t in await tx.expertise.tags(workspace)} if tags else set()
    for i, tag in enumerate(tags):
        if tag not in known:
            raise InvalidRule(f"actions[{index}].assignee.{BY_EXPERTISE}[{i}]: expected an expertise tag of this "
                              f"workspace, got {tag}")

async def _check_against(tx: Unit, caller: Caller, workspace: UUID, rule: NewRule) -> None:
    if "board" in rule.trigger:  # contact, organisation and some schedule triggers have none
        board = UUID(rule.trigger["board"])
        boards = {grant.board.id: grant.board for grant in await tx.boards.visible(workspace, caller.id)}
        if board not in boards or boards[board].kind != BoardKind.PIPELINE:
            raise InvalidRule(f"trigger.board: expected a pipeline board of this workspace, got {board}")
        stages, _, _ = await tx.board_reads.report(board)
        known = {str(stage.id) for stage in stages}
        for where, stage in stages_named(rule):
            if stage not in known:
                raise InvalidRule(f"{where}: expected a stage of the rule's board, got {stage}")
    custom = custom_field_of(str(rule.trigger.get("field", "")))
    if custom is not None:
        field = await tx.field_definitions.get(UUID(custom))
        if field is None or field.workspace_id != workspace or field.entity != Entity.DEAL:
            raise InvalidRule(f"trigger.field: expected a deal custom field of this workspace, got {custom}")
    for index, action in enumerate(rule.actions):
        named: list[tuple[str, str]] = []
        if action["type"] == "notify" and action["user"] not in (DEAL_OWNER, ACTIVITY_ASSIGNEE):
            named.append((f"actions[{index}].user", action["user"]))
        team = action.get("assignee", {}).get(ROUND_ROBIN_TEAM) if isinstance(action.get("assignee"), dict) else None
        if team is not None and await tx.automation_rules.team_members(workspace, UUID(team)) is None:
            raise InvalidRule(f"actions[{index}].assignee.{ROUND_ROBIN_TEAM}: expected a team of this workspace, "
                              f"got {team}")
        if action["type"] == "create_task" and isinstance(action.get("assignee"), dict) and team is None:
            named += [(f"actions[{index}].assignee.{ROUND_ROBIN}[{i}]", user)
                      for i, user in enumerate(action["assignee"].get(ROUND_ROBIN, []))]
            await _check_expertise(tx, workspace, index, action["assignee"].get(BY_EXPERTISE, []))
        for where, user in named:
            if await tx.members.role(workspace, UUID(user)) is None:
                raise InvalidRule(f"{where}: expected a member of this workspace, got {user}")
        if action["type"] == ActionType.SEND_TEMPLATE \
                and await tx.email_templates.get(workspace, UUID(action["template"])) is None:
            raise InvalidRule(f"actions[{index}].template: expected an e-mail template of this workspace, "
                              f"got {action['template']}")
