"""E-mail in automations (issue 17 item 5; docs/email-automations.md): the triggers ``email_opened``,
``link_clicked`` and ``email_replied``, and the action ``send_template``.

**Triggers** (``server.services.email_events``). An event is queued in the unit of work that
records it — a tracked mail's pixel or link hit (``on_tracking_hit``), a synced mail filed as a
reply to mail sent from the workspace (``on_reply_filed``) — as an ``automation.email`` job, only
when an enabled rule of the workspace waits for that trigger (the transactional outbox, like the
other triggers). Its key says what it is:
``opened:<mail>`` (a mail's first open by a person: privacy proxies' fetches are not opens),
``clicked:<mail>:<link hash>`` (a link's first click), ``replied:<reply>``; a run is keyed by it, so
each event runs each rule once however often it is queued. The runner
(``AutomationRunner.email``) finds the mail's contact (the first the mail names: From, To, Cc) and,
for a rule that names a board, the mail's deal on that board.

**send_template.** ``TemplateSender`` renders a workspace template for the run's contact (the
trigger's, else the one the deal's or activity's link names) and deal
and sends it as the rule's owner would from the compose dialog (``EmailSending.send``: their own
mailbox, else the system relay), filing the copy and marking it as the rule's
(``EmailTriggers.mark_sent``, in the same transaction: a rerun of the action finds it and sends
nothing more). A template whose merge fields have no value, a contact without an address, an owner
gone: ``Refused`` — the run fails with the reason and is not retried. Events on mail a rule sent do
not trigger that rule (``SentByRule``), and carry its depth on, so chains stop at the depth limit.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from server.domain.access import AccessDenied, NotFound
from server.domain.accounts import Conflict
from server.domain.automations import AlreadySent, Refused, Rule
from server.domain.email_templates import MissingMergeFields
from server.services.accounts import Caller
from server.services.email_templates import Subjects
from server.services.ports.email_automations import SentByRule
from server.services.ports.entry_links import ACTIVITY, CARD
from server.services.ports.unit import Begin
from server.services.sending import Draft, EmailSending


class TemplateSender:
    """Runs send_template actions through the compose use case, as the rule's owner."""

    def __init__(self, begin: Begin, sending: EmailSending) -> None:
        self._begin, self._sending = begin, sending

    async def send(self, rule: Rule, run: UUID, index: int, action: dict[str, Any], contact: UUID | None,
                   deal: tuple[UUID, UUID] | None, depth: int,
                   activity: tuple[UUID, UUID] | None = None) -> dict[str, Any]:
        """Send the action's template to ``contact`` — else the contact of ``deal`` (board, card), else of
        ``activity`` (board, activity): their links — on ``deal``; what was sent, or ``Refused``."""
        async with self._begin() as tx:
            for kind, entry in ((CARD, deal), (ACTIVITY, activity)):
                if contact is None and entry is not None:
                    link = await tx.entry_links.get(entry[0], kind, entry[1])
                    contact = link.contact_id if link is not None else None
        if contact is None:
            raise Refused("the run has no contact to send the template to")
        async with self._begin() as tx:
            found = await tx.contacts.by_ids([contact])
            template = await tx.email_templates.get(rule.workspace_id, UUID(action["template"]))
            owner = await tx.users.by_id(rule.created_by) if rule.created_by else None
        if not found or found[0].deleted_at is not None:
            raise Refused("the contact is gone")
        if not found[0].values.emails:
            raise Refused(f"the contact {found[0].name or contact} has no e-mail address")
        if template is None:
            raise Refused("the template was deleted: pick another in the rule")
        if owner is None or owner.disabled_at is not None:
            raise Refused("the rule's owner is gone: mail is sent as them, so save the rule again as yourself")
        caller = Caller(owner.id, owner.email, owner.name, b"", datetime.now(timezone.utc), owner.locale)
        to = found[0].values.emails[0]
        draft = Draft([to], [], template.subject, template.body, Subjects(contact, None, deal),
                      track=bool(action.get("track")), automation=(SentByRule(rule.id, run, depth + 1), index))
        try:
            sent = await self._sending.send(caller, rule.workspace_id, draft)
        except MissingMergeFields as error:
            raise Refused(f"not sent: merge fields without a value: {', '.join(error.fields)}") from None
        except AlreadySent:  # this run's action sent it before (a rerun): nothing more
            return {"template": action["template"], "to": to, "already": True}
        except (Conflict, NotFound, AccessDenied) as error:
            raise Refused(f"not sent: {error}") from None
        return {"template": action["template"], "to": to, "email": str(sent.email), "via": sent.route.via,
                "message_id": sent.message_id}
