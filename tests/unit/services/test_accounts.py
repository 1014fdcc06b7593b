"""The account rules over the memory twins: sign-up, sign-in and its throttle, sessions, passwords, resets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.domain.accounts import AccessChanged, Conflict, InvalidInput, Throttled, Unauthenticated
from server.services.accounts import WRONG
from server.services.credentials import hash_token
from tests.unit.services.support import PASSWORD, POLICY, World


@pytest.fixture
def world() -> World:
    return World()


async def test_a_sign_up_opens_a_session_for_the_new_account(world):
    started = world.clock.at
    signed = await world.accounts.sign_up(" Ada@Example.TEST ", PASSWORD, " Ada ", "10.0.0.1")
    caller = await world.accounts.authenticate(signed.token)
    assert (caller.email, caller.name, caller.id) == ("ada@example.test", "Ada", signed.caller.id)
    assert started < caller.expires_at - timedelta(seconds=POLICY.session_ttl) < world.clock.at
    assert world.events() == ["account.created"]


async def test_an_email_signs_up_once(world):
    await world.sign_up("Ada")
    with pytest.raises(Conflict, match="an account for ada@example.test exists"):
        await world.accounts.sign_up("ada@example.test", PASSWORD, "Other", "10.0.0.2")


@pytest.mark.parametrize(("email", "password", "name", "words"), [
    ("not-an-email", PASSWORD, "Ada", "expected an e-mail address"),
    ("ada@example.test", "short", "Ada", "expected a password of 10 to 256 characters, got 5"),
    ("ada@example.test", PASSWORD, "  ", "expected a name of 1 to 100 characters, got 0"),
], ids=["bad e-mail", "short password", "blank name"])
async def test_a_sign_up_says_which_field_is_wrong(world, email, password, name, words):
    with pytest.raises(InvalidInput, match=words):
        await world.accounts.sign_up(email, password, name, "10.0.0.1")
    assert world.events() == []


async def test_sign_ups_from_one_address_are_throttled(world):
    for n in range(POLICY.sign_ups_per_address):
        await world.sign_up(f"user{n}")
    with pytest.raises(Throttled, match="too many sign-ups from here"):
        await world.sign_up("one-too-many")
    assert await world.sign_up("elsewhere", address="10.0.0.2")


async def test_a_wrong_password_is_refused_and_audited(world):
    await world.sign_up("Ada")
    with pytest.raises(Unauthenticated, match=WRONG):
        await world.accounts.sign_in("ada@example.test", "wrong password!", "10.0.0.1")
    with pytest.raises(Unauthenticated, match=WRONG):
        await world.accounts.sign_in("nobody@example.test", PASSWORD, "10.0.0.1")
    assert world.events() == ["account.created", "sign_in.failed", "sign_in.failed"]


async def test_the_right_password_signs_in(world):
    ada = await world.sign_up("Ada")
    signed = await world.accounts.sign_in("ADA@example.test", PASSWORD, "10.0.0.1")
    assert signed.caller.id == ada.id and signed.caller.session != ada.session


async def test_failed_sign_ins_wait_from_that_address_only(world):
    await world.sign_up("Ada")
    for _ in range(POLICY.max_failures):
        with pytest.raises(Unauthenticated):
            await world.accounts.sign_in("ada@example.test", "wrong password!", "10.6.6.6")
    with pytest.raises(Throttled, match="too many failed sign-ins: try again in 2 s") as refused:
        await world.accounts.sign_in("ada@example.test", PASSWORD, "10.6.6.6")
    assert refused.value.retry_after == 2
    assert await world.accounts.sign_in("ada@example.test", PASSWORD, "10.0.0.1")


async def test_a_throttled_sign_in_passes_once_its_wait_is_over(world):
    await world.sign_up("Ada")
    for _ in range(POLICY.max_failures):
        with pytest.raises(Unauthenticated):
            await world.accounts.sign_in("ada@example.test", "wrong password!", "10.6.6.6")
    world.clock.advance(POLICY.first_delay)
    assert await world.accounts.sign_in("ada@example.test", PASSWORD, "10.6.6.6")
    # success forgave the pair: the next failures start from zero again
    with pytest.raises(Unauthenticated):
        await world.accounts.sign_in("ada@example.test", "wrong password!", "10.6.6.6")


async def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(world):
    ada = await world.sign_up("Ada")
    await world.accounts.disable(ada.id)
    with pytest.raises(Unauthenticated, match="this account is disabled"):
        await world.accounts.sign_in("ada@example.test", PASSWORD, "10.0.0.1")
    with pytest.raises(Unauthenticated, match="sign in again"):
        await world.accounts.caller(ada.session)
    assert world.announced() == [AccessChanged(ada.id, None)]


async def test_a_session_ends_when_it_expires(world):
    ada = await world.sign_up("Ada")
    world.clock.advance(POLICY.session_ttl - 1)
    assert await world.accounts.caller(ada.session)
    world.clock.advance(1)
    with pytest.raises(Unauthenticated, match="unknown, expired or signed out"):
        await world.accounts.caller(ada.session)


async def test_signing_out_ends_the_session_and_announces_it(world):
    ada = await world.sign_up("Ada")
    await world.accounts.sign_out(ada, "10.0.0.1")
    with pytest.raises(Unauthenticated):
        await world.accounts.caller(ada.session)
    assert world.announced() == [AccessChanged(None, ada.session)]


async def test_no_token_is_unauthenticated_with_a_hint(world):
    with pytest.raises(Unauthenticated, match="expected a session"):
        await world.accounts.authenticate(None)


async def test_a_password_change_needs_the_current_one_and_ends_the_other_sessions(world):
    ada = await world.sign_up("Ada")
    elsewhere = (await world.accounts.sign_in("ada@example.test", PASSWORD, "10.0.0.2")).caller
    with pytest.raises(InvalidInput, match="expected your current password"):
        await world.accounts.change_password(ada, "not the password", "new password 123", "10.0.0.1")
    await world.accounts.change_password(ada, PASSWORD, "new password 123", "10.0.0.1")
    assert await world.accounts.caller(ada.session)
    with pytest.raises(Unauthenticated):
        await world.accounts.caller(elsewhere.session)
    assert await world.accounts.sign_in("ada@example.test", "new password 123", "10.0.0.1")
    assert world.announced() == [AccessChanged(ada.id, None)]


async def test_a_reset_token_sets_the_password_once_and_ends_every_session(world):
    ada = await world.sign_up("Ada")
    await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    token = world.last_token()
    assert world.outbox.sent[-1].to == "ada@example.test"
    await world.accounts.reset_password(token, "new password 123", "10.0.0.1")
    with pytest.raises(Unauthenticated):
        await world.accounts.caller(ada.session)
    with pytest.raises(InvalidInput, match="unknown, used or expired"):
        await world.accounts.reset_password(token, "another password 1", "10.0.0.1")
    assert await world.accounts.sign_in("ada@example.test", "new password 123", "10.0.0.1")


async def test_a_reset_whose_hashing_fails_keeps_its_token_and_a_guessed_token_costs_no_hash(world, monkeypatch):
    await world.sign_up("Ada")
    await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    hashed: list[str] = []

    async def busy(password: str) -> str:
        hashed.append(password)
        raise Throttled("too many passwords are being hashed: try again in 1 s", retry_after=1)

    monkeypatch.setattr(world.passwords, "hash", busy)
    with pytest.raises(InvalidInput, match="unknown, used or expired"):
        await world.accounts.reset_password("guessed", "new password 123", "10.0.0.1")
    assert hashed == []
    with pytest.raises(Throttled):
        await world.accounts.reset_password(world.last_token(), "new password 123", "10.0.0.1")
    monkeypatch.undo()
    await world.accounts.reset_password(world.last_token(), "new password 123", "10.0.0.1")
    assert await world.accounts.sign_in("ada@example.test", "new password 123", "10.0.0.1")


async def test_a_reset_token_expires(world):
    await world.sign_up("Ada")
    await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    world.clock.advance(POLICY.reset_ttl)
    with pytest.raises(InvalidInput, match="unknown, used or expired"):
        await world.accounts.reset_password(world.last_token(), "new password 123", "10.0.0.1")


async def test_a_reset_for_an_unknown_or_disabled_account_sends_nothing_and_says_nothing(world):
    ada = await world.sign_up("Ada")
    await world.accounts.disable(ada.id)
    await world.accounts.request_reset("nobody@example.test", "10.0.0.1")
    await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    assert list(world.outbox.sent) == []


async def test_reset_requests_for_one_account_are_throttled(world):
    await world.sign_up("Ada")
    for _ in range(POLICY.resets_per_account):
        await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    with pytest.raises(Throttled, match="too many password reset requests"):
        await world.accounts.request_reset("ada@example.test", "10.0.0.2")
    assert len(world.outbox.sent) == POLICY.resets_per_account


async def test_a_refused_attempt_costs_nothing_under_the_keys_counted_before_it(world):
    await world.sign_up("Ada")
    for _ in range(POLICY.resets_per_account):
        await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    with pytest.raises(Throttled):
        await world.accounts.request_reset("ada@example.test", "10.0.0.1")
    counted = world.db.table("auth_throttle")[("reset_address", "10.0.0.1")].attempts
    assert counted == POLICY.resets_per_account  # the refused request was taken back from the address


async def test_an_unknown_session_hash_is_unauthenticated(world):
    with pytest.raises(Unauthenticated):
        await world.accounts.caller(hash_token("made-up"))
