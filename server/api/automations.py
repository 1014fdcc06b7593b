"""``/api/workspaces/{id}/automations`` and ``/api/automations/{rule}``: rules and their run log."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET, structs

from server.api import automation_types as types
from server.api.auth import CallerDep
from server.domain.automations import Rule, Run
from server.services.automations import Automations

AutomationsDep = NamedDependency[Automations]


def automation(rule: Rule, secret: str | None = None) -> types.Automation:
    return types.Automation(id=rule.id, workspace_id=rule.workspace_id, name=rule.name, enabled=rule.enabled,
                            trigger=rule.trigger, actions=rule.actions, conditions=rule.conditions,
                            created_by=rule.created_by,
                            created_at=rule.created_at, updated_at=rule.updated_at,
                            runs=f"/api/workspaces/{rule.workspace_id}/automations/{rule.id}/runs",
                            signing_secret=secret)


def automation_run(run: Run) -> types.AutomationRun:
    return types.AutomationRun(id=run.id, rule_id=run.rule_id, trigger=run.trigger, inputs=run.inputs,
                               status=str(run.status), results=run.results, error=run.error, depth=run.depth,
                               started_at=run.started_at, finished_at=run.finished_at)


class AutomationController(Controller):
    path = "/api/workspaces/{workspace:uuid}/automations"
    tags = ["automations"]

    @get("", summary="The workspace's automation rules (members)")
    async def list_automations(self, workspace: FromPath[UUID], caller: CallerDep,
                               automations: AutomationsDep) -> list[types.Automation]:
        return [automation(rule) for rule in await automations.list(caller, workspace)]

    @post("", summary="Add an automation rule: a trigger and its actions (admins)")
    async def create_automation(self, workspace: FromPath[UUID], data: JSONBody[types.NewAutomation],
                                caller: CallerDep, automations: AutomationsDep) -> types.Automation:
        return automation(*await automations.create(caller, workspace, data.name, data.trigger, data.actions,
                                                    data.enabled, data.conditions))

    @get("/schedule-preview", summary="When a schedule trigger's cron fires next, read in a time zone (members)")
    async def schedule_preview(self, workspace: FromPath[UUID], cron: FromQuery[str], time_zone: FromQuery[str],
                               caller: CallerDep, automations: AutomationsDep) -> types.SchedulePreview:
        runs = await automations.next_runs(caller, workspace, cron, time_zone)
        return types.SchedulePreview(cron=" ".join(cron.split()), time_zone=time_zone, next_runs=runs)

    @get("/{rule:uuid}", summary="One automation rule (members)")
    async def get_automation(self, workspace: FromPath[UUID], rule: FromPath[UUID], caller: CallerDep,
                             automations: AutomationsDep) -> types.Automation:
        return automation(await automations.get(caller, workspace, rule))

    @patch("/{rule:uuid}", summary="Change a rule's name, trigger, actions or enabled (admins)")
    async def update_automation(self, workspace: FromPath[UUID], rule: FromPath[UUID],
                                data: JSONBody[types.AutomationChanges], caller: CallerDep,
                                automations: AutomationsDep) -> types.Automation:
        changes = {k: v for k, v in structs.asdict(data).items() if v is not UNSET}
        return automation(*await automations.update(caller, workspace, rule, changes))

    @post("/{rule:uuid}/signing-secret", status_code=201,
          summary="Replace the secret a rule's call_webhook requests are signed with; answered once (admins)")
    async def new_signing_secret(self, workspace: FromPath[UUID], rule: FromPath[UUID], caller: CallerDep,
                                 automations: AutomationsDep) -> types.SigningSecret:
        return types.SigningSecret(signing_secret=await automations.new_secret(caller, workspace, rule))

    @delete("/{rule:uuid}", summary="Delete a rule and its run log (admins)")
    async def delete_automation(self, workspace: FromPath[UUID], rule: FromPath[UUID], caller: CallerDep,
                                automations: AutomationsDep) -> None:
        await automations.delete(caller, workspace, rule)

    @get("/{rule:uuid}/runs", summary="A rule's runs, newest first: trigger, inputs, each action's result (members)")
    async def automation_runs(self, workspace: FromPath[UUID], rule: FromPath[UUID], caller: CallerDep,
                              automations: AutomationsDep) -> list[types.AutomationRun]:
        return [automation_run(run) for run in await automations.runs(caller, workspace, rule)]
