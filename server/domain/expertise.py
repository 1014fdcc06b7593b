"""Expertise and "who should take this" (docs/expertise.md).

A workspace keeps a list of expertise tags (languages, industries, products, regions); each member
has some. A piece of work wants some tags — chosen, or derived from a deal's labels and custom
field values that equal a tag's name. ``suggest`` answers who should take it: the members having
ALL wanted tags, else (said so: ``complete`` is False) those having the most of them; ranked by
free hours this week (their working week minus the hours booked, from the team-tasks workload),
then by fewest overdue activities, then by name. Each suggestion explains itself
("has Französisch, Maschinenbau; 12 of 40 h booked"). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput

MAX_NAME = 60  # a tag's name, in characters
MAX_TAGS = 200  # tags a workspace keeps
SUGGESTED = 3  # how many the picker shows first


class Tag(NamedTuple):
    id: UUID
    name: str


class Candidate(NamedTuple):
    """A member who could take the work, with this week's load (``server.domain.team_tasks.Load``)."""

    person: UUID
    name: str
    tags: frozenset[UUID]
    hours: float  # booked this week
    capacity: float  # their working week
    overdue: int


class Suggestion(NamedTuple):
    person: UUID
    name: str
    has: tuple[str, ...]  # the wanted tags they have, by name
    lacks: tuple[str, ...]  # the wanted tags they do not have
    hours: float
    capacity: float
    overdue: int

    @property
    def free(self) -> float:
        return self.capacity - self.hours

    @property
    def reason(self) -> str:
        """Why them, in a line: "has Französisch, Maschinenbau; 12 of 40 h booked"."""
        parts = [f"has {', '.join(self.has)}"]
        if self.lacks:
            parts.append(f"lacks {', '.join(self.lacks)}")
        parts.append(f"{_hours(self.hours)} of {_hours(self.capacity)} h booked")
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        return "; ".join(parts)


class Match(NamedTuple):
    """The ranked suggestions; ``complete``: they have every wanted tag (False: only the most)."""

    wanted: tuple[Tag, ...]
    suggestions: tuple[Suggestion, ...]
    complete: bool

    def best(self) -> list[UUID]:
        """Those tied at the top (same free hours and overdue count): a round robin draws among them."""
        if not self.suggestions:
            return []
        top = self.suggestions[0]
        return [s.person for s in self.suggestions if (s.free, s.overdue) == (top.free, top.overdue)]


def check_tag_name(raw: object) -> str:
    """A tag's name: 1 to 60 characters once trimmed, inner spaces collapsed."""
    if not isinstance(raw, str) or not " ".join(raw.split()):
        raise InvalidInput(f"name: expected a tag name of 1 to {MAX_NAME} characters, got {str(raw)[:40]!r}")
    name = " ".join(raw.split())
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name: expected at most {MAX_NAME} characters, got {len(name)}")
    return name


def tags_named(tags: Iterable[Tag], words: Iterable[str]) -> list[UUID]:
    """The tags whose name equals one of ``words`` (a deal's label names and field values), any case."""
    wanted = {" ".join(w.split()).casefold() for w in words if isinstance(w, str)}
    return [t.id for t in tags if t.name.casefold() in wanted]


def deal_words(labels: Iterable[str], fields: Mapping[str, object]) -> list[str]:
    """What of a deal may name a tag: its labels and its custom fields' text values (a multi-select's each)."""
    values = [v for value in fields.values() for v in (value if isinstance(value, list) else [value])]
    return [*labels, *(v for v in values if isinstance(v, str))]


def suggest(wanted: Sequence[UUID], tags: Mapping[UUID, str], candidates: Iterable[Candidate],
            limit: int | None = SUGGESTED) -> Match:
    """Who should take work wanting ``wanted`` (tag ids, unknown ones ignored), best first."""
    named = tuple(Tag(t, tags[t]) for t in dict.fromkeys(wanted) if t in tags)
    scored = [(len(c.tags & {t.id for t in named}), c) for c in candidates]
    most = max((score for score, _ in scored), default=0)
    if not named or most == 0:
        return Match(named, (), False)
    kept = [_suggestion(c, named) for score, c in scored if score == most]
    kept.sort(key=lambda s: (-s.free, s.overdue, s.name.casefold(), str(s.person)))
    return Match(named, tuple(kept[:limit] if limit else kept), most == len(named))


def _suggestion(candidate: Candidate, wanted: Sequence[Tag]) -> Suggestion:
    has = tuple(t.name for t in wanted if t.id in candidate.tags)
    lacks = tuple(t.name for t in wanted if t.id not in candidate.tags)
    return Suggestion(candidate.person, candidate.name, has, lacks, candidate.hours, candidate.capacity,
                      candidate.overdue)


def _hours(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"
