"""The in-memory twin of ``server.mail.smtp.AioSmtpRelay``: keeps what it is given; ``refuse``
makes the next N deliveries fail as a relay under load does."""

from __future__ import annotations

from server.domain.sending import Envelope


class RelayRefused(RuntimeError):
    """The twin's temporary failure."""


class MemoryRelay:
    """Implements ``MailRelay``."""

    def __init__(self) -> None:
        self.delivered: list[Envelope] = []
        self.refuse = 0

    async def deliver(self, envelope: Envelope) -> None:
        if self.refuse > 0:
            self.refuse -= 1
            raise RelayRefused("451 try again later")
        self.delivered.append(envelope)


class MemoryRelays:
    """Implements ``MailRelays``: one ``MemoryRelay`` per (host, port, username), kept in ``relays``."""

    def __init__(self) -> None:
        self.relays: dict[tuple[str, int, str], MemoryRelay] = {}
        self.passwords: dict[tuple[str, int, str], str] = {}

    def connect(self, host: str, port: int, tls: str, username: str, password: str) -> MemoryRelay:
        key = (host, port, username)
        self.passwords[key] = password
        return self.relays.setdefault(key, MemoryRelay())
