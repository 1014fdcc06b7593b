"""E-mail automation events (issue 17 item 5): queued in the unit of work that records them — a
tracked mail's open or click by a person, a synced reply to mail sent from the workspace — as
``automation.email`` jobs, run by ``AutomationRunner.email`` (docs/email-automations.md)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from server.domain.automations import Rule, TriggerType
from server.domain.inbound_mail import ancestors
from server.domain.mailboxes import Email
from server.domain.tracking import Tracked
from server.services.ports.unit import Unit

EMAIL = "automation.email"


async def _enqueue(tx: Unit, workspace: UUID, trigger: TriggerType, key: str, facts: dict[str, Any]) -> bool:
    rules = await tx.automation_rules.of_workspace(workspace)
    if not any(r.enabled and r.trigger.get("type") == trigger for r in rules):
        return False  # no rule waits for it: no job
    payload = {"event": key, "workspace": str(workspace), "trigger": str(trigger), "facts": facts}
    await tx.jobs.enqueue(EMAIL, payload, dedupe_key=f"{EMAIL}:{key}")
    return True


async def on_tracking_hit(tx: Unit, tracked: Tracked, proxy: bool) -> bool:
    """Queue ``email_opened`` / ``link_clicked`` for a person's open or click of a tracked mail."""
    if proxy:
        return False  # Apple's or Google's proxy fetching images: not a person reading
    stored = await tx.email_messages.get(tracked.email)
    if stored is None:
        return False
    if tracked.kind == "open":
        return await _enqueue(tx, stored.workspace_id, TriggerType.EMAIL_OPENED, f"opened:{tracked.email}",
                              {"email": str(tracked.email)})
    link = hashlib.sha256((tracked.url or "").encode()).hexdigest()[:16]
    return await _enqueue(tx, stored.workspace_id, TriggerType.LINK_CLICKED, f"clicked:{tracked.email}:{link}",
                          {"email": str(tracked.email), "url": tracked.url})


async def on_reply_filed(tx: Unit, workspace: UUID, stored: UUID, email: Email) -> bool:
    """Queue ``email_replied`` when a mail just filed as received answers mail sent from the workspace."""
    parents = await tx.email_triggers.sent_among(workspace, ancestors(email))
    if not parents:
        return False
    return await _enqueue(tx, workspace, TriggerType.EMAIL_REPLIED, f"replied:{stored}",
                          {"email": str(stored), "replied_to": str(parents[-1])})


def wanted(rule: Rule, facts: dict[str, Any]) -> bool:
    """Whether a link_clicked rule's ``url_contains`` (if any) is in the clicked URL."""
    part = rule.trigger.get("url_contains")
    return part is None or part.casefold() in str(facts.get("url") or "").casefold()
