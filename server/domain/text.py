"""Text that Postgres cannot store, found before it gets there.

A Postgres ``text`` (and ``jsonb``) value holds any Unicode scalar value except U+0000, and a
Python ``str`` can also hold lone surrogates (U+D800–U+DFFF: Python's ``json`` decodes
``"\\ud800"`` to one), which no UTF-8 database can encode. asyncpg refuses either only when it
sends the value — a 500 in the middle of a use case, or a projection that fails on every run — so
the API refuses them at the edge (422 naming the field) and the projection skips such values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from server.domain.accounts import InvalidInput

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(InvalidInput):
    """A value holds text Postgres cannot store; ``field`` names where it is."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def unstorable(text: str) -> str | None:
    """Why Postgres cannot store ``text`` (``expected ..., got ...``), or None if it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character (U+0000)" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"
    return f"expected text without NUL characters or lone surrogates, got {what} at character {found.start() + 1}"


def find_unstorable(value: object, where: str = "") -> UnstorableText | None:
    """The first string (key or value) in a decoded JSON ``value`` that Postgres cannot store,
    as the error to raise, naming its path (``contact.names[2]``); None if there is none."""
    if isinstance(value, str):
        reason = unstorable(value)
        return UnstorableText(where or "body", reason) if reason else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and (reason := unstorable(key)):
                return UnstorableText(where or "body", f"in a key, {reason}")
            if (found := find_unstorable(item, path)) is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if (found := find_unstorable(item, f"{where}[{index}]")) is not None:
                return found
    return None
