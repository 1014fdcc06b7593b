"""Tests wait on conditions under a deadline (tests/support/waiting.py), never "sleep, then assert"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.waiting import eventually

TESTS = Path(__file__).resolve().parents[1]
FIXED_SLEEP = re.compile(r"(asyncio|time)\.sleep\((?!0\))")


def test_every_fixed_sleep_in_the_tests_says_why_it_is_no_wait_for_a_condition() -> None:
    unexplained = []
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" in path.parts or path.name == "waiting.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FIXED_SLEEP.search(line) and "#" not in line:
                unexplained.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert not unexplained, "wait with tests.support.waiting.eventually, or say why the time itself matters:\n" + \
        "\n".join(unexplained)


async def test_eventually_returns_the_first_truthy_result_of_a_plain_or_async_check() -> None:
    answers = iter([None, 0, "ready"])
    assert await eventually(lambda: next(answers), every=0) == "ready"

    async def ready() -> int:
        return 7

    assert await eventually(ready) == 7


async def test_eventually_names_what_it_waited_for_when_the_deadline_passes() -> None:
    with pytest.raises(TimeoutError, match="waited 0.05 s for the moon"):
        await eventually(lambda: False, timeout=0.05, what="the moon")
