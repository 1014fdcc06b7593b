"""The password hashing pool: at most N hashes at once, a bounded queue, 429 beyond it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from server.domain.accounts import Throttled
from server.services.credentials import Passwords
from tests.support.waiting import eventually


class GatedHasher:
    """A stand-in for argon2's ``PasswordHasher`` whose hashes finish only when the gate opens."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = 0

    def hash(self, password: str) -> str:
        self.started += 1
        self.gate.wait(10)
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return self.hash(password) == password_hash


def pool(hasher: GatedHasher, concurrency: int, queue: int) -> Passwords:
    return Passwords(time_cost=1, memory_kib=8, parallelism=1, concurrency=concurrency, queue=queue,
                     hasher=hasher)  # type: ignore[arg-type]


async def test_a_full_pool_and_queue_refuse_at_once_with_a_retry_after():
    hasher = GatedHasher()
    passwords = pool(hasher, concurrency=2, queue=3)
    admitted = [asyncio.create_task(passwords.hash(f"p{i}")) for i in range(5)]
    await eventually(lambda: hasher.started == 2)
    with pytest.raises(Throttled, match="busy checking passwords") as refused:
        await passwords.hash("one too many")
    assert refused.value.retry_after >= 1
    hasher.gate.set()
    assert await asyncio.gather(*admitted) == [f"hashed:p{i}" for i in range(5)]
    assert passwords.peak == 2, "never more hashes at once than the pool's concurrency"
    assert await passwords.hash("room again") == "hashed:room again", "a drained pool admits again"


async def test_verifications_are_counted():
    hasher = GatedHasher()
    hasher.gate.set()
    passwords = pool(hasher, concurrency=1, queue=0)
    assert await passwords.verify("hashed:right", "right")
    assert not await passwords.verify("hashed:right", "wrong")
    assert passwords.verifications == 2
