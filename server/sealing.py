"""Secrets at rest: ``FernetSealer`` encrypts what must be stored but read back in clear (webhook
signing secrets, issue 16; connected mailboxes' passwords, issue 17), keyed by ``TANDEM_SECRET_KEY``.

Why Fernet (``cryptography``, the PyCA library): authenticated encryption (AES-128-CBC + HMAC-SHA256)
with a versioned token format and nothing to choose wrongly; a hash would not do, since deliveries
need the clear secret to sign. The key never lives in the database, so a dump or backup alone does
not reveal the secrets. On the embedded default (no DATABASE_URL) a key is generated once into
``data_dir/secret.key`` (mode 0600); elsewhere TANDEM_SECRET_KEY must be set (every web and worker
process the same) — without it, making or delivering a webhook fails with a clear message.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken

from server.settings import Settings

KEY_FILE = "secret.key"


class MissingKey(RuntimeError):
    """No TANDEM_SECRET_KEY is configured."""


class FernetSealer:
    """Implements ``server.services.ports.webhooks.Sealer``."""

    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    def _key(self) -> Fernet:
        if self._fernet is None:
            raise MissingKey("TANDEM_SECRET_KEY is not set: webhooks and mailboxes need it to keep their secrets "
                             "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                             "print(Fernet.generate_key().decode())')")
        return self._fernet

    def seal(self, secret: bytes) -> bytes:
        return self._key().encrypt(secret)

    def unseal(self, sealed: bytes) -> bytes:
        try:
            return self._key().decrypt(sealed)
        except InvalidToken:
            raise MissingKey("a stored secret does not open with TANDEM_SECRET_KEY: was the key changed?") from None


def secret_key(settings: Settings) -> str | None:
    """TANDEM_SECRET_KEY, or on the embedded default the key in ``data_dir`` (made on first use)."""
    if settings.secret_key:
        Fernet(settings.secret_key.encode())  # fails at start on a malformed key
        return settings.secret_key
    if settings.database_url:
        return None
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # the in-process worker made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def sealer(settings: Settings) -> FernetSealer:
    return FernetSealer(secret_key(settings))
