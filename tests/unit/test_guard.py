"""The per-connection guard: read-only strikes, one presence id, echo filtering, stamped identity, rates."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from server.domain.accounts import Identity
from server.protocol.messages import EMPTY_UPDATE, AwarenessEntry
from server.sync.guard import Guard, MessageFlood, ReadOnlyViolation

MALLORY = Identity(uuid4(), "Mallory")
ALICE = Identity(uuid4(), "Alice")
ME, SOMEONE_ELSE = object(), object()  # this connection and another one of the room
OTHER_NODE = "node-b"  # the owner of an entry another node relayed


def entry(client_id: int, state: object, clock: int = 1) -> AwarenessEntry:
    return AwarenessEntry(client_id, clock, json.dumps(state))


def stamped_by(user: Identity, client_id: int, clock: int = 1) -> AwarenessEntry:
    return entry(client_id, {"user": {"id": str(user.id), "name": user.name}}, clock)


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
    assert guard.presence_id == 7


def test_once_claimed_entries_for_any_other_client_id_are_dropped_not_fatal():
    guard = Guard()
    guard.presence(None, [entry(7, {"cursor": 1})])
    assert guard.presence(None, [entry(8, {"cursor": 1})]) is None
    assert guard.presence(None, [entry(8, {"cursor": 2}, clock=2)]) is None
    assert guard.presence_id == 7 and guard.dropped_foreign == 2


def test_an_echo_of_another_connections_entry_is_dropped_and_claims_nothing():
    guard = Guard()
    held = {5: (entry(5, {"cursor": 1}, clock=3), SOMEONE_ELSE)}
    assert guard.presence(None, [entry(5, {"cursor": 1}, clock=3)], held, ME) is None
    assert guard.presence(None, [entry(5, {"cursor": 9}, clock=50)], held, ME) is None  # nor a newer clock
    assert guard.presence_id is None and guard.dropped_foreign == 2
    assert guard.presence(None, [entry(7, {"cursor": 1})], held, ME).client_id == 7


def test_an_echo_of_several_entries_keeps_only_the_connections_own():
    guard = Guard()
    held = {5: (entry(5, {"cursor": 1}), SOMEONE_ELSE), 6: (entry(6, {"cursor": 1}), OTHER_NODE)}
    own = entry(7, {"cursor": 2})
    assert guard.presence(None, [entry(5, {"cursor": 1}), own, entry(6, {"cursor": 1})], held, ME) is own
    assert guard.presence_id == 7 and guard.dropped_foreign == 2


def test_several_entries_for_ids_nobody_holds_claim_only_the_first():
    guard = Guard()
    assert guard.presence(None, [entry(7, {}), entry(8, {"user": {"name": "Ghost"}})]).client_id == 7
    assert guard.presence_id == 7 and guard.dropped_foreign == 1


def test_a_removal_claims_no_client_id():
    guard = Guard()
    assert guard.presence(None, [AwarenessEntry(5, 4, "null")]) is None  # another client left; echoed
    assert guard.presence_id is None and guard.dropped_foreign == 1


def claimed(client_id: int, clock: int) -> tuple[Guard, dict]:
    """A guard whose connection set ``client_id``'s state at ``clock``, and the room holding it."""
    guard = Guard()
    held = {client_id: (guard.presence(None, [entry(client_id, {"cursor": 1}, clock)]), ME)}
    return guard, held


def test_an_entry_whose_clock_is_not_newer_than_the_one_held_is_a_stale_echo():
    guard, held = claimed(7, clock=4)
    assert guard.presence(None, [entry(7, {"cursor": 1}, clock=4)], held, ME) is None
    assert guard.presence(None, [entry(7, {"cursor": 0}, clock=3)], held, ME) is None
    assert guard.dropped_stale == 2
    assert guard.presence(None, [entry(7, {"cursor": 2}, clock=5)], held, ME).clock == 5


def test_a_removal_with_the_clock_held_is_newer_as_in_y_protocols():
    guard, held = claimed(7, clock=4)
    removal = AwarenessEntry(7, 4, "null")
    assert guard.presence(None, [removal], held, ME) is removal
    assert guard.presence(None, [AwarenessEntry(7, 3, "null")], held, ME) is None


def test_a_client_that_moved_from_another_node_takes_its_entry_over_when_it_is_the_same_user():
    guard = Guard()
    held = {7: (stamped_by(MALLORY, 7, clock=4), OTHER_NODE)}
    taken = guard.presence(MALLORY, [entry(7, {"cursor": 1}, clock=5)], held, ME)
    assert taken.client_id == 7 and guard.presence_id == 7


def test_another_users_entry_on_another_node_is_not_taken_over():
    guard = Guard()
    held = {7: (stamped_by(ALICE, 7, clock=4), OTHER_NODE)}
    assert guard.presence(MALLORY, [entry(7, {"cursor": 1}, clock=50)], held, ME) is None
    assert guard.presence_id is None and guard.dropped_foreign == 1


def test_with_auth_off_an_entry_on_another_node_without_a_user_id_is_taken_over():
    held = {7: (entry(7, {"user": {"name": "Ada"}}, clock=4), OTHER_NODE)}
    assert Guard().presence(None, [entry(7, {"user": {"name": "Ada"}}, clock=5)], held, ME).client_id == 7
    held = {7: (stamped_by(ALICE, 7, clock=4), OTHER_NODE)}
    assert Guard().presence(None, [entry(7, {}, clock=5)], held, ME) is None


def test_taking_over_another_nodes_entry_still_needs_a_newer_clock():
    guard = Guard()
    held = {7: (stamped_by(MALLORY, 7, clock=4), OTHER_NODE)}
    assert guard.presence(MALLORY, [entry(7, {}, clock=4)], held, ME) is None  # an echo of what it relayed
    assert guard.presence_id is None and guard.dropped_stale == 1


def test_identity_in_awareness_comes_from_the_session_keeping_only_a_short_colour():
    forged = {"user": {"id": "someone-else", "name": "The CEO", "color": "#f00", "role": "admin"}, "cursor": 3}
    stamped = Guard().presence(MALLORY, [entry(7, forged)])
    assert json.loads(stamped.state) == {
        "user": {"id": str(MALLORY.id), "name": "Mallory", "color": "#f00"}, "cursor": 3}


def test_a_forged_identity_in_an_echo_of_several_entries_is_stamped_over_in_the_one_kept():
    forged = {"user": {"id": str(ALICE.id), "name": "Alice"}}
    kept = Guard().presence(MALLORY, [entry(7, forged), entry(8, forged)])
    assert kept.client_id == 7 and json.loads(kept.state)["user"] == {"id": str(MALLORY.id), "name": "Mallory"}


def test_a_state_without_user_gets_one_and_removals_pass_untouched():
    guard = Guard()
    assert json.loads(guard.presence(MALLORY, [entry(7, {})]).state)["user"]["name"] == "Mallory"
    removal = AwarenessEntry(7, 2, "null")
    assert guard.presence(MALLORY, [removal]) is removal


def test_echoes_do_not_spend_the_awareness_rate():
    guard = Guard(awareness_per_second=1)
    held = {5: (entry(5, {}), SOMEONE_ELSE)}
    guard.presence(None, [entry(7, {})], held, ME)
    for clock in range(100):
        assert guard.presence(None, [entry(5, {}, clock=clock)], held, ME) is None
    assert guard.presence(None, [entry(7, {}, clock=2)], held, ME) is not None
    assert guard.dropped_awareness == 0


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
