"""Forecast history (issue 19 items 2 and 3): weekly snapshots of the open pipeline, what changed
since one, and teams. Pure: no I/O.

A snapshot holds every open deal of a workspace once per week (the week begins on Monday in the
time zone the snapshot job counts in). Comparing a snapshot with the deals now, over a period of
expected close [first, after):

- ``slipped``: in the period then, still open, its expected close now outside it (or gone);
- ``pulled_in``: open then with a close outside the period, open now with one inside it;
- ``added``: open now with a close in the period and not in the snapshot (new, or reopened);
- ``lost`` / ``won``: in the period then, lost / won now;
- ``removed``: in the period then, no such deal now (deleted);
- ``value_changed``: in the period then and now, another value or currency.

Each deal falls into at most one of them, in that order of checks.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from server.domain.accounts import InvalidInput

CATEGORIES = ("pipeline", "best_case", "commit", "omitted")
MAX_TEAM_NAME = 100


class Change(enum.StrEnum):
    SLIPPED = "slipped"
    PULLED_IN = "pulled_in"
    ADDED = "added"
    LOST = "lost"
    WON = "won"
    REMOVED = "removed"
    VALUE_CHANGED = "value_changed"


Key = tuple[UUID, UUID]  # (board, card)


class SnapshotDeal(NamedTuple):
    """An open deal as a weekly snapshot saw it; ``probability`` its own, else its stage's (0-100)."""

    board_id: UUID
    card_id: UUID
    title: str
    owner_id: UUID | None
    value: float | None
    currency: str | None
    expected_close: date | None
    stage_id: UUID
    probability: float | None
    category: str  # pipeline, best_case, commit, omitted


class SnapshotWeek(NamedTuple):
    workspace_id: UUID
    week: date  # the Monday it begins
    taken_at: datetime
    deals: int


class DealNow(NamedTuple):
    """A deal as it is now, with how often its expected close was pushed later."""

    board_id: UUID
    card_id: UUID
    title: str
    owner_id: UUID | None
    status: str
    value: float | None
    currency: str | None
    expected_close: date | None
    stage_id: UUID
    probability: float | None
    category: str
    pushes: int


class Team(NamedTuple):
    id: UUID
    workspace_id: UUID
    name: str
    members: tuple[UUID, ...]  # user ids, in the order they were added
    created_at: datetime


def week_start(now: datetime, zone: str) -> date:
    """The Monday of the week holding ``now`` in time zone ``zone``."""
    day = now.astimezone(ZoneInfo(zone)).date()
    return day - timedelta(days=day.weekday())


def _inside(close: date | None, first: date, after: date) -> bool:
    return close is not None and first <= close < after


def classify(before: SnapshotDeal | None, now: DealNow | None, first: date, after: date) -> Change | None:
    """What became of one deal between a snapshot and now, over the period [first, after); None: no change."""
    if before is not None and _inside(before.expected_close, first, after):
        if now is None:
            return Change.REMOVED
        if now.status in ("lost", "won"):
            return Change(now.status)
        if not _inside(now.expected_close, first, after):
            return Change.SLIPPED
        if (now.value or 0.0, now.currency) != (before.value or 0.0, before.currency):
            return Change.VALUE_CHANGED
        return None
    if now is not None and now.status == "open" and _inside(now.expected_close, first, after):
        return Change.ADDED if before is None else Change.PULLED_IN
    return None


class Moved(NamedTuple):
    kind: Change
    before: SnapshotDeal | None
    now: DealNow | None

    def amount(self) -> tuple[str | None, float]:
        """The money this change moves: the value gained or lost, the difference for a value change
        (in the currency now)."""
        then = (self.before.value or 0.0) if self.before else 0.0
        now = (self.now.value or 0.0) if self.now else 0.0
        if self.kind is Change.VALUE_CHANGED and self.now and self.before \
                and self.now.currency == self.before.currency:
            return self.now.currency, now - then
        if self.kind in (Change.ADDED, Change.PULLED_IN):
            return self.now.currency if self.now else None, now
        if self.kind is Change.VALUE_CHANGED and self.now:  # another currency: all of it is new
            return self.now.currency, now
        return (self.before.currency if self.before else None), -then


def changes(before: Mapping[Key, SnapshotDeal], now: Mapping[Key, DealNow], first: date,
            after: date) -> list[Moved]:
    """Every deal that changed, in the order of ``Change`` then title."""
    found = []
    for key in before.keys() | now.keys():
        kind = classify(before.get(key), now.get(key), first, after)
        if kind is not None:
            found.append(Moved(kind, before.get(key), now.get(key)))
    found.sort(key=order)
    return found


_ORDER = {kind: i for i, kind in enumerate(Change)}


def order(move: Moved) -> tuple[int, str, str]:
    """Changes in the order of ``Change``, then by title."""
    deal = move.now or move.before
    assert deal is not None
    return _ORDER[move.kind], deal.title.casefold(), str(deal.card_id)


def summed(moves: Iterable[Moved], default: str) -> dict[str, float]:
    """The money of ``moves`` per currency (``default`` where a deal names none)."""
    money: dict[str, float] = {}
    for move in moves:
        currency, amount = move.amount()
        key = currency or default
        money[key] = round(money.get(key, 0.0) + amount, 2)
    return money


def team_name(raw: object) -> str:
    """A team's name, trimmed; ``InvalidInput`` naming ``name`` otherwise."""
    if not isinstance(raw, str) or not raw.strip() or len(raw.strip()) > MAX_TEAM_NAME:
        raise InvalidInput(f"name: expected 1 to {MAX_TEAM_NAME} characters, got {str(raw)[:40]!r}")
    return raw.strip()
