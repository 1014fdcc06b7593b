"""Round robin over a team (issue 18 item 6, ``server.domain.booking.pick_host``): of the members
free at a time, the one with the fewest bookings from the link; ties to the one booked longest ago,
never booked first; nobody free, nobody."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from server.domain.booking import pick_host

A, B, C = (UUID(int=n) for n in (3, 2, 1))
T = datetime(2031, 3, 3, tzinfo=timezone.utc)


def test_the_member_with_fewest_bookings_wins():
    assert pick_host([A, B, C], {A: (2, T), B: (1, T), C: (3, T)}) == B


def test_a_tie_goes_to_the_one_booked_longest_ago_and_never_booked_first():
    assert pick_host([A, B], {A: (1, T), B: (1, T + timedelta(hours=1))}) == A
    assert pick_host([A, B], {A: (0, None), B: (0, T)}) == A
    assert pick_host([A, B], {B: (1, T)}) == A, "A has none from this link"


def test_only_free_members_are_picked_and_none_free_is_none():
    assert pick_host([C], {A: (0, None), C: (9, T)}) == C
    assert pick_host([], {A: (0, None)}) is None


def test_many_bookings_in_a_row_spread_evenly():
    tally: dict[UUID, tuple[int, datetime | None]] = {}
    for i in range(30):
        chosen = pick_host([A, B, C], tally)
        n, _ = tally.get(chosen, (0, None))
        tally[chosen] = (n + 1, T + timedelta(minutes=i))
    assert {m: n for m, (n, _) in tally.items()} == {A: 10, B: 10, C: 10}
