"""Customer-service requests (docs/service.md): values, the status machine, the response targets and
input checks. No I/O.

A request is ``new`` when it arrives, ``open`` once someone works on it, ``waiting`` on the customer
after a reply, ``solved``, and ``closed`` (final: mail on a closed request starts a new one).
``RequestStatus.after`` is the one place that says which moves are allowed; ``moved`` stamps the
times a move implies: the first response (a reply, or the first move to waiting or solved) and the
solve (cleared when the request is reopened).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import Conflict, InvalidInput
from server.domain.timeline import EntryKind, TimelineEntry

MAX_SUBJECT = 300
MAX_BODY = 50_000
MAX_TARGET_HOURS = 24 * 90


class InvalidRequest(InvalidInput):
    """A request's or the service settings' field that is not what was expected (HTTP 422, naming ``field``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


class RequestStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # on the customer
    SOLVED = "solved"
    CLOSED = "closed"

    def after(self, wanted: RequestStatus) -> RequestStatus:
        """``wanted`` if a request in this status may move there; ``Conflict`` saying why not."""
        if self is RequestStatus.CLOSED and wanted is not RequestStatus.CLOSED:
            raise Conflict("this request is closed: new mail or a new request starts over")
        if wanted is RequestStatus.NEW and self is not RequestStatus.NEW:
            raise Conflict("a request cannot become new again: reopen it (open)")
        return wanted


ANSWERED = (RequestStatus.WAITING, RequestStatus.SOLVED)  # moves that mean the customer was answered
DONE = (RequestStatus.SOLVED, RequestStatus.CLOSED)


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    MANUAL = "manual"


class MessageKind(enum.StrEnum):
    INBOUND = "inbound"  # the customer's
    REPLY = "reply"  # to the customer
    NOTE = "note"  # internal: the team only


DEFAULT_TARGETS = {Priority.URGENT: 1, Priority.HIGH: 4, Priority.NORMAL: 24, Priority.LOW: 72}


class ServiceSettings(NamedTuple):
    targets: dict[Priority, int]  # hours to the first response, per priority
    support_mailboxes: list[UUID]

    @classmethod
    def default(cls) -> ServiceSettings:
        return cls(dict(DEFAULT_TARGETS), [])

    def due(self, created: datetime, priority: Priority) -> datetime:
        return created + timedelta(hours=self.targets.get(priority, DEFAULT_TARGETS[priority]))


class ServiceRequest(NamedTuple):
    id: UUID
    workspace_id: UUID
    subject: str
    contact_id: UUID | None
    organisation_id: UUID | None
    channel: Channel
    status: RequestStatus
    priority: Priority
    assignee_id: UUID | None
    created_at: datetime
    due_at: datetime
    updated_at: datetime
    board_id: UUID | None = None
    deal_id: UUID | None = None
    mailbox_id: UUID | None = None  # the support mailbox it came in by (replies go out from there)
    first_response_at: datetime | None = None
    solved_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        return self.first_response_at is None and self.status not in DONE and self.due_at < now

    def moved(self, wanted: RequestStatus, now: datetime) -> ServiceRequest:
        """This request in status ``wanted`` (if allowed), with the times the move implies."""
        status = self.status.after(wanted)
        first = self.first_response_at or (now if status in ANSWERED else None)
        solved = (self.solved_at or now) if status in DONE else None
        return self._replace(status=status, first_response_at=first, solved_at=solved, updated_at=now)

    def answered(self, now: datetime) -> ServiceRequest:
        """This request after a reply to the customer: responded to (the first time: now)."""
        return self._replace(first_response_at=self.first_response_at or now, updated_at=now)


class RequestMessage(NamedTuple):
    id: UUID
    request_id: UUID
    workspace_id: UUID
    kind: MessageKind
    author_id: UUID | None
    sender: str  # the customer's address (inbound mail)
    body: str
    created_at: datetime
    message_id: str | None = None  # mail's Message-ID


class RequestFilter(NamedTuple):
    """Which requests a queue shows; ``None`` leaves a criterion out. Without a status: the open ones
    (new, open, waiting)."""

    status: RequestStatus | None = None
    assignee: UUID | None = None
    unassigned: bool = False
    priority: Priority | None = None
    overdue_at: datetime | None = None  # only those overdue at this time
    contact: UUID | None = None
    organisation: UUID | None = None
    everything: bool = False  # every status (a customer's history)


OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.OPEN, RequestStatus.WAITING)


def timeline_entry(request: ServiceRequest) -> TimelineEntry:
    """A request on its customer's timeline: when it came in, its status and priority, its deal."""
    return TimelineEntry(EntryKind.REQUEST, request.id, request.created_at, None, request.subject,
                         request.board_id, request.deal_id, None, request.contact_id, str(request.status),
                         str(request.priority), None, None, None)


def fits(request: ServiceRequest, where: RequestFilter) -> bool:
    """Whether ``where`` selects ``request`` (what the Postgres adapter's SQL says, for the twin)."""
    status_ok = (where.everything or (request.status in OPEN_STATUSES if where.status is None
                                      else request.status == where.status))
    return (status_ok
            and (where.assignee is None or request.assignee_id == where.assignee)
            and (not where.unassigned or request.assignee_id is None)
            and (where.priority is None or request.priority == where.priority)
            and (where.overdue_at is None or request.overdue(where.overdue_at))
            and (where.contact is None or request.contact_id == where.contact)
            and (where.organisation is None or request.organisation_id == where.organisation))


def check_subject(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidRequest("subject", "expected a subject (text)")
    subject = " ".join(raw.split())
    if len(subject) > MAX_SUBJECT:
        raise InvalidRequest("subject", f"expected at most {MAX_SUBJECT} characters, got {len(subject)}")
    return subject


def check_body(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidRequest("body", "expected the message's text")
    if len(raw) > MAX_BODY:
        raise InvalidRequest("body", f"expected at most {MAX_BODY} characters, got {len(raw)}")
    return raw.strip()


def choice(kind: type[enum.StrEnum], field: str, raw: Any) -> Any:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)  # type: ignore[attr-defined]
        raise InvalidRequest(field, f"expected one of {allowed}, got {str(raw)[:30]!r}") from None


def check_targets(raw: Mapping[str, Any]) -> dict[Priority, int]:
    """Hours per priority (whole hours, 1 to 90 days); every priority not named keeps its default."""
    targets = dict(DEFAULT_TARGETS)
    for key, hours in raw.items():
        priority = choice(Priority, "targets", key)
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_TARGET_HOURS:
            raise InvalidRequest(f"targets.{key}", f"expected whole hours from 1 to {MAX_TARGET_HOURS}, got {hours!r}")
        targets[priority] = hours
    return targets
