"""Named SQL statements read from the ``.sql`` files beside this module (``-- name: x`` blocks)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_HEADER = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def queries(file: str) -> dict[str, str]:
    """Map each ``-- name:`` in ``sql/<file>.sql`` to the statement below it."""
    text = (Path(__file__).parent / "sql" / f"{file}.sql").read_text()
    parts = _HEADER.split(text)[1:]
    return {name: body.strip() for name, body in zip(parts[::2], parts[1::2])}
