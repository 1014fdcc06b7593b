"""Bearer secrets (session, invitation and reset tokens) and passwords.

A token is 32 random bytes, URL-safe base64; only its SHA-256 is stored, so a database leak
yields no usable session. Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``)
in a worker thread, so hashing never stalls the event loop; hashes made with older parameters
are upgraded at the next sign-in.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def new_token() -> tuple[str, bytes]:
    """A fresh token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def csrf_token(session_token: str) -> str:
    """The double-submit CSRF value bound to a session: readable by the page, not forgeable."""
    return hashlib.sha256(b"tandem-csrf:" + session_token.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Passwords:
    """argon2id hashing with configurable cost (lowered only in tests)."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash, spend the same time and say no."""
        if password_hash is None:  # unknown e-mail: do not reveal it by answering faster
            self._dummy = self._dummy or await self.hash(secrets.token_hex(16))
            password_hash = self._dummy
            password = "-" + password
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
