"""System mail (invitations, password resets; issue 17 item 1): the ``Outbox`` port, its two
implementations; ``server/services/sending.py`` runs the ``mail.send`` jobs. What each mail says,
in the recipient's language, is ``server/domain/system_mail.py``; ``Outbox.link`` makes its link.

A message is posted *in the unit of work that causes it* (``await outbox.post(unit, mail)``): with a
relay configured (``TANDEM_SMTP_URL``) that enqueues a ``mail.send`` job in the same transaction, so
an invitation that rolls back mails nothing and one that commits is mailed by a worker, retried with
backoff while the relay refuses (``server/worker.py``). ``post`` answers whether the mail will go
out: without a relay it answers False, and the caller must say so — the API's ``mail_sent: false``,
the screens' "copy this link" — never "we e-mailed it".

``LoggingOutbox`` is the twin without a relay: it logs each message and keeps the last few in memory,
where tests (and a developer) read them. ``QueuedOutbox`` keeps them too, and queues them.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, NamedTuple, Protocol
from uuid import UUID

import msgspec

from server.domain.sending import Envelope, new_message_id
from server.domain.system_mail import Rendered, absolute

if TYPE_CHECKING:
    from server.services.ports.unit import Unit

log = logging.getLogger(__name__)

SEND = "mail.send"


class Mail(NamedTuple):
    to: str
    subject: str
    body: str
    calendar: str | None = None  # an iCalendar text sent as invite.ics (booking confirmations)
    html: str | None = None  # the text/html alternative of ``body`` (server/domain/system_mail.py)

    @classmethod
    def of(cls, to: str, rendered: Rendered, calendar: str | None = None) -> Mail:
        """A rendered system mail (subject, text and HTML) to ``to``."""
        return cls(to, rendered.subject, rendered.text, calendar, rendered.html)


class Outbox(Protocol):
    @property
    def delivers(self) -> bool:
        """Whether posted mail leaves the server (a relay is configured)."""
        ...

    async def post(self, unit: Unit, mail: Mail) -> bool:
        """Hand ``mail`` over when ``unit`` commits; whether it will be sent."""
        ...

    def link(self, path: str) -> str:
        """The absolute link to ``path`` (``/w/…``) on this server's public URL, for a mail."""
        ...


class LoggingOutbox:
    """Implements ``Outbox`` without a relay: logs, remembers the last ``keep`` messages, sends nothing."""

    def __init__(self, keep: int = 50, public_url: str = "") -> None:
        self.sent: deque[Mail] = deque(maxlen=keep)
        self.public_url = public_url  # TANDEM_PUBLIC_URL: links in mail point there

    def link(self, path: str) -> str:
        return absolute(self.public_url, path)

    @property
    def delivers(self) -> bool:
        return False

    async def post(self, unit: Unit, mail: Mail) -> bool:
        log.info("mail to %s: %s (not sent: no TANDEM_SMTP_URL)", mail.to, mail.subject)
        self.sent.append(mail)
        return False


class QueuedOutbox(LoggingOutbox):
    """Implements ``Outbox`` through the relay: a ``mail.send`` job from ``sender`` per message."""

    def __init__(self, sender: str, keep: int = 50, public_url: str = "") -> None:
        super().__init__(keep, public_url)
        self._sender = sender

    @property
    def delivers(self) -> bool:
        return True

    async def post(self, unit: Unit, mail: Mail) -> bool:
        envelope = Envelope(sender=self._sender, sender_name="Tandem", to=(mail.to,), subject=mail.subject,
                            text=mail.body, html=mail.html, message_id=new_message_id(self._sender),
                            calendar=mail.calendar)
        await unit.jobs.enqueue(SEND, {"envelope": msgspec.to_builtins(envelope)})
        self.sent.append(mail)
        log.info("mail to %s queued: %s", mail.to, mail.subject)
        return True


async def time_zone_of(unit: Unit, user: UUID) -> str:
    """The zone ``user`` reads times in (their notification settings; UTC until they choose one)."""
    return (await unit.notification_settings.get(user)).time_zone
