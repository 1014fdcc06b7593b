"""Bearer secrets (session, invitation and reset tokens) and passwords.

A token is 32 random bytes, URL-safe base64; only its SHA-256 is stored, so a database leak
yields no usable session. Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``)
on a small pool of worker threads, so hashing never stalls the event loop; hashes made with older
parameters are upgraded at the next sign-in.

Each hash takes ``memory_kib`` (64 MiB by default) while it runs, so the pool bounds how many run
at once (``TANDEM_HASHING_CONCURRENCY``) and how many may wait (``TANDEM_HASHING_QUEUE``);
beyond that a request is refused with ``Throttled`` (HTTP 429) at once, instead of queueing
memory and latency without limit (30 parallel sign-ups once took the server to 428 MB).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.domain.accounts import Throttled

if TYPE_CHECKING:
    from server.settings import Settings

T = TypeVar("T")


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
    """argon2id hashing with configurable cost (lowered only in tests), on a bounded pool."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int, concurrency: int = 2,
                 queue: int = 16, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy: str | None = None
        self._concurrency = max(concurrency, 1)
        self._capacity = self._concurrency + max(queue, 0)
        self._threads = ThreadPoolExecutor(self._concurrency, thread_name_prefix="argon2")
        self._admitted = 0  # running or waiting; only touched on the event loop
        self._lock = threading.Lock()
        self._running = 0
        self.peak = 0  # most hashes ever running at once
        self.verifications = 0  # argon2 verifications run (wrong guesses included)
        self._seconds = 0.1  # moving average of one hash, for Retry-After

    @classmethod
    def of(cls, settings: Settings) -> Passwords:
        return cls(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib,
                   parallelism=settings.argon2_parallelism, concurrency=settings.hashing_concurrency,
                   queue=settings.hashing_queue)

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash, spend the same time and say no."""
        if password_hash is None:  # unknown e-mail: do not reveal it by answering faster
            self._dummy = self._dummy or await self.hash(secrets.token_hex(16))
            password_hash = self._dummy
            password = "-" + password
        return await self._run(self._verified, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verified(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.verifications += 1
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` on the pool; ``Throttled`` at once if the pool and its queue are full."""
        if self._admitted >= self._capacity:
            wait = math.ceil(self._seconds * self._capacity / self._concurrency)
            raise Throttled(f"the server is busy checking passwords: try again in {wait} s", retry_after=wait)
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, self._timed, work, *args)
        finally:
            self._admitted -= 1

    def _timed(self, work: Callable[..., T], *args: object) -> T:
        with self._lock:
            self._running += 1
            self.peak = max(self.peak, self._running)
        started = time.monotonic()
        try:
            return work(*args)
        finally:
            with self._lock:
                self._running -= 1
                self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
