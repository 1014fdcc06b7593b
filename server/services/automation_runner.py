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

Events not made by a card edit (docs/automations.md): ``automation.record`` (a contact or
organisation was made: contact_created / organisation_created, the record as its subject);
``automation.sweep`` (cron) finds deal_idle, activity_due / activity_overdue and schedule events in
the projected tables and queues one ``automation.fire`` per (rule, event) with no run yet, each
keyed by what it is (``idle:<deal>:<last change>``, ``due:<activity>:<due>``, ``schedule:<tick>``).
A run's ``Subject`` says what it is about (a deal, an activity and its deal, a record, nothing);
the deal actions need a deal. ``create_task`` with ``{"round_robin": [...]}`` or
``{"round_robin_team": <team>}`` (its members as they are now) draws the run's turn once
(``AutomationRuns.turn``); with ``{"by_expertise": [tags]}`` it takes the best match now
(``server.services.expertise``; ties by the turn), else the deal owner with a note in the run; a schedule ticks on its cron read in its time zone
(``server.domain.schedules``); ``call_webhook`` POSTs the run's event signed with the rule's
secret (``post_signed``: the webhooks' SSRF guard and headers) and fails on a non-2xx answer, so
the queue retries it with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid5

import msgspec
from pycrdt import Doc

from server.documents import edits
from server.documents.read import board_view
from server.domain.automations import BY_EXPERTISE
from server.domain.automations import (ACTIVITY_ASSIGNEE, CUSTOM_PREFIX, DEAL_OWNER, ROUND_ROBIN, ROUND_ROBIN_TEAM,
                                       SWEPT_TRIGGERS, ActionType, Refused, Rule, RunStatus, TriggerType, holds,
                                       waited)
from server.domain.boards import board_document
from server.domain.schedules import UTC_NAME, last_tick
from server.domain.crm import Activity, ActivityType, BoardState, Deal, DealStatus, now_utc, status_after_move
from server.domain.fields import Entity
from server.domain.notifications import NewNotification
from server.services.automation_events import EVENT, FIRE, RECORD, SWEEP
from server.services.email_automations import TemplateSender
from server.services.expertise import match as expertise_match
from server.services.email_events import EMAIL, wanted
from server.services.jobs import JobKinds
from server.services.ports.automations import DueActivity
from server.services.ports.unit import Begin
from server.services.ports.webhooks import Receivers, Sealer
from server.services.webhooks import Policy, contact_data, post_signed
from server.services.projection import Projector
from server.sync.registry import Rooms
from server.sync.room import Room

log = logging.getLogger(__name__)
RESUME = "automation.resume"  # a run stopped at a wait action, continued at the next action
LOOKBACK = timedelta(days=7)  # how far back the sweep looks for activities that fell due
_PLACEHOLDER = re.compile(r"\{\{\s*(deal|activity|contact|organisation)\.(\w+)\s*\}\}")


def _quiet(problem: str) -> None:
    """The projection logs what does not fit."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):  # multi-select custom fields
        return [str(x) for x in (a or [])] == [str(x) for x in (b or [])]
    return (None if a is None else str(a)) == (None if b is None else str(b))


def fired(kind: str, before: Any, deal: Deal, custom: tuple[str, str] | None = None,
          ) -> list[tuple[TriggerType, dict[str, Any]]]:
    """The triggers a settled event of ``kind`` makes, comparing ``before`` with ``deal`` now;
    ``custom``: (key, id) of the custom field a ``field`` event is about (None: not a deal field)."""
    if kind == "created":
        return [(TriggerType.DEAL_CREATED, {})]
    if kind == "field":
        if custom is None:
            return []
        raw = deal.fields.get(custom[0])
        now = [_plain(item) for item in raw] if isinstance(raw, (list, tuple)) else _plain(raw)
        field = f"{CUSTOM_PREFIX}{custom[1]}"
        return [] if _same(before, now) else [(TriggerType.FIELD_CHANGED, {"field": field, "from": before, "to": now})]
    now = {"moved": str(deal.stage), "value": deal.value, "status": str(deal.status), "title": deal.title}[kind]
    if _same(before, now):
        return []  # the burst ended where it began
    field = {"moved": "stage", "value": "value", "status": "status", "title": "title"}[kind]
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


def templated(text: str, deal: Deal | None, others: dict[str, dict[str, Any]] | None = None) -> str:
    """``{{deal.title}}`` (any field of the deal), ``{{activity.title}}``, ``{{contact.first_name}}``
    or ``{{organisation.name}}`` replaced by its value (empty where the run has none)."""
    def value(match: re.Match[str]) -> str:
        space, name = match.groups()
        if space == "deal":
            found = getattr(deal, name, None) if deal is not None and name in Deal._fields else None
        else:
            found = (others or {}).get(space, {}).get(name)
        if isinstance(found, (list, tuple)):
            return ", ".join(str(item) for item in found)
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


def record_values(data: dict[str, Any]) -> dict[str, Any]:
    """What conditions read on a contact or organisation (its webhook data): its values, ``owner``,
    ``organisation`` and custom fields as ``fields.<key>``."""
    values = {k: v for k, v in data.items() if k not in ("fields", "owner_id", "organisation_id")}
    values.update({"owner": data.get("owner_id"), "organisation": data.get("organisation_id")})
    values.update({f"fields.{key}": value for key, value in (data.get("fields") or {}).items()})
    return values


def activity_inputs(activity: DueActivity | Activity) -> dict[str, Any]:
    due = activity.due
    return {"id": str(activity.id), "type": str(activity.type), "title": activity.title,
            "assignee": str(activity.assignee) if activity.assignee else None,
            "due": due.isoformat() if due is not None else None, "card": str(activity.card) if activity.card else None}


class Subject(NamedTuple):
    """What a run is about: a deal on a board (``card``), an activity (and its deal, if it has one), a
    contact or organisation (``record``: its data as created), or nothing (a schedule's tick)."""

    board: UUID | None = None
    card: UUID | None = None
    activity: dict[str, Any] | None = None  # activity_inputs
    record: dict[str, Any] | None = None  # {"kind": "contact" | "organisation", "data": {...}}

    def plain(self) -> dict[str, Any]:
        return {"board": str(self.board) if self.board else None, "card": str(self.card) if self.card else None,
                "activity": self.activity, "record": self.record}

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Subject:
        return cls(UUID(raw["board"]) if raw.get("board") else None, UUID(raw["card"]) if raw.get("card") else None,
                   raw.get("activity"), raw.get("record"))


class Webhooks(NamedTuple):
    """What call_webhook needs: the signing secrets' sealer, the network and the webhook policy."""

    sealer: Sealer
    receivers: Receivers
    policy: Policy


class AutomationRunner:
    """Evaluates settled events against the rules; runs on a worker that holds the sync engine."""

    def __init__(self, begin: Begin, rooms: Rooms, projector: Projector, *, settle: float = 3.0,
                 max_depth: int = 5, webhooks: Webhooks | None = None, sweep_cron: str = "* * * * *",
                 sweep_limit: int = 500, mail: TemplateSender | None = None,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self._begin, self._rooms, self._projector, self._max_depth = begin, rooms, projector, max_depth
        self._clock = clock  # what the sweep takes as now (tests move it)
        self._mail = mail  # send_template (issue 17 item 5)
        self._settle, self._webhooks, self._sweep_cron, self._sweep_limit = settle, webhooks, sweep_cron, sweep_limit

    def register(self, kinds: JobKinds) -> None:
        kinds.handle(EVENT)(self.handle)
        kinds.handle(RESUME)(self.resume)
        kinds.handle(RECORD)(self.record)
        kinds.handle(FIRE)(self.fire)
        kinds.handle(SWEEP)(self.sweep)
        kinds.handle(EMAIL)(self.email)
        if self._sweep_cron:
            kinds.every(SWEEP, self._sweep_cron)

    async def _room(self, board: UUID | None) -> Room | None:
        return await self._rooms.open(board_document(board)) if board is not None else None

    async def resume(self, payload: dict[str, Any]) -> None:
        """The continuation of a run that stopped at a wait: ``{"rule", "event" (the event job's
        payload), "trigger", "facts", "subject" (or, from before subjects, "card"), "resume" (the
        next action's index)}``. A rule disabled meanwhile stops the run (a deleted one took its
        runs with it); so does a deal that is gone."""
        event = payload["event"]
        subject = (Subject.of(payload["subject"]) if "subject" in payload
                   else Subject(UUID(event["board"]), UUID(payload["card"])))
        trigger = TriggerType(payload["trigger"])
        async with self._begin() as tx:
            rule = await tx.automation_rules.get(UUID(payload["rule"]))
        if rule is None:
            return
        room = await self._room(subject.board)
        gone = subject.card is not None and room is not None and not isinstance(
            _state(room.doc).cards.get(subject.card), Deal)
        reason = ("the rule was disabled while the run waited" if not rule.enabled else
                  "the deal was deleted while the run waited" if gone else None)
        if reason is not None:
            async with self._begin() as tx:
                run = await tx.automation_runs.start(rule.id, f"{event['event']}:{trigger}", {}, {}, 0)
                if run.status is RunStatus.WAITING and len(run.results) == payload["resume"]:
                    await tx.automation_runs.record(run.id, run.results, RunStatus.STOPPED, f"not resumed: {reason}")
            return
        await self._run(room, rule, {**event, "resume": payload["resume"]}, trigger, payload["facts"], subject)

    async def handle(self, payload: dict[str, Any]) -> None:
        board, card = UUID(payload["board"]), UUID(payload["card"])
        async with self._begin(autocommit=True) as tx:  # reads only: no BEGIN/COMMIT round trips
            rules = [r for r in await tx.automation_rules.enabled_on_board(board)
                     if r.trigger["type"] not in SWEPT_TRIGGERS]
            custom = None
            if payload["kind"] == "field" and rules:
                custom = next(((payload["field"], str(f.id)) for f in await tx.field_definitions.of_workspace(
                    UUID(payload["workspace"]), Entity.DEAL) if f.key == payload.get("field")), None)
        if not rules:
            return
        room = await self._rooms.open(board_document(board))
        deal = await self._settled(room, card)
        if not isinstance(deal, Deal):
            return  # deleted meanwhile, or not a deal
        failures: list[str] = []
        for trigger, facts in fired(payload["kind"], payload.get("before"), deal, custom):
            for rule in rules:
                if not matches(rule, trigger, facts):
                    continue
                if not all(holds(c, condition_values(deal)) for c in rule.conditions):
                    continue  # its conditions do not hold for this deal: no run
                if payload.get("rule") == str(rule.id):
                    log.info("automation %s: its own change does not trigger it again", rule.id)
                    continue
                try:
                    await self._run(room, rule, payload, trigger, facts, Subject(board, card))
                except Exception as error:  # the others still run; the job is retried for this one
                    log.exception("automation %s failed", rule.id)
                    failures.append(f"{rule.id}: {error}")
        if failures:
            raise RuntimeError(f"{len(failures)} automation run(s) failed: {'; '.join(failures)}")

    async def record(self, payload: dict[str, Any]) -> None:
        """``automation.record``: a contact or organisation was made (``{"event", "workspace",
        "kind", "data"}``, enqueued with it): every enabled rule of its workspace for that trigger
        whose conditions hold runs."""
        trigger = TriggerType(f"{payload['kind']}_created")
        workspace = UUID(payload["workspace"])
        async with self._begin() as tx:
            rules = [r for r in await tx.automation_rules.of_workspace(workspace)
                     if r.enabled and r.trigger["type"] == trigger]
        subject = Subject(record={"kind": payload["kind"], "data": payload["data"]})
        failures: list[str] = []
        for rule in rules:
            if not all(holds(c, record_values(payload["data"])) for c in rule.conditions):
                continue
            try:
                await self._run(None, rule, payload, trigger, {"id": payload["data"].get("id")}, subject)
            except Exception as error:
                log.exception("automation %s failed", rule.id)
                failures.append(f"{rule.id}: {error}")
        if failures:
            raise RuntimeError(f"{len(failures)} automation run(s) failed: {'; '.join(failures)}")

    async def email(self, payload: dict[str, Any]) -> None:
        """``automation.email`` (``server.services.email_events``): a tracked mail opened or clicked,
        or a reply filed. Each enabled rule of the trigger runs about the mail's contact and, when it
        names a board, the mail's deal on it (none there: no run). A rule does not run for events on
        mail it sent itself; such events carry the sending run's depth on."""
        trigger, facts = TriggerType(payload["trigger"]), payload["facts"]
        async with self._begin() as tx:
            rules = [r for r in await tx.automation_rules.of_workspace(UUID(payload["workspace"]))
                     if r.enabled and r.trigger["type"] == trigger and wanted(r, facts)]
            mail = await tx.email_triggers.facts(UUID(facts["email"]))
            origin = await tx.email_triggers.facts(UUID(facts["replied_to"])) if "replied_to" in facts else mail
            contacts = await tx.contacts.by_ids(mail.contacts[:1]) if mail is not None else []
        if not rules or mail is None:
            return
        record = {"kind": "contact", "data": msgspec.to_builtins(contact_data(contacts[0]))} if contacts else None
        sent = origin.sent_by if origin is not None else None
        event = {"event": payload["event"], "depth": sent.depth if sent else 0, "author": None,
                 "rule": str(sent.rule) if sent else None}
        described = {**facts, "subject": mail.subject}
        failures: list[str] = []
        for rule in rules:
            if sent is not None and sent.rule == rule.id:
                log.info("automation %s: an event on its own mail does not trigger it again", rule.id)
                continue
            board = UUID(rule.trigger["board"]) if rule.trigger.get("board") else None
            card = next((c for b, c in mail.deals if b == board), None) if board else None
            if board is not None and card is None:
                continue  # the mail is on no deal of the rule's board
            room = await self._room(board)
            deal = _state(room.doc).cards.get(card) if room is not None and card is not None else None
            if board is not None and not isinstance(deal, Deal):
                continue
            values = condition_values(deal) if isinstance(deal, Deal) else record_values((record or {}).get("data") or {})
            if not all(holds(c, values) for c in rule.conditions):
                continue
            try:
                await self._run(room, rule, event, trigger, described, Subject(board, card, record=record))
            except Exception as error:
                log.exception("automation %s failed", rule.id)
                failures.append(f"{rule.id}: {error}")
        if failures:
            raise RuntimeError(f"{len(failures)} automation run(s) failed: {'; '.join(failures)}")

    # --- the sweep: deal_idle, activity_due / activity_overdue and schedule -----------------------

    async def sweep(self, payload: dict[str, Any]) -> None:
        """``automation.sweep`` (on ``TANDEM_AUTOMATION_SWEEP_CRON``): find what the swept triggers
        fire now and queue one ``automation.fire`` job per (rule, event) not run yet. Each event has
        a key derived from what it is (``idle:<deal>:<last change>``, ``due:<activity>:<due>``,
        ``schedule:<tick>``), so a sweep run twice, or by two workers, queues and runs it once."""
        now = self._clock()
        async with self._begin() as tx:
            rules = await tx.automation_rules.enabled_of_types([str(t) for t in SWEPT_TRIGGERS])
        for rule in rules:
            try:
                events = await self._swept(rule, now)
                async with self._begin() as tx:
                    # a run's key is "<event>:<trigger>" (``_run``)
                    known = await tx.automation_runs.known(rule.id, [f"{key}:{rule.trigger['type']}"
                                                                     for key, _ in events])
                    fresh = [(key, fire) for key, fire in events
                             if f"{key}:{rule.trigger['type']}" not in known][:self._sweep_limit]
                    for key, fire in fresh:  # the oldest first; the rest on the next tick
                        await tx.jobs.enqueue(FIRE, {"rule": str(rule.id), "event": key, "depth": 0, **fire},
                                              dedupe_key=f"{FIRE}:{rule.id}:{key}")
            except Exception:  # one rule's board gone or its cron odd must not stop the others
                log.exception("automation sweep: rule %s", rule.id)

    async def _swept(self, rule: Rule, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        """(event key, the fire job's payload) of what ``rule``'s trigger makes at ``now``."""
        trigger = TriggerType(rule.trigger["type"])
        board = rule.trigger.get("board")
        common = {"workspace": str(rule.workspace_id), "board": board, "trigger": str(trigger)}
        if trigger is TriggerType.SCHEDULE:  # the cron read in the rule's zone (rules from before: UTC)
            tick = last_tick(rule.trigger["cron"], rule.trigger.get("time_zone") or UTC_NAME, now)
            if tick < rule.created_at:
                return []  # the rule's first tick is still to come
            return [(f"schedule:{tick.isoformat()}", {**common, "facts": {"tick": tick.isoformat()}})]
        async with self._begin() as tx:
            if trigger is TriggerType.DEAL_IDLE:
                idle = await tx.automation_runs.idle_deals(UUID(board), now - timedelta(days=rule.trigger["days"]))
                return [(f"idle:{deal.card}:{deal.since.isoformat()}",
                         {**common, "card": str(deal.card),
                          "facts": {"days": rule.trigger["days"], "since": deal.since.isoformat()}})
                        for deal in idle]
            overdue = trigger is TriggerType.ACTIVITY_OVERDUE
            ahead = timedelta(minutes=rule.trigger.get("before_minutes") or 0)
            # What fell due since the rule was made, and in the last LOOKBACK only: a sweep after an outage
            # catches up a week, and the undone activities of years past are not read every minute.
            since = max(rule.created_at, now - LOOKBACK)
            due = await tx.automation_runs.due_activities(UUID(board), since, now + ahead, overdue=overdue)
        wanted = rule.trigger.get("activity_type")
        return [(f"{'overdue' if overdue else 'due'}:{a.id}:{a.due.isoformat()}",
                 {**common, "card": str(a.card) if a.card else None, "activity": activity_inputs(a),
                  "facts": {"activity": str(a.id), "due": a.due.isoformat()}})
                for a in due if wanted is None or a.type == wanted]

    async def fire(self, payload: dict[str, Any]) -> None:
        """``automation.fire``: one swept event for one rule (``{"rule", "event", "trigger", "facts",
        "workspace", "board", "card"?, "activity"?}``). A rule disabled or changed to another trigger or
        board since, a deal that is gone or no longer open (idle), an activity done meanwhile: no run."""
        async with self._begin() as tx:
            rule = await tx.automation_rules.get(UUID(payload["rule"]))
        trigger = TriggerType(payload["trigger"])
        if rule is None or not rule.enabled or rule.trigger["type"] != trigger \
                or rule.trigger.get("board") != payload.get("board"):
            return  # gone, disabled, or changed to another trigger or board since the sweep
        subject = Subject(UUID(payload["board"]) if payload.get("board") else None,
                          UUID(payload["card"]) if payload.get("card") else None, payload.get("activity"))
        room = await self._room(subject.board)
        state = _state(room.doc) if room is not None else None
        deal = state.cards.get(subject.card) if state is not None and subject.card is not None else None
        if subject.card is not None and not isinstance(deal, Deal):
            if trigger is TriggerType.DEAL_IDLE:
                return  # deleted meanwhile
            subject, deal = subject._replace(card=None), None  # the activity's deal went: act without it
        if trigger is TriggerType.DEAL_IDLE and deal is not None and deal.status is not DealStatus.OPEN:
            return
        if subject.activity is not None and state is not None:
            current = state.activities.get(UUID(subject.activity["id"]))
            if current is None or current.done:
                return  # done (or deleted) since the sweep saw it
        if rule.conditions and (deal is None or not all(holds(c, condition_values(deal)) for c in rule.conditions)):
            return  # conditions read the deal: none, or they do not hold
        await self._run(room, rule, payload, trigger, payload.get("facts") or {}, subject)

    # --- one run -----------------------------------------------------------------------------------

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

    def _inputs(self, room: Room | None, subject: Subject) -> dict[str, Any]:
        deal = _state(room.doc).cards.get(subject.card) if room is not None and subject.card is not None else None
        inputs = deal_inputs(deal) if isinstance(deal, Deal) else {}
        if subject.activity is not None:
            inputs["activity"] = subject.activity
        if subject.record is not None:
            inputs[subject.record["kind"]] = subject.record["data"]
        if subject.board is not None:
            inputs.setdefault("board", str(subject.board))
        return inputs

    async def _run(self, room: Room | None, rule: Rule, payload: dict[str, Any], trigger: TriggerType,
                   facts: dict[str, Any], subject: Subject) -> None:
        depth = int(payload.get("depth", 0))
        inputs = self._inputs(room, subject)
        described = {"type": str(trigger), **facts, "event": payload["event"], "author": payload.get("author"),
                     "caused_by_rule": payload.get("rule")}
        key = f"{payload['event']}:{trigger}"
        if depth >= self._max_depth:
            reason = (f"not run: a chain of {depth} automation changes reached the depth limit "
                      f"({self._max_depth}, TANDEM_AUTOMATION_MAX_DEPTH)")
            log.warning("automation %s: %s", rule.id, reason)
            async with self._begin() as tx:
                await tx.automation_runs.start(rule.id, key, described, inputs, depth, RunStatus.STOPPED, reason)
            return
        # Each write of the run is one statement (start re-reads a run a concurrent start committed):
        # no BEGIN/COMMIT round trips around them (two more per write, several writes per event).
        async with self._begin(autocommit=True) as tx:
            run = await tx.automation_runs.start(rule.id, key, described, inputs, depth)
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
                                "trigger": str(trigger), "facts": facts, "subject": subject.plain(),
                                "card": str(subject.card) if subject.card else None, "resume": index + 1}
                async with self._begin() as tx:  # the run waits and its continuation is queued, or neither
                    await tx.automation_runs.record(run.id, results, RunStatus.WAITING)
                    await tx.jobs.enqueue(RESUME, continuation, after=delay, dedupe_key=f"{RESUME}:{run.id}:{index}")
                return
            try:
                result = await self._act(room, rule, run.id, index, action, subject, depth, described, inputs)
            except Exception as error:
                results.append({"type": action["type"], "ok": False, "error": str(error)})
                async with self._begin() as tx:
                    await tx.automation_runs.record(run.id, results, RunStatus.FAILED, f"{action['type']}: {error}")
                if isinstance(error, Refused):  # it would fail the same way again: failed, not retried
                    log.warning("automation %s: %s refused: %s", rule.id, action["type"], error)
                    return
                raise
            results.append({"type": action["type"], "ok": True, "result": result})
            finished = index == len(rule.actions) - 1  # the last action's result finishes the run
            async with self._begin(autocommit=True) as tx:
                await tx.automation_runs.record(run.id, results, RunStatus.SUCCEEDED if finished else RunStatus.RUNNING)
            if finished:
                return
        async with self._begin(autocommit=True) as tx:  # every action was done before (a rerun)
            await tx.automation_runs.record(run.id, results, RunStatus.SUCCEEDED)

    async def _act(self, room: Room | None, rule: Rule, run: UUID, index: int, action: dict[str, Any],
                   subject: Subject, depth: int, described: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """Do one action (not wait) and say what it did."""
        deal = _state(room.doc).cards.get(subject.card) if room is not None and subject.card is not None else None
        others = {k: v for k, v in (("activity", subject.activity),
                                    (subject.record["kind"] if subject.record else "", (subject.record or {})
                                     .get("data"))) if k and v}
        if action["type"] == ActionType.NOTIFY:
            return await self._notify(rule, run, index, action, subject, deal, others)
        if action["type"] == ActionType.CALL_WEBHOOK:
            return await self._call_webhook(rule, run, index, action, described, inputs)
        if action["type"] == ActionType.SEND_TEMPLATE:
            if self._mail is None:
                raise RuntimeError("this worker was started without mail sending")
            activity = UUID(subject.activity["id"]) if subject.activity and subject.activity.get("id") else None
            return await self._mail.send(rule, run, index, action, _contact_of(subject),
                                         (subject.board, subject.card) if isinstance(deal, Deal) else None, depth,
                                         (subject.board, activity) if subject.board and activity else None)
        if room is None or subject.card is None:
            return {"skipped": "the activity has no deal" if subject.activity is not None else "no deal to act on"}
        assignee = action.get("assignee")
        if action["type"] == ActionType.CREATE_TASK and isinstance(assignee, dict) and BY_EXPERTISE in assignee:
            picked, note = await self._by_expertise(rule, run, index, assignee[BY_EXPERTISE])
            done = self._apply(room, rule, run, index, {**action, "assignee": picked}, subject.card, depth, others)
            return {**done, "note": note}
        if action["type"] == ActionType.CREATE_TASK and isinstance(assignee, dict):
            action = {**action, "assignee": await self._rotated(rule, run, index, assignee)}
        return self._apply(room, rule, run, index, action, subject.card, depth, others)

    async def _rotated(self, rule: Rule, run: UUID, index: int, assignee: dict[str, Any]) -> str:
        """The run's turn of a round robin: over the listed users, or over the team's members as it is
        now (those who left the workspace skipped). A team with nobody left refuses the action."""
        async with self._begin() as tx:
            if ROUND_ROBIN_TEAM in assignee:
                members = await tx.automation_rules.team_members(rule.workspace_id, UUID(assignee[ROUND_ROBIN_TEAM]))
                if not members:
                    raise Refused("the round robin's team is gone" if members is None
                                  else "the round robin's team has no members in the workspace")
                users = [str(member) for member in members]
            else:
                users = assignee[ROUND_ROBIN]
            turn = await tx.automation_runs.turn(rule.id, index, run)
        return users[turn % len(users)]

    async def _by_expertise(self, rule: Rule, run: UUID, index: int, tags: list[str]) -> tuple[str, str]:
        """The best match for the tags now (docs/expertise.md; ties: the run's round-robin turn), and a
        note for the run's log; nobody with any of them: the rule's fallback, the deal's owner."""
        async with self._begin() as tx:
            found = await expertise_match(tx, rule.workspace_id, [UUID(t) for t in tags], date.today(), now_utc(),
                                          None)
            best = found.best()
            if not best:
                wanted = ", ".join(t.name for t in found.wanted)
                return DEAL_OWNER, (f"no member has {wanted}" if wanted else "its expertise tags are gone") + \
                    "; assigned to the deal owner"
            turn = await tx.automation_runs.turn(rule.id, index, run) if len(best) > 1 else 0
        chosen = next(s for s in found.suggestions if s.person == best[turn % len(best)])
        return str(chosen.person), f"by expertise: {chosen.name}, {chosen.reason}" + (
            "" if found.complete else "; nobody has all of them")

    async def _notify(self, rule: Rule, run: UUID, index: int, action: dict[str, Any], subject: Subject,
                      deal: Any, others: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Tell the deal's owner, the activity's assignee or a member, under an id derived from the
        run and the action's index: a rerun finds it and adds none. A user who is not (or no longer)
        a member of the rule's workspace is not told; the result says so."""
        if action["user"] == DEAL_OWNER and not isinstance(deal, Deal):
            raise LookupError("the deal is gone")
        deal = deal if isinstance(deal, Deal) else None
        if action["user"] == DEAL_OWNER:
            user = deal.owner if deal is not None else None
        elif action["user"] == ACTIVITY_ASSIGNEE:
            assignee = (subject.activity or {}).get("assignee")
            user = UUID(assignee) if assignee else None
        else:
            user = UUID(action["user"])
        fallback = deal.title if deal is not None else rule.name
        message = templated(action["message"], deal, others)[:500] or fallback
        notification = uuid5(run, str(index))
        result: dict[str, Any] = {"notification": str(notification), "user": str(user) if user else None,
                                  "message": message}
        if user is None:
            return {**result, "skipped": "the deal has no owner" if action["user"] == DEAL_OWNER
                    else "the activity has no assignee"}
        async with self._begin() as tx:
            if await tx.members.role(rule.workspace_id, user) is None:
                return {**result, "skipped": "not a member of the workspace"}
            added = await tx.notifications.add(NewNotification(notification, user, rule.workspace_id, message,
                                                               subject.board, deal.id if deal else None))
        return result if added else {**result, "already": True}

    async def _call_webhook(self, rule: Rule, run: UUID, index: int, action: dict[str, Any],
                            described: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """POST the run's event JSON to the action's URL, signed with the rule's secret like a webhook
        delivery (``X-Tandem-Signature``), to an address the SSRF guard checked just before. A non-2xx
        answer (or none) raises: the run is failed with the status and the queue retries the job with
        backoff; a retry continues at this action. Delivery is at least once: receivers dedupe on
        ``X-Tandem-Delivery`` (the same for every attempt of this run's action)."""
        if self._webhooks is None:
            raise RuntimeError("this worker was started without webhook delivery")
        sealer, receivers, policy = self._webhooks
        async with self._begin() as tx:
            sealed = await tx.automation_rules.secret(rule.id)
        if sealed is None:
            raise LookupError("the rule has no signing secret: save it again (or make a new secret) to get one")
        key = sealer.unseal(sealed)
        delivery = str(uuid5(run, f"webhook:{index}"))
        body = msgspec.json.encode({
            "id": delivery, "event": f"automation.{described['type']}", "occurred_at": now_utc().isoformat(),
            "workspace_id": str(rule.workspace_id),
            "data": {"rule": {"id": str(rule.id), "name": rule.name}, "run_id": str(run), "trigger": described,
                     "inputs": inputs, "payload": action.get("payload")}})
        answer = await post_signed(receivers, policy, action["url"], key, f"automation.{described['type']}",
                                   delivery, body, "Tandem-Automations/1")
        if not 200 <= answer.status < 300:
            raise RuntimeError(f"the receiver answered {answer.status}: {answer.snippet[:200]}")
        return {"url": action["url"], "status": answer.status, "delivery": delivery}

    def _apply(self, room: Room, rule: Rule, run: UUID, index: int, action: dict[str, Any], card: UUID,
               depth: int, others: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
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
            title = templated(action["title"], deal, others)[:500] or "Task"
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


def _contact_of(subject: Subject) -> UUID | None:
    """The trigger's contact (a contact created, a mail's), if it has one; else send_template takes the
    deal's or the activity's (their links, read by ``TemplateSender``)."""
    if subject.record is not None and subject.record["kind"] == "contact" and subject.record["data"].get("id"):
        return UUID(str(subject.record["data"]["id"]))
    return None


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)


def _state(doc: Doc) -> BoardState:
    """The board as a view (``board_view``): the card, stages and activity looked up are read
    alone, not the whole board — a full read of a busy board per event was most of the runner's
    time (docs/performance.md). Use it without an await in between, as ``_apply`` does."""
    return board_view(doc, "pipeline", _quiet)
