"""A workspace's pick lists: the lost reasons the "mark lost" dialog offers, and the labels (a
name and a colour) that mark deals and contacts. Rules only; no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from server.domain.accounts import InvalidInput

#: The colours a label may have; the app draws each from its own accessible palette.
LABEL_COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple")
MAX_ITEMS = 100
MAX_REASON = 200
MAX_LABEL = 60


class Label(NamedTuple):
    name: str
    colour: str


class PickLists(NamedTuple):
    lost_reasons: list[str]
    labels: list[Label]


def _name(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"expected a non-empty {what}, got {value!r}")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidInput(f"expected a {what} of at most {limit} characters, got {len(text)}")
    return text


def _distinct(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise InvalidInput(f"expected distinct {what}s, got {name!r} twice")
        seen.add(name.casefold())
    if len(names) > MAX_ITEMS:
        raise InvalidInput(f"expected at most {MAX_ITEMS} {what}s, got {len(names)}")


def check_lost_reasons(items: Iterable[object]) -> list[str]:
    """The reasons as given, trimmed; refuses blanks, overlong ones and repeats (ignoring case)."""
    reasons = [_name(item, "lost reason", MAX_REASON) for item in items]
    _distinct(reasons, "lost reason")
    return reasons


def check_labels(items: Iterable[Mapping[str, object]]) -> list[Label]:
    """Labels as given, trimmed; each colour one of ``LABEL_COLOURS``, names distinct ignoring case."""
    labels = []
    for item in items:
        colour = item.get("colour") or "grey"
        if colour not in LABEL_COLOURS:
            raise InvalidInput(f"expected a label colour ({', '.join(LABEL_COLOURS)}), got {colour!r}")
        labels.append(Label(_name(item.get("name"), "label name", MAX_LABEL), str(colour)))
    _distinct([label.name for label in labels], "label name")
    return labels


def renamed_labels(labels: list[Label], old: str, new: object) -> tuple[str, str, list[Label]]:
    """The old name as listed, the new one as it will be written, and the list with that label
    renamed in place with its colour; refuses an unknown ``old`` and a ``new`` another label has."""
    name = _name(new, "label name", MAX_LABEL)
    found = next((label for label in labels if label.name.casefold() == old.casefold()), None)
    if found is None:
        raise InvalidInput(f"expected the name of one of the workspace's labels, got {old!r}")
    result = [Label(name, label.colour) if label is found else label for label in labels]
    _distinct([label.name for label in result], "label name")
    return found.name, name, result
