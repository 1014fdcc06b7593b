"""The account ports' contracts (``Users``, ``Sessions``, ``Resets``, ``ThrottleCounters``, ``Audit``),
over memory and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import uuid4

import asyncpg
import pytest

from server.domain.access import Role
from server.domain.accounts import AccessChanged, Account
from server.domain.throttle import Rule
from server.storage.access_events import decode_event
from server.storage.accounts import (
    ACCESS_CHANNEL, PostgresAudit, PostgresResets, PostgresSessions, PostgresThrottleCounters, PostgresUsers,
)
from server.storage.memory.accounts import (
    MemoryAudit, MemoryResets, MemorySessions, MemoryThrottleCounters, MemoryUsers,
)
from server.storage.memory.workspaces import (
    MemoryBoards, MemoryInvitations, MemoryMembers, MemoryShares, MemoryWorkspaces,
)
from server.storage.workspaces import (
    PostgresBoards, PostgresInvitations, PostgresMembers, PostgresShares, PostgresWorkspaces,
)
from tests.support.units import backend
from tests.support.waiting import eventually

PORTS = ("users", "sessions", "resets", "throttle", "audit", "workspaces", "members", "invitations", "boards",
         "shares")


def adapters(conn) -> SimpleNamespace:
    """The Postgres adapters of every account and workspace port, on one connection."""
    kinds = (PostgresUsers, PostgresSessions, PostgresResets, PostgresThrottleCounters, PostgresAudit,
             PostgresWorkspaces, PostgresMembers, PostgresInvitations, PostgresBoards, PostgresShares)
    return SimpleNamespace(**{port: kind(conn) for port, kind in zip(PORTS, kinds)})


def twins(db) -> SimpleNamespace:
    """The memory twins of every account and workspace port, on one ``MemoryDatabase``."""
    kinds = (MemoryUsers, MemorySessions, MemoryResets, MemoryThrottleCounters, MemoryAudit,
             MemoryWorkspaces, MemoryMembers, MemoryInvitations, MemoryBoards, MemoryShares)
    return SimpleNamespace(**{port: kind(db) for port, kind in zip(PORTS, kinds)})


@pytest.fixture(params=["memory", "postgres"])
async def begin(request, database_url) -> AsyncIterator:
    async with backend(request.param, database_url, adapters, twins) as (begin, _world):
        yield begin


# The Postgres database is shared by the whole session: each test uses token hashes and keys of its own.


async def new_user(begin, name: str = "Ada") -> Account:
    async with begin() as unit:
        return await unit.users.add(f"{uuid4().hex[:10]}@example.test", name, "hash-1")


# --- Users -----------------------------------------------------------------------------------


async def test_an_added_user_reads_back_by_email_and_by_id(begin):
    added = await new_user(begin)
    async with begin() as unit:
        assert await unit.users.by_email(added.email) == added
        assert await unit.users.by_id(added.id) == added
    assert (added.name, added.password_hash, added.disabled_at) == ("Ada", "hash-1", None)


async def test_an_email_is_registered_once(begin):
    added = await new_user(begin)
    async with begin() as unit:
        assert await unit.users.add(added.email, "Other", "hash-2") is None
        assert (await unit.users.by_email(added.email)).name == "Ada"


async def test_unknown_users_read_as_none(begin):
    async with begin() as unit:
        assert await unit.users.by_email("nobody@example.test") is None
        assert await unit.users.by_id(uuid4()) is None


async def test_a_new_password_hash_replaces_the_old(begin):
    added = await new_user(begin)
    async with begin() as unit:
        await unit.users.set_password(added.id, "hash-2")
    async with begin() as unit:
        assert (await unit.users.by_id(added.id)).password_hash == "hash-2"


async def test_an_account_is_disabled_once(begin):
    added = await new_user(begin)
    async with begin() as unit:
        assert await unit.users.disable(added.id) is True
        assert await unit.users.disable(added.id) is False
    async with begin() as unit:
        assert (await unit.users.by_id(added.id)).disabled_at is not None


async def test_a_chosen_locale_is_kept_and_read_with_the_account_and_its_sessions(begin):
    added, other = await new_user(begin), await new_user(begin)
    assert added.locale is None
    async with begin() as unit:
        await unit.sessions.start(b"loc-" + added.id.bytes, added.id, 3600)
        assert (await unit.sessions.live(b"loc-" + added.id.bytes)).locale is None
        await unit.users.set_locale(added.id, "de")
    async with begin() as unit:
        assert (await unit.users.by_id(added.id)).locale == "de"
        assert (await unit.users.by_email(added.email)).locale == "de"
        assert (await unit.sessions.live(b"loc-" + added.id.bytes)).locale == "de"
        assert (await unit.users.by_id(other.id)).locale is None
        await unit.users.set_locale(added.id, "en")
    async with begin() as unit:
        assert (await unit.users.by_id(added.id)).locale == "en"


# --- Sessions --------------------------------------------------------------------------------


async def test_a_started_session_is_live_until_it_expires(begin):
    user = await new_user(begin)
    async with begin() as unit:
        expires_at = await unit.sessions.start(b"s1", user.id, 3600)
    async with begin() as unit:
        live = await unit.sessions.live(b"s1")
    assert expires_at > datetime.now(timezone.utc)
    assert live.user == user.user and live.expires_at == expires_at


async def test_expired_unknown_and_disabled_sessions_are_not_live(begin):
    user, disabled = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        await unit.sessions.start(b"expired", user.id, -1)
        await unit.sessions.start(b"disabled", disabled.id, 3600)
        await unit.users.disable(disabled.id)
    async with begin() as unit:
        assert await unit.sessions.live(b"expired") is None
        assert await unit.sessions.live(b"unknown") is None
        assert await unit.sessions.live(b"disabled") is None


async def test_an_ended_session_names_its_user_once(begin):
    user = await new_user(begin)
    async with begin() as unit:
        await unit.sessions.start(b"ended-1", user.id, 3600)
    async with begin() as unit:
        assert await unit.sessions.end(b"ended-1") == user.id
        assert await unit.sessions.end(b"ended-1") is None
        assert await unit.sessions.live(b"ended-1") is None


async def test_ending_the_others_keeps_one_session_and_other_users_sessions(begin):
    user, other = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        for token in (b"a", b"b", b"c"):
            await unit.sessions.start(token, user.id, 3600)
        await unit.sessions.start(b"other", other.id, 3600)
        await unit.sessions.end_others(user.id, b"b")
    async with begin() as unit:
        assert [await unit.sessions.live(t) is not None for t in (b"a", b"b", b"c", b"other")] == [
            False, True, False, True]
        await unit.sessions.end_others(user.id, None)
        assert await unit.sessions.live(b"b") is None


# --- Resets ----------------------------------------------------------------------------------


async def test_a_reset_token_is_taken_once(begin):
    user = await new_user(begin)
    async with begin() as unit:
        await unit.resets.add(b"r1", user.id, 600)
    async with begin() as unit:
        assert await unit.resets.take(b"r1") == user.id
    async with begin() as unit:
        assert await unit.resets.take(b"r1") is None


async def test_expired_and_unknown_reset_tokens_are_refused(begin):
    user = await new_user(begin)
    async with begin() as unit:
        await unit.resets.add(b"old", user.id, -1)
    async with begin() as unit:
        assert await unit.resets.take(b"old") is None
        assert await unit.resets.take(b"unknown") is None


async def test_taking_a_reset_token_uses_up_the_accounts_other_tokens(begin):
    user, other = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        for token, whose in ((b"first", user), (b"second", user), (b"theirs", other)):
            await unit.resets.add(token, whose.id, 600)
    async with begin() as unit:
        assert await unit.resets.take(b"second") == user.id
    async with begin() as unit:
        assert await unit.resets.take(b"first") is None
        assert await unit.resets.take(b"theirs") == other.id


# --- ThrottleCounters ------------------------------------------------------------------------

SLOW = Rule(free=2, first_delay=60, longest=600)


async def attempts(begin, scope: str, key: str, count: int, rule: Rule = SLOW) -> list[bool]:
    async with begin() as unit:
        return [await unit.throttle.attempt(scope, key, rule) for _ in range(count)]


async def test_the_free_attempts_pass_and_the_next_waits(begin):
    assert await attempts(begin, "sign_in", "ada 10.0.0.1", 3) == [True, True, False]
    async with begin() as unit:
        assert 1 <= await unit.throttle.wait("sign_in", "ada 10.0.0.1", SLOW) <= 60


async def test_keys_and_scopes_are_counted_apart(begin):
    await attempts(begin, "sign_in", "keys-ada", 3)
    assert await attempts(begin, "sign_in", "keys-bob", 2) == [True, True]
    assert await attempts(begin, "reset", "keys-ada", 2) == [True, True]


async def test_a_refund_gives_one_attempt_back(begin):
    await attempts(begin, "sign_in", "refund-ada", 2)
    async with begin() as unit:
        await unit.throttle.refund("sign_in", "refund-ada")
    assert await attempts(begin, "sign_in", "refund-ada", 2) == [True, False]


async def test_a_forgiven_key_starts_again(begin):
    await attempts(begin, "sign_in", "forgive-ada", 3)
    async with begin() as unit:
        await unit.throttle.forgive("sign_in", "forgive-ada", SLOW.forget_after)
    assert await attempts(begin, "sign_in", "forgive-ada", 3) == [True, True, False]


async def test_a_key_never_tried_waits_the_least(begin):
    async with begin() as unit:
        assert await unit.throttle.wait("sign_in", "nobody", SLOW) == 1


# --- Audit -----------------------------------------------------------------------------------


async def test_a_workspace_reads_its_events_and_its_members_own_newest_first(begin):
    member, stranger = await new_user(begin), await new_user(begin)
    async with begin() as unit:
        workspace, other = await unit.workspaces.add("w"), await unit.workspaces.add("other")
        await unit.members.add(workspace.id, member.id, Role.MEMBER)
    board = uuid4()
    async with begin() as unit:
        await unit.audit.record("workspace.thing", actor=member.id, workspace=workspace.id, address="10.0.0.1",
                                board=board, count=2)
        await unit.audit.record("sign_in", actor=member.id, subject=member.id)
        await unit.audit.record("sign_in", actor=stranger.id, subject=stranger.id)
        await unit.audit.record("other.thing", workspace=other.id)
    async with begin() as unit:
        events = await unit.audit.for_workspace(workspace.id, 10)
        newest = await unit.audit.for_workspace(workspace.id, 1)
    assert [(e.event, e.subject_id) for e in events] == [("sign_in", member.id), ("workspace.thing", None)]
    thing = events[1]
    assert (thing.actor_id, thing.address, thing.details) == (member.id, "10.0.0.1", {"board": str(board), "count": 2})
    assert events[0].id > thing.id and events[0].at >= thing.at
    assert newest == events[:1]


@pytest.fixture(params=["memory", "postgres"])
async def heard(request, database_url) -> AsyncIterator:
    """``(begin, heard)``: ``heard()`` is what was announced, as every node receives it."""
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        if world.db is not None:
            yield begin, lambda: list(world.db.table("access_announced", list))
            return
        received: list[AccessChanged] = []
        conn = await asyncpg.connect(database_url)
        await conn.add_listener(ACCESS_CHANNEL, lambda _c, _p, _ch, payload: received.append(decode_event(payload)))
        try:
            yield begin, lambda: list(received)
        finally:
            await conn.close()


async def test_announcements_are_heard_once_their_unit_of_work_commits_and_never_if_it_fails(heard):
    begin, announced = heard
    user, dropped = uuid4(), uuid4()
    with pytest.raises(RuntimeError):
        async with begin() as unit:
            await unit.audit.announce(user=dropped)
            raise RuntimeError("rolled back")
    async with begin() as unit:
        await unit.audit.announce(user=user)
        await unit.audit.announce(session=b"\x01\x02")
    expected = [AccessChanged(user, None), AccessChanged(None, b"\x01\x02")]

    def ours() -> list[AccessChanged]:  # other suites may announce on the shared database
        return [event for event in announced() if event in expected or event.user == dropped]

    await eventually(lambda: len(ours()) >= 2)
    assert ours() == expected

