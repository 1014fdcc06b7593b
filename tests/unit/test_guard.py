"""The per-connection guard: read-only strikes, one presence id, stamped identity, rate budgets."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from server.domain.accounts import Identity
from server.protocol.messages import EMPTY_UPDATE, AwarenessEntry
from server.sync.guard import Guard, MessageFlood, PresenceViolation, ReadOnlyViolation

MALLORY = Identity(uuid4(), "Mallory")


def entry(client_id: int, state: object, clock: int = 1) -> AwarenessEntry:
    return AwarenessEntry(client_id, clock, json.dumps(state))


def test_an_empty_step2_from_a_read_only_client_is_not_a_strike():
    guard = Guard(max_strikes=2)
    for _ in range(10):
        guard.refuse_write(EMPTY_UPDATE)
    assert guard.strikes == 0


def test_writes_on_a_read_only_connection_are_tolerated_until_the_strike_limit():
    guard = Guard(max_strikes=2)
    guard.refuse_write(b"\x01\x02")
    guard.refuse_write(b"\x01\x02")
    with pytest.raises(ReadOnlyViolation, match="3 writes on a read-only connection"):
        guard.refuse_write(b"\x01\x02")


def test_the_first_awareness_entry_claims_the_connections_client_id():
    guard = Guard()
    assert guard.presence(None, [entry(7, {"cursor": 1})]).client_id == 7
    assert guard.presence(None, [entry(7, {"cursor": 2}, clock=2)]).client_id == 7
    with pytest.raises(PresenceViolation, match="client id 8 is not this connection's \\(7\\)"):
        guard.presence(None, [entry(8, {"cursor": 1})])


def test_several_entries_in_one_message_are_refused():
    with pytest.raises(PresenceViolation, match="expected exactly one awareness entry.*got 2"):
        Guard().presence(None, [entry(7, {}), entry(8, {})])


def test_identity_in_awareness_comes_from_the_session_keeping_only_a_short_colour():
    forged = {"user": {"id": "someone-else", "name": "The CEO", "color": "#f00", "role": "admin"}, "cursor": 3}
    stamped = Guard().presence(MALLORY, [entry(7, forged)])
    assert json.loads(stamped.state) == {
        "user": {"id": str(MALLORY.id), "name": "Mallory", "color": "#f00"}, "cursor": 3}


def test_a_state_without_user_gets_one_and_removals_pass_untouched():
    guard = Guard()
    assert json.loads(guard.presence(MALLORY, [entry(7, {})]).state)["user"]["name"] == "Mallory"
    removal = AwarenessEntry(7, 2, "null")
    assert guard.presence(MALLORY, [removal]) is removal


def test_awareness_beyond_the_rate_is_dropped_not_fatal():
    guard = Guard(awareness_per_second=5)
    relayed = [guard.presence(None, [entry(7, {"n": i}, clock=i)]) for i in range(100)]
    assert 10 <= sum(e is not None for e in relayed) <= 12  # the burst (2 x rate), maybe a refill
    assert guard.dropped_awareness >= 88


def test_a_message_flood_closes_after_twice_the_burst():
    guard = Guard(messages_per_second=10)
    for _ in range(40):
        guard.message()
    with pytest.raises(MessageFlood, match="more than 10 messages a second"):
        for _ in range(5):
            guard.message()


def test_rate_limits_can_be_turned_off():
    guard = Guard(awareness_per_second=0, messages_per_second=0)
    for i in range(10_000):
        guard.message()
        assert guard.presence(None, [entry(7, {}, clock=i)]) is not None
