"""Request and response bodies of the sequences API (issue 17 item 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.domain.sequences import ALL_DAYS, MAX_NAME, MAX_STEPS, Enrolment, Sequence, Step, Window


class StepBody(msgspec.Struct, forbid_unknown_fields=True):
    """One mail: a template of the workspace, sent after ``delay_days`` + ``delay_hours`` (the first: after enrolling)."""

    template_id: UUID
    delay_days: int = 0
    delay_hours: int = 0


class WindowBody(msgspec.Struct, forbid_unknown_fields=True):
    """Hours ``[start_hour, end_hour)`` on ``weekdays`` (0 = Monday) in ``time_zone`` when mail may go out."""

    start_hour: int = 0
    end_hour: int = 24
    weekdays: list[int] = msgspec.field(default_factory=lambda: list(ALL_DAYS))
    time_zone: str = "UTC"


class NewSequence(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=MAX_NAME)]
    steps: Annotated[list[StepBody], msgspec.Meta(max_length=MAX_STEPS)]
    window: WindowBody = msgspec.field(default_factory=WindowBody)

    def domain_steps(self) -> list[Step]:
        return [Step(s.template_id, s.delay_days, s.delay_hours) for s in self.steps]

    def domain_window(self) -> Window:
        w = self.window
        return Window(w.start_hour, w.end_hour, tuple(w.weekdays), w.time_zone)


class SequenceBody(msgspec.Struct):
    id: UUID
    name: str
    steps: list[StepBody]
    window: WindowBody
    updated_at: datetime

    @classmethod
    def of(cls, s: Sequence) -> SequenceBody:
        w = s.window
        return cls(s.id, s.name, [StepBody(x.template_id, x.delay_days, x.delay_hours) for x in s.steps],
                   WindowBody(w.start_hour, w.end_hour, list(w.weekdays), w.time_zone), s.updated_at)


class EnrolRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Contacts to enrol (bulk: up to 500), optionally on a deal (its merge fields: both ids)."""

    contact_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=500)]
    board_id: UUID | None = None
    card_id: UUID | None = None


class EnrolmentBody(msgspec.Struct):
    id: UUID
    sequence_id: UUID
    contact_id: UUID
    address: str
    state: str  # active | paused | stopped | finished
    step: int  # steps sent
    next_at: datetime | None
    reason: str | None  # replied, bounced, meeting_booked, unsubscribed, stopped_by_member, no_access,
    #                     contact_gone, missing_fields, no_template, no_mailbox
    detail: str  # missing_fields: the merge fields without a value
    created_at: datetime
    updated_at: datetime
    board_id: UUID | None = None
    card_id: UUID | None = None

    @classmethod
    def of(cls, e: Enrolment) -> EnrolmentBody:
        board, card = e.deal if e.deal else (None, None)
        return cls(e.id, e.sequence_id, e.contact_id, e.address, str(e.state), e.step, e.next_at,
                   str(e.reason) if e.reason else None, e.detail, e.created_at, e.updated_at, board, card)


class SkippedBody(msgspec.Struct):
    contact_id: UUID
    reason: str  # not_found | no_email | unsubscribed | already_enrolled


class CapBody(msgspec.Struct, forbid_unknown_fields=True):
    """Sequence mails per hour through the caller's mailbox (1-1000), or null for the server's default."""

    per_hour: int | None


class SendingBody(msgspec.Struct):
    mailbox: str | None  # the caller's mailbox address in the workspace; null: none connected
    per_hour: int | None  # its own cap; null: the default applies
    default: int  # TANDEM_SEQUENCE_SENDS_PER_HOUR


class EnrolResult(msgspec.Struct):
    enrolled: list[EnrolmentBody]
    skipped: list[SkippedBody]
