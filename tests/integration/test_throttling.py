"""Throttling of sign-in, sign-up and password reset: cannot be raced, cannot lock the real user out.

Each test speaks from its own source addresses (``X-Forwarded-For``, which uvicorn trusts from
127.0.0.1, as from a reverse proxy on the same machine), so tests sharing the session's database
do not share counters.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid

import asyncpg
import httpx
import pytest

from tests.support.accounts import AUTH, PASSWORD, Account, unique_email
from tests.support.servers import InProcessServer, in_process_server, module_server, settings_for

WRONG = "not the password at all"
LIMITS = {"sign_in_max_failures": 5, "sign_ups_per_address": 3, "resets_per_account": 3}
_hosts = itertools.count(1)


def new_address() -> str:
    """A source address no other test uses."""
    n = next(_hosts) + (uuid.uuid4().int % 1000) * 1000
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


# A first delay of a minute: within a test nothing outlives it, so counts are exact.
server = module_server(**{**AUTH, **LIMITS}, throttle_delay_seconds=60.0)


async def post(server: InProcessServer, path: str, body: dict, address: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.http_url, headers={"X-Forwarded-For": address}) as http:
        return await http.post(path, json=body)


async def login(server: InProcessServer, email: str, password: str, address: str) -> httpx.Response:
    return await post(server, "/api/auth/login", {"email": email, "password": password}, address)


async def sign_up(server: InProcessServer, name: str) -> Account:
    """A new account, signed up from an address of its own (sign-ups are throttled per address)."""
    answer = await post(server, "/api/auth/signup",
                        {"email": unique_email(name.lower()), "password": PASSWORD, "name": name}, new_address())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Account(body["token"], body["user"]["id"], body["user"]["email"], name)


async def failed_checks(db: asyncpg.Connection, email: str) -> int:
    """Wrong passwords actually verified for ``email`` (each leaves one audit row)."""
    return await db.fetchval("SELECT count(*) FROM audit_events WHERE event = 'sign_in.failed' "
                             "AND details->>'email' = $1", email)


async def test_fifty_parallel_wrong_guesses_check_at_most_the_allowed_number(server, db):
    victim = await sign_up(server, "Victim")
    attacker = new_address()
    answers = await asyncio.gather(*(login(server, victim.email, f"{WRONG} {i}", attacker) for i in range(50)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [401] * 5 + [429] * 45
    assert await failed_checks(db, victim.email) == 5, "every guess past the limit is refused before hashing"


async def test_the_right_password_from_another_address_signs_in_after_an_attackers_failures(server):
    victim = await sign_up(server, "Victim")
    attacker = new_address()
    for i in range(12):
        assert (await login(server, victim.email, f"{WRONG} {i}", attacker)).status_code in (401, 429)
    assert (await login(server, victim.email, PASSWORD, attacker)).status_code == 429, "the attacker's pair waits"
    assert (await login(server, victim.email, PASSWORD, new_address())).status_code == 200


async def test_retry_after_grows_with_each_further_failure(server, db):
    account = await sign_up(server, "Forgetful")
    address = new_address()
    for _ in range(5):
        assert (await login(server, account.email, WRONG, address)).status_code == 401
    waits = []
    for _ in range(3):
        refused = await login(server, account.email, WRONG, address)
        assert refused.status_code == 429 and "try again in" in refused.json()["detail"]
        waits.append(int(refused.headers["retry-after"]))
        # The wait is over (moved into the past rather than slept through): the next guess is checked.
        await db.execute("UPDATE auth_throttle SET last_at = last_at - make_interval(secs => $1) "
                         "WHERE key LIKE $2", waits[-1] + 1, f"%{address}")
        assert (await login(server, account.email, WRONG, address)).status_code == 401
    assert waits == sorted(waits) and waits[0] < waits[1] < waits[2], waits
    assert 55 <= waits[0] <= 60 and waits[1] >= 2 * waits[0] - 1


async def test_a_successful_sign_in_forgives_its_address_and_account(server):
    account = await sign_up(server, "Typo")
    address = new_address()
    for _ in range(4):
        assert (await login(server, account.email, WRONG, address)).status_code == 401
    assert (await login(server, account.email, PASSWORD, address)).status_code == 200
    for _ in range(4):
        assert (await login(server, account.email, WRONG, address)).status_code == 401, "counting starts afresh"


async def test_one_address_guessing_across_many_accounts_is_delayed(server):
    address = new_address()
    for i in range(50):  # 10x the per-account allowance, spread over accounts that may not exist
        assert (await login(server, unique_email(f"spray{i}"), WRONG, address)).status_code == 401
    refused = await login(server, unique_email("spray"), WRONG, address)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert (await login(server, unique_email("spray"), WRONG, new_address())).status_code == 401


async def test_sign_ups_from_one_address_are_throttled(server):
    address = new_address()

    async def sign_up_from(where: str) -> httpx.Response:
        return await post(server, "/api/auth/signup",
                          {"email": unique_email("bulk"), "password": PASSWORD, "name": "Bulk"}, where)

    answers = await asyncio.gather(*(sign_up_from(address) for _ in range(10)))
    assert sorted(a.status_code for a in answers) == [201] * 3 + [429] * 7
    assert all(int(a.headers["retry-after"]) > 0 for a in answers if a.status_code == 429)
    assert (await sign_up_from(new_address())).status_code == 201


async def test_one_victim_gets_at_most_the_allowed_reset_mails(server):
    victim = await sign_up(server, "Victim")
    outbox = server.services.outbox
    answers = await asyncio.gather(*(post(server, "/api/auth/password-reset", {"email": victim.email}, new_address())
                                     for _ in range(100)))
    assert sorted(a.status_code for a in answers) == [202] * 3 + [429] * 97
    assert sum(mail.to == victim.email for mail in outbox.sent) == 3


async def test_one_address_asking_resets_for_many_accounts_is_delayed(server):
    address = new_address()
    for i in range(30):  # 10x the per-account allowance
        answer = await post(server, "/api/auth/password-reset", {"email": unique_email(f"r{i}")}, address)
        assert answer.status_code == 202
    refused = await post(server, "/api/auth/password-reset", {"email": unique_email("r")}, address)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


async def test_thirty_parallel_sign_ups_hash_one_at_a_time_and_the_overflow_gets_429(database_url):
    # Real argon2id at 8 MiB, enough that thirty requests meet a busy pool.
    settings = settings_for(database_url, **{**AUTH, "argon2_memory_kib": 8192, "argon2_time_cost": 4},
                            hashing_concurrency=1, hashing_queue=4)
    async with in_process_server(settings) as srv:
        answers = await asyncio.gather(*(post(srv, "/api/auth/signup", {
            "email": unique_email("rush"), "password": PASSWORD, "name": "Rush"}, new_address()) for _ in range(30)))
        passwords = srv.services.passwords
    codes = [a.status_code for a in answers]
    assert set(codes) == {201, 429} and codes.count(201) >= 5, codes
    busy = [a for a in answers if a.status_code == 429]
    assert all("busy checking passwords" in a.json()["detail"] and int(a.headers["retry-after"]) >= 1 for a in busy)
    assert passwords.peak == 1
