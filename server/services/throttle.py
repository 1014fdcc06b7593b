"""``Throttle``: counts attempts before the work they ask for, and refuses early ones.

The rules (``server.domain.throttle``) say how long each key waits; the counting is the
``ThrottleCounters`` port's (in Postgres one statement per key, ``storage/sql/accounts.sql``:
``throttle_attempt``, shared by every node).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.domain.accounts import Throttled
from server.domain.throttle import Rule, Scope

if TYPE_CHECKING:
    from server.services.ports.unit import Begin

Counted = tuple[Scope, str]  # (scope, key)


class Throttle:
    """Attempts per (scope, key) under one rule per scope."""

    def __init__(self, begin: Begin, rules: dict[Scope, Rule]) -> None:
        self._begin, self._rules = begin, rules

    async def attempt(self, *keys: Counted, refused: str) -> None:
        """Count one attempt under every key, or raise ``Throttled`` ("<refused>: try again in N s").

        Keys are counted in order; if one refuses, the ones counted before it are taken back, so
        a refusal costs nothing under the other keys.
        """
        async with self._begin(autocommit=True) as unit:
            for done, (scope, key) in enumerate(keys):
                if await unit.throttle.attempt(scope.value, key, self._rules[scope]):
                    continue
                wait = await unit.throttle.wait(scope.value, key, self._rules[scope])
                for earlier, earlier_key in keys[:done]:
                    await unit.throttle.refund(earlier.value, earlier_key)
                raise Throttled(f"{refused}: try again in {wait} s", retry_after=wait)

    async def succeeded(self, *, forgive: Counted, refund: Counted) -> None:
        """The attempt worked: forget ``forgive`` (and keys long left alone), take back ``refund``'s count."""
        async with self._begin(autocommit=True) as unit:
            await unit.throttle.forgive(forgive[0].value, forgive[1], self._rules[forgive[0]].forget_after)
            await unit.throttle.refund(refund[0].value, refund[1])
