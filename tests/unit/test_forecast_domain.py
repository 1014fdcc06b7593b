"""What became of a deal between a weekly snapshot and now (``server.domain.forecast``): each case,
the money it moves, and the week a moment belongs to in a time zone."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from server.domain.accounts import InvalidInput
from server.domain.forecast import Change, DealNow, SnapshotDeal, changes, classify, summed, team_name, week_start

BOARD, CARD, STAGE = uuid4(), uuid4(), uuid4()
FIRST, AFTER = date(2026, 3, 1), date(2026, 4, 1)


def then(close: date | None = date(2026, 3, 10), value: float = 100.0, currency: str = "EUR") -> SnapshotDeal:
    return SnapshotDeal(BOARD, CARD, "Acme", None, value, currency, close, STAGE, 10.0, "pipeline")


def now(close: date | None = date(2026, 3, 10), value: float = 100.0, status: str = "open",
        currency: str = "EUR") -> DealNow:
    return DealNow(BOARD, CARD, "Acme", None, status, value, currency, close, STAGE, 10.0, "pipeline", 0)


@pytest.mark.parametrize(("before", "after", "expected"), [
    (then(), now(date(2026, 4, 2)), Change.SLIPPED),
    (then(), now(None), Change.SLIPPED),
    (then(), now(date(2026, 2, 27)), Change.SLIPPED),
    (then(date(2026, 4, 20)), now(), Change.PULLED_IN),
    (None, now(), Change.ADDED),
    (then(), now(status="lost"), Change.LOST),
    (then(), now(status="won"), Change.WON),
    (then(), None, Change.REMOVED),
    (then(), now(value=150.0), Change.VALUE_CHANGED),
    (then(), now(currency="USD"), Change.VALUE_CHANGED),
    (then(), now(date(2026, 3, 31)), None),
    (then(date(2026, 4, 20)), now(date(2026, 5, 1)), None),
    (None, now(date(2026, 4, 1)), None),
    (None, now(status="won"), None),
])
def test_each_deal_falls_into_one_change(before, after, expected):
    assert classify(before, after, FIRST, AFTER) is expected


def test_the_money_each_change_moves():
    key = (BOARD, CARD)
    assert summed(changes({key: then()}, {key: now(value=130.0)}, FIRST, AFTER), "EUR") == {"EUR": 30.0}
    assert summed(changes({key: then()}, {key: now(status="lost")}, FIRST, AFTER), "EUR") == {"EUR": -100.0}
    assert summed(changes({}, {key: now(value=70.0, currency="USD")}, FIRST, AFTER), "EUR") == {"USD": 70.0}
    moved = changes({key: then()}, {key: now(value=90.0, currency="USD")}, FIRST, AFTER)
    assert summed(moved, "EUR") == {"USD": 90.0}, "another currency: all of it is the new value"


def test_a_week_begins_on_monday_in_the_time_zone():
    assert week_start(datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc), "Europe/Berlin") == date(2026, 2, 23)
    assert week_start(datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), "Europe/Berlin") == date(2026, 3, 2)
    assert week_start(datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), "UTC") == date(2026, 2, 23)


def test_a_team_name_is_trimmed_and_bounded():
    assert team_name("  North ") == "North"
    for bad in ("", "   ", "x" * 101, None):
        with pytest.raises(InvalidInput, match="name"):
            team_name(bad)
