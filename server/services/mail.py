"""Outgoing mail (invitations, password resets) behind a one-method port.

``LoggingOutbox`` is the development outbox: it logs each message and keeps the last few in
memory, where tests (and a dev UI) can read them. Production wires an SMTP or API adapter in
``create_app``.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import NamedTuple, Protocol

log = logging.getLogger(__name__)


class Mail(NamedTuple):
    to: str
    subject: str
    body: str


class Outbox(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand ``mail`` over for delivery; never blocks the caller."""
        ...


class LoggingOutbox:
    """Implements ``Outbox`` by logging; remembers the last ``keep`` messages."""

    def __init__(self, keep: int = 50) -> None:
        self.sent: deque[Mail] = deque(maxlen=keep)

    def send(self, mail: Mail) -> None:
        log.info("mail to %s: %s", mail.to, mail.subject)
        self.sent.append(mail)
