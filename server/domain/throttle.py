"""Throttling rules for sign-in, sign-up and password reset: progressive delays, never a wall.

Attempts are counted per *key* — an account from one address, an address across accounts —
*before* the costly or noisy work (hashing a password, sending a mail), so parallel attempts
cannot slip past the count. The first ``free`` attempts under a key go through at once; after
that each one must wait longer than the last (``first_delay``, doubled each time, at most
``longest``). A key left alone for twice ``longest`` is forgotten. Throttling the pair (account,
address) rather than the account is what keeps an attacker from locking the real user out: the
right password from another address is never delayed by someone else's guesses.
"""

from __future__ import annotations

import ipaddress
from enum import Enum
from typing import NamedTuple

# How much more one address may try than one account from it (shared NATs, offices).
ADDRESS_FACTOR = 10
_MAX_KEY = 320  # an e-mail (254) and an address, with room to spare; longer input is cut


class Scope(str, Enum):
    """What is counted; stored with each key."""

    SIGN_IN = "sign_in"  # key: account and address
    SIGN_IN_ADDRESS = "sign_in_address"
    SIGN_UP_ADDRESS = "sign_up_address"
    RESET = "reset"  # key: account
    RESET_ADDRESS = "reset_address"
    BOOKING_ADDRESS = "booking_address"  # a public booking (issue 18 item 6); key: address
    BOOKING_SLOTS_ADDRESS = "booking_slots_address"  # a public page's free slots; key: address
    LEAD_FORM_ADDRESS = "lead_form_address"  # a web form's post (docs/leads.md); key: address
    LEAD_FORM = "lead_form"  # every post to one form; key: the form's id


class Rule(NamedTuple):
    """``free`` attempts without delay, then ``first_delay`` seconds doubling up to ``longest``."""

    free: int
    first_delay: float
    longest: float

    def delays(self) -> list[float]:
        """The waits after the ``free``-th attempt, the next one, …: ``first_delay`` doubling up to
        ``longest`` (the last entry holds for every attempt beyond). No wait before the ``free``-th."""
        waits, delay = [], max(self.first_delay, 0.001)
        while True:
            waits.append(min(delay, self.longest))
            if delay >= self.longest:
                return waits
            delay *= 2

    def wait_after(self, attempts: int) -> float:
        """Seconds the next attempt must wait after ``attempts`` (what the SQL computes)."""
        if attempts < self.free:
            return 0.0
        waits = self.delays()
        return waits[min(attempts - self.free, len(waits) - 1)]

    @property
    def forget_after(self) -> float:
        """A key without an attempt for this long starts again from zero."""
        return 2 * self.longest


def key(*parts: str) -> str:
    """One key from its parts (an e-mail, an address), bounded in length. An IPv6 address counts
    as its /64 — one subscriber's network, whose 2^64 addresses any client can rotate through to
    escape a per-address count — and an IPv4-mapped one as the IPv4 address."""
    return " ".join(_network(part.strip().lower()) for part in parts)[:_MAX_KEY]


def _network(part: str) -> str:
    try:
        address = ipaddress.ip_address(part)
    except ValueError:
        return part  # an e-mail, or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return part
