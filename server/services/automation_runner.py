"""Running automation rules: the ``automation.event`` job's handler (issue 16, items 2-4).

A settled event (``server.services.automation_events``) is compared with the card as it is now:
which triggers it makes (deal_created; deal_stage_entered and field_changed of ``stage``; deal_won
or deal_lost and field_changed of ``status``; field_changed of ``value``), then every enabled rule
of the board whose trigger matches runs its actions in order.

Exactly once per (event, rule): the run row is keyed by ``<event id>:<trigger type>`` and the rule
(``AutomationRuns.start`` returns the existing run). Each action's result is stored as it is done;
a rerun (the job retried, or re-queued after its worker died) skips the actions already recorded
and continues from the first unfinished one. An action that was applied but not yet recorded when
the worker died is applied again, so each is idempotent: create_task writes the activity under an
id derived from the run and the action's index (found, not added twice); move_deal, set_field and
add_label set a value. A failing action stores its error on the run (status ``failed``) and raises:
the queue retries it with backoff, and after its attempts the run stays failed, shown in the app.

Changes are applied to the live board document like API edits (``Room.change``, LOCAL: persisted,
broadcast, published to the other nodes) with the rule as their author, and the source
``{"rule", "depth"}``: an event a rule caused does not trigger that rule again, and one at depth
``max_depth`` runs nothing — the run is stored as ``stopped`` with the reason.

``notify`` writes an in-app notification under an id derived from the run and the action's index
(a rerun finds it). ``wait`` stores the run as ``waiting`` (its result says until when) and, in the
same unit of work, queues an ``automation.resume`` job with the wait's delay, which continues the
run at the next action (``resume``); the event's job run again meanwhile finds the run waiting and
does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid5

from pycrdt import Doc

from server.documents import edits
from server.documents.read import board_view
from server.domain.automations import DEAL_OWNER, ActionType, Rule, RunStatus, TriggerType, holds, waited
from server.domain.boards import board_document
from server.domain.crm import ActivityType, BoardState, Deal, DealStatus, now_utc, status_after_move
from server.domain.notifications import NewNotification
from server.services.automation_events import EVENT
from server.services.jobs import JobKinds
from server.services.ports.unit import Begin
from server.services.projection import Projector
from server.sync.registry import Rooms
from server.sync.room import Room

log = logging.getLogger(__name__)
RESUME = "automation.resume"  # a run stopped at a wait action, continued at the next action
_PLACEHOLDER = re.compile(r"\{\{\s*deal\.(\w+)\s*\}\}")


def _quiet(problem: str) -> None:
    """The projection logs what does not fit."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return (None if a is None else str(a)) == (None if b is None else str(b))


def fired(kind: str, before: Any, deal: Deal) -> list[tuple[TriggerType, dict[str, Any]]]:
    """The triggers a settled event of ``kind`` makes, comparing ``before`` with ``deal`` now."""
    if kind == "created":
        return [(TriggerType.DEAL_CREATED, {})]
    now = {"moved": str(deal.stage), "value": deal.value, "status": str(deal.status)}[kind]
    if _same(before, now):
        return []  # the burst ended where it began
    field = {"moved": "stage", "value": "value", "status": "status"}[kind]
    made = [(TriggerType.FIELD_CHANGED, {"field": field, "from": before, "to": now})]
    if kind == "moved":
        made.insert(0, (TriggerType.DEAL_STAGE_ENTERED, {"stage": now}))
    if kind == "status" and deal.status == DealStatus.WON:
        made.insert(0, (TriggerType.DEAL_WON, {}))
    if kind == "status" and deal.status == DealStatus.LOST:
        made.insert(0, (TriggerType.DEAL_LOST, {}))
    return made


def matches(rule: Rule, trigger: TriggerType, facts: dict[str, Any]) -> bool:
    wants = rule.trigger
    if wants["type"] != trigger:
        return False
    if trigger is TriggerType.DEAL_STAGE_ENTERED:
        return wants["stage"] == facts["stage"]
    if trigger is TriggerType.FIELD_CHANGED:
        return (wants["field"] == facts["field"]
                and (wants.get("from") is None or _same(wants["from"], facts["from"]))
                and (wants.get("to") is None or _same(wants["to"], facts["to"])))
    return True


def templated(text: str, deal: Deal) -> str:
    """``{{deal.title}}`` (and any other field of the deal) replaced by its value."""
    def value(match: re.Match[str]) -> str:
        found = getattr(deal, match.group(1), None) if match.group(1) in Deal._fields else None
        return "" if found is None else str(found)

    return _PLACEHOLDER.sub(value, text)


def condition_values(deal: Deal) -> dict[str, Any]:
    """What conditions read: the deal's fields by their API names, custom fields as ``fields.<key>``."""
    values: dict[str, Any] = {"title": deal.title, "value": deal.value, "currency": deal.currency,
                              "owner": str(deal.owner) if deal.owner else None, "stage": str(deal.stage),
                              "status": str(deal.status), "labels": list(deal.labels),
                              "expected_close": deal.expected_close.isoformat() if deal.expected_close else None}
    values.update({f"fields.{key}": value for key, value in deal.fields.items()})
    return values


def deal_inputs(deal: Deal) -> dict[str, Any]:
    return {"card": str(deal.id), "title": deal.title, "stage": str(deal.stage), "value": deal.value,
            "currency": deal.currency, "owner": str(deal.owner) if deal.owner else None, "status": str(deal.status),
            "labels": list(deal.labels)}


class AutomationRunner:
    """Evaluates settled events against the rules; runs on a worker that holds the sync engine."""

    def __init__(self, begin: Begin, rooms: Rooms, projector: Projector, *, settle: float = 3.0,
                 max_depth: int = 5) -> None:
        self._begin, self._rooms, self._projector, self._max_depth = begin, rooms, projector, max_depth
        self._settle = settle

    def register(self, kinds: JobKinds) -> None:
        kinds.handle(EVENT)(self.handle)
        kinds.handle(RESUME)(self.resume)

    async def resume(self, payload: dict[str, Any]) -> None:
        """The continuation of a run that stopped at a wait: ``{"rule", "event" (the event job's
        payload), "trigger", "facts", "card", "resume" (the next action's index)}``. A rule
        disabled meanwhile stops the run (a deleted one took its runs with it); so does a deal
        that is gone."""
        event, card = payload["event"], UUID(payload["card"])
        trigger = TriggerType(payload["trigger"])
        async with self._begin() as tx:
            rule = await tx.automation_rules.get(UUID(payload["rule"]))
        if rule is None:
            return
        room = await self._rooms.open(board_document(UUID(event["board"])))
        deal = _state(room.doc).cards.get(card)
        reason = ("the rule was disabled while the run waited" if not rule.enabled else
                  "the deal was deleted while the run waited" if not isinstance(deal, Deal) else None)
        if reason is not None:
            async with self._begin() as tx:
                run = await tx.automation_runs.start(rule.id, f"{event['event']}:{trigger}", {}, {}, 0)
                if run.status is RunStatus.WAITING and len(run.results) == payload["resume"]:
                    await tx.automation_runs.record(run.id, run.results, RunStatus.STOPPED, f"not resumed: {reason}")
            return
        await self._run(room, rule, {**event, "resume": payload["resume"]}, trigger, payload["facts"], card)

    async def handle(self, payload: dict[str, Any]) -> None:
        board, card = UUID(payload["board"]), UUID(payload["card"])
        async with self._begin() as tx:
            rules = await tx.automation_rules.enabled_on_board(board)
        if not rules:
            return
        room = await self._rooms.open(board_document(board))
        deal = await self._settled(room, card)
        if not isinstance(deal, Deal):
            return  # deleted meanwhile, or not a deal
        failures: list[str] = []
        for trigger, facts in fired(payload["kind"], payload.get("before"), deal):
            for rule in rules:
                if not matches(rule, trigger, facts):
                    continue
                if not all(holds(c, condition_values(deal)) for c in rule.conditions):
                    continue  # its conditions do not hold for this deal: no run
                if payload.get("rule") == str(rule.id):
                    log.info("automation %s: its own change does not trigger it again", rule.id)
                    continue
                try:
                    await self._run(room, rule, payload, trigger, facts, card)
                except Exception as error:  # the others still run; the job is retried for this one
                    log.exception("automation %s failed", rule.id)
                    failures.append(f"{rule.id}: {error}")
        if failures:
            raise RuntimeError(f"{len(failures)} automation run(s) failed: {'; '.join(failures)}")

    async def _settled(self, room: Room, card: UUID) -> Any:
        """The card once it has been left alone for ``settle`` seconds (its last change is that
        old), waiting at most ten settle periods: a burst longer than the job's delay still makes
        one event (further changes find this job's dedupe key taken while it runs)."""
        for _ in range(10):
            deal = _state(room.doc).cards.get(card)
            if not isinstance(deal, Deal):
                return deal
            last = max((t for t in (deal.updated_at, deal.moved_at, deal.created_at) if t is not None), default=None)
            quiet = (now_utc() - last).total_seconds() if last is not None else self._settle
            if quiet >= self._settle:
                return deal
            await asyncio.sleep(self._settle - quiet)
        return _state(room.doc).cards.get(card)

    async def _run(self, room: Room, rule: Rule, payload: dict[str, Any], trigger: TriggerType,
                   facts: dict[str, Any], card: UUID) -> None:
        depth = int(payload.get("depth", 0))
        deal = _state(room.doc).cards[card]
        described = {"type": str(trigger), **facts, "event": payload["event"], "author": payload.get("author"),
                     "caused_by_rule": payload.get("rule")}
        key = f"{payload['event']}:{trigger}"
        if depth >= self._max_depth:
            reason = (f"not run: a chain of {depth} automation changes reached the depth limit "
                      f"({self._max_depth}, TANDEM_AUTOMATION_MAX_DEPTH)")
            log.warning("automation %s: %s", rule.id, reason)
            async with self._begin() as tx:
                await tx.automation_runs.start(rule.id, key, described, deal_inputs(deal), depth, RunStatus.STOPPED,
                                               reason)
            return
        async with self._begin() as tx:
            run = await tx.automation_runs.start(rule.id, key, described, deal_inputs(deal), depth)
        if run.status in (RunStatus.SUCCEEDED, RunStatus.STOPPED):
            return
        if run.status is RunStatus.WAITING and payload.get("resume") != len(run.results):
            return  # it waits (this is the event's job again, or a stale continuation): its continuation resumes it
        results = list(run.results)
        for index, action in enumerate(rule.actions):
            if index < len(results) and results[index].get("ok"):
                continue
            del results[index:]
            if action["type"] == ActionType.WAIT:
                delay = waited(action)
                until = now_utc() + delay
                results.append({"type": action["type"], "ok": True, "result": {"until": until.isoformat()}})
                continuation = {"rule": str(rule.id), "event": {k: v for k, v in payload.items() if k != "resume"},
                                "trigger": str(trigger), "facts": facts, "card": str(card), "resume": index + 1}
                async with self._begin() as tx:  # the run waits and its continuation is queued, or neither
                    await tx.automation_runs.record(run.id, results, RunStatus.WAITING)
                    await tx.jobs.enqueue(RESUME, continuation, after=delay, dedupe_key=f"{RESUME}:{run.id}:{index}")
                return
            try:
                if action["type"] == ActionType.NOTIFY:
                    result = await self._notify(rule, run.id, index, action, UUID(payload["board"]),
                                                _state(room.doc).cards.get(card))
                else:
                    result = self._apply(room, rule, run.id, index, action, card, depth)
            except Exception as error:
                results.append({"type": action["type"], "ok": False, "error": str(error)})
                async with self._begin() as tx:
                    await tx.automation_runs.record(run.id, results, RunStatus.FAILED, f"{action['type']}: {error}")
                raise
            results.append({"type": action["type"], "ok": True, "result": result})
            async with self._begin() as tx:
                await tx.automation_runs.record(run.id, results, RunStatus.RUNNING)
        async with self._begin() as tx:
            await tx.automation_runs.record(run.id, results, RunStatus.SUCCEEDED)

    async def _notify(self, rule: Rule, run: UUID, index: int, action: dict[str, Any], board: UUID,
                      deal: Any) -> dict[str, Any]:
        """Tell the deal's owner or a member, under an id derived from the run and the action's
        index: a rerun finds it and adds none. A user who is not (or no longer) a member of the
        rule's workspace is not told; the result says so."""
        if not isinstance(deal, Deal):
            raise LookupError("the deal is gone")
        user = deal.owner if action["user"] == DEAL_OWNER else UUID(action["user"])
        message = templated(action["message"], deal)[:500] or deal.title
        notification = uuid5(run, str(index))
        result: dict[str, Any] = {"notification": str(notification), "user": str(user) if user else None,
                                  "message": message}
        if user is None:
            return {**result, "skipped": "the deal has no owner"}
        async with self._begin() as tx:
            if await tx.members.role(rule.workspace_id, user) is None:
                return {**result, "skipped": "not a member of the workspace"}
            added = await tx.notifications.add(NewNotification(notification, user, rule.workspace_id, message,
                                                               board, deal.id))
        return result if added else {**result, "already": True}

    def _apply(self, room: Room, rule: Rule, run: UUID, index: int, action: dict[str, Any], card: UUID,
               depth: int) -> dict[str, Any]:
        """Apply one action to the live document (no await: read and change in one step)."""
        state = _state(room.doc)
        deal = state.cards.get(card)
        if not isinstance(deal, Deal):
            raise LookupError("the deal is gone")
        kind = ActionType(action["type"])
        at = now_utc()
        result: dict[str, Any]
        edit: Any = None
        if kind is ActionType.CREATE_TASK:
            activity = uuid5(run, str(index))  # the same on a rerun: found, not added twice
            assignee = deal.owner if action.get("assignee") == DEAL_OWNER else (
                UUID(action["assignee"]) if action.get("assignee") else None)
            due = date.today() + timedelta(days=action["due_in_days"]) if action.get("due_in_days") is not None else None
            title = templated(action["title"], deal)[:500] or "Task"
            result = {"activity": str(activity), "title": title, "assignee": str(assignee) if assignee else None,
                      "due": due.isoformat() if due else None}
            if activity in state.activities:
                return {**result, "already": True}
            values = {"type": ActivityType.TODO, "title": title, "assignee": assignee, "due": due, "card": card}
            edit = lambda doc: edits.add_activity(doc, activity, values, at=at, by=rule.id)  # noqa: E731
        elif kind is ActionType.MOVE_DEAL:
            target = UUID(action["stage"])
            if target not in state.stages:
                raise LookupError(f"the stage {target} is no longer on the board")
            result = {"from": str(deal.stage), "to": str(target)}
            if deal.stage == target:
                return {**result, "already": True}

            def edit(doc: Doc) -> None:
                edits.move_card(doc, "pipeline", card, target, None, at)
                status = status_after_move(deal.status, state.stages[deal.stage].kind if deal.stage in state.stages
                                           else None, state.stages[target].kind)
                if status is not deal.status:
                    edits.update_card(doc, "pipeline", card, {"status": str(status), "lostReason": None}, at)
        elif kind is ActionType.SET_FIELD:
            field, value = action["field"], action["value"]
            stored = {"expected_close": "expectedClose"}.get(field, field)
            if field == "expected_close":
                value = date.fromisoformat(value)
            result = {"field": field, "from": _plain(getattr(deal, field)), "to": action["value"]}
            edit = lambda doc: edits.update_card(doc, "pipeline", card, {stored: value}, at)  # noqa: E731
        elif kind is ActionType.ADD_LABEL:
            label = action["label"]
            result = {"label": label}
            if label in deal.labels:
                return {**result, "already": True}
            edit = lambda doc: edits.update_card(doc, "pipeline", card,  # noqa: E731
                                                 {"labels": [*deal.labels, label]}, at)
        else:
            raise ValueError(f"{kind} is not applied to the document")
        with self._projector.authored(room, rule.id, source={"rule": str(rule.id), "depth": depth + 1}):
            room.change(edit)
        return result


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)


def _state(doc: Doc) -> BoardState:
    """The board as a view (``board_view``): the card, stages and activity looked up are read
    alone, not the whole board — a full read of a busy board per event was most of the runner's
    time (docs/performance.md). Use it without an await in between, as ``_apply`` does."""
    return board_view(doc, "pipeline", _quiet)
