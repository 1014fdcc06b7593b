"""Automation trigger events: enqueued by the projection in the transaction that writes the card
history (the transactional outbox), run by ``server.services.automation_runner``.

Settling (issue 16, item 3): a card typed into live changes many times a second, and a new card
gets its fields a moment after it appears. So each recorded change is not a trigger by itself: it
enqueues one ``automation.event`` job to run ``settle`` seconds later, with the dedupe key
``automation:<card>:<kind>`` (kinds: created, moved, value, status, title, and ``field:<key>`` per
custom field — the last two not history but ``FieldEvent``s; a rule's change adds
``:<rule>:<depth>``, so the job that made it cannot swallow it). While that job waits, every
further change of the same kind on the card finds the key taken and enqueues nothing — a burst of
edits yields one job. The job carries the state *before* the burst (the first change's old value);
when it runs it reads the card as it is *then* and compares: one merged before/after for the whole
burst, and nothing fires if the burst ended where it began. "Deal created" is the same: it runs once
the card has settled, with its fields as they are by then.

Changes an import made (``Sourced`` with ``{"import": true}``) enqueue nothing. Changes a rule made
carry ``{"rule", "depth"}``: the runner does not let them trigger that same rule, and stops a chain
of rules at the depth limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from server.domain.crm import CardEvent
from server.domain.history import FieldEvent
from server.services.ports.unit import Unit

EVENT = "automation.event"
RECORD = "automation.record"  # a contact or organisation was made (contact_created / organisation_created)
SWEEP = "automation.sweep"  # the cron job that finds deal_idle, activity_due/overdue and schedule events
FIRE = "automation.fire"  # one swept event for one rule
KINDS = ("created", "moved", "value", "status", "title", "field")  # title, field: FieldEvent
# The trigger types an event of each kind can fire (automation_runner.fired); a kind not named
# here is enqueued whenever the board has any enabled rule.
TRIGGERS = {"created": {"deal_created"}, "moved": {"deal_stage_entered", "field_changed"},
            "status": {"deal_won", "deal_lost", "field_changed"}, "value": {"field_changed"},
            "title": {"field_changed"}, "field": {"field_changed"}}


def _before(event: CardEvent | FieldEvent) -> Any:
    if isinstance(event, FieldEvent):
        return event.old
    if event.kind == "moved":
        return str(event.from_stage) if event.from_stage else None
    if event.kind == "value":
        return event.old_value
    if event.kind == "status":
        return event.old_status
    return None


async def enqueue_events(tx: Unit, workspace: UUID, board: UUID, events: Sequence[CardEvent | FieldEvent],
                         sources: Sequence[dict[str, Any] | None] | None, settle: float) -> int:
    """One settling job per (card, kind) for ``events`` (a job already waiting takes the burst);
    how many were enqueued. Only events an enabled rule of the board could fire for are: the
    rules are read in this transaction (one indexed query, migration 0026), so a rule enabled or
    changed on any node counts from its commit on, and a board without rules costs no job."""
    enqueued = 0
    seen: set[str] = set()
    watched = {str(rule.trigger.get("type")) for rule in await tx.automation_rules.enabled_on_board(board)}
    for i, event in enumerate(events):
        source = (sources[i] if sources is not None and i < len(sources) else None) or {}
        if source.get("import") or event.reconciled or event.kind not in KINDS:
            continue
        if not watched & TRIGGERS.get(event.kind, watched):
            continue  # no rule of the board waits for what this event can fire
        payload = {"event": str(uuid4()), "workspace": str(workspace), "board": str(board), "card": str(event.card),
                   "kind": event.kind, "before": _before(event), "at": event.at.isoformat(),
                   "author": str(event.author) if event.author else None,
                   "rule": source.get("rule"), "depth": int(source.get("depth", 0))}
        field = ""
        if isinstance(event, FieldEvent) and event.kind == "field":
            payload["field"], field = event.field, f":{event.field}"  # each custom field settles on its own
        # A rule's change has a key of its own: the job that made it may still be running (holding
        # the plain key), and must not swallow the next link of a chain.
        chain = f":{payload['rule']}:{payload['depth']}" if payload["rule"] else ""
        key = f"automation:{event.card}:{event.kind}{field}{chain}"
        if key in seen:
            continue  # a burst within one projection: its first change holds the state before
        seen.add(key)
        if await tx.jobs.enqueue(EVENT, payload, after=timedelta(seconds=settle), dedupe_key=key) is not None:
            enqueued += 1
    return enqueued


async def enqueue_record_created(tx: Unit, workspace: UUID, kind: str, data: Mapping[str, Any]) -> bool:
    """Queue ``automation.record`` for a contact or organisation (``kind``) just made, in the unit
    of work that makes it (so it runs if and only if that commits) — only if an enabled rule of the
    workspace waits for it. Imports do not call this: they trigger nothing."""
    trigger = f"{kind}_created"
    rules = await tx.automation_rules.of_workspace(workspace)
    if not any(r.enabled and r.trigger.get("type") == trigger for r in rules):
        return False
    payload = {"event": str(uuid4()), "workspace": str(workspace), "kind": kind, "data": msgspec.to_builtins(data)}
    await tx.jobs.enqueue(RECORD, payload)
    return True
