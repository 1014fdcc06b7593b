"""Reading a board or note document back into domain values, never crashing.

Whatever does not fit the shape is skipped and reported through ``warn`` (a logged warning by
default): a field of the wrong type is dropped (its default applies), a record missing a
required field, under a key that is not a UUID, stored as something other than a ``Y.Map``,
or a card in a stage the board does not have, is left out whole. Unknown keys are ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast
from uuid import UUID

from pycrdt import Doc, Map

from server.documents.shapes import DoesNotFit, Record, decode, record
from server.domain.crm import (
    Activity, ActivityType, BoardSettings, BoardState, Deal, DealStatus, ItemStatus, NoteMeta, Stage,
    StageKind, SubjectKind, WorkItem,
)

log = logging.getLogger(__name__)
Warn = Callable[[str], None]


def _log_warning(problem: str) -> None:
    log.warning("document content skipped: %s", problem)


class ReadCache:
    """What one document's entries read as last time, so only changed entries are decoded again.

    Keyed by (root, key); an entry is reused while its raw content is equal (problems included,
    so they are reported again)."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Any, Any, list[str]]] = {}


def read_board(doc: Doc, kind: str, warn: Warn = _log_warning, cache: ReadCache | None = None) -> BoardState:
    """The board in ``doc``; ``kind`` (``pipeline`` / ``project``) is the board's, from its row."""
    cache = cache if cache is not None else ReadCache()
    settings = _settings(_root(doc, "settings", warn), warn)
    stages = {s.id: s for s in _entries(doc, "stages", record("board", "stage"), _stage, warn, cache)}
    card_record = record("board", "deal" if kind == "pipeline" else "workItem")
    build = _deal if kind == "pipeline" else _work_item
    cards = {}
    for card in _entries(doc, "cards", card_record, build, warn, cache):
        if card.stage in stages:
            cards[card.id] = card
        else:
            warn(f"cards.{card.id}: stage {card.stage} is not a stage of this board; the card is skipped")
    activities = {a.id: a for a in _entries(doc, "activities", record("board", "activity"), _activity, warn, cache)}
    return BoardState(settings, stages, cards, activities)


def board_view(doc: Doc, kind: str, warn: Warn = _log_warning, cache: ReadCache | None = None) -> BoardState:
    """The board in ``doc`` like ``read_board``, but its cards and activities are read when looked
    up: ``cards[id]`` / ``cards.get(id)`` / ``id in activities`` decode that one entry (and are
    remembered), only iterating them reads the whole root. An edit that checks one card costs what
    that card costs, not the board's size: ``read_board`` turns every entry into JSON and back
    (``str(map)`` of a 250-deal board was most of an API move's time, docs/performance.md).
    Entries are read when first looked at, so use the view within one synchronous step (no await
    in between) like an edit does anyway; settings and stages are read at once. ``cache`` serves
    a whole read as it serves ``read_board``'s."""
    cache = cache if cache is not None else ReadCache()
    settings = _settings(_root(doc, "settings", warn), warn)
    stages = {s.id: s for s in _entries(doc, "stages", record("board", "stage"), _stage, warn, cache)}
    card_record = record("board", "deal" if kind == "pipeline" else "workItem")
    cards = _Lazy(doc, "cards", card_record, _deal if kind == "pipeline" else _work_item, warn, cache, stages)
    activities = _Lazy(doc, "activities", record("board", "activity"), _activity, warn, cache, None)
    return BoardState(settings, stages, cast(dict, cards), cast(dict, activities))


class _Lazy(Mapping[UUID, Any]):
    """One root's entries of ``board_view``: a lookup reads one entry, iteration all of them."""

    def __init__(self, doc: Doc, root: str, shape: Record, build: Callable[[UUID, dict], Any], warn: Warn,
                 cache: ReadCache, stages: dict[UUID, Stage] | None) -> None:
        self._doc, self._root, self._shape, self._build, self._warn = doc, root, shape, build, warn
        self._cache = cache
        self._stages = stages  # cards: one in a stage the board does not have is skipped
        self._one: dict[UUID, Any] = {}
        self._all: dict[UUID, Any] | None = None

    def __getitem__(self, ident: object) -> Any:
        if self._all is not None:
            return self._all[ident]  # type: ignore[index]
        if not isinstance(ident, UUID):
            raise KeyError(ident)
        if ident not in self._one:
            self._one[ident] = self._read(ident)
        found = self._one[ident]
        if found is None:
            raise KeyError(ident)
        return found

    def __iter__(self) -> Iterator[UUID]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())

    def _read(self, ident: UUID) -> Any:
        key = str(ident)
        try:
            value = self._doc.get(self._root, type=Map).get(key)
        except Exception as exc:  # a root of another type: as read_board reports it
            self._warn(f"{self._root}: expected a Y.Map root ({exc})")
            return None
        if value is None:
            return None
        raw = json.loads(str(value)) if isinstance(value, Map) else value
        return self._kept(_entry(self._root, key, raw, isinstance(value, Map), self._shape, self._build, self._warn))

    def _kept(self, entry: Any) -> Any:
        if entry is None or self._stages is None or entry.stage in self._stages:
            return entry
        self._warn(f"{self._root}.{entry.id}: stage {entry.stage} is not a stage of this board; the card is skipped")
        return None

    def _everything(self) -> dict[UUID, Any]:
        if self._all is None:
            entries = _entries(self._doc, self._root, self._shape, self._build, self._warn, self._cache)
            self._all = {e.id: e for e in map(self._kept, entries) if e is not None}
        return self._all


def read_note(doc: Doc, warn: Warn = _log_warning) -> NoteMeta | None:
    """The note's ``meta``, or None if it does not fit."""
    values = read_record(record("note", "meta"), _root(doc, "meta", warn), "meta", warn)
    if values is None:
        return None
    return NoteMeta(values["title"], SubjectKind(values["subjectKind"]), values.get("subjectId"), values["board"],
                    values.get("createdAt"), values.get("createdBy"))


def read_record(shape: Record, raw: dict[str, Any], where: str, warn: Warn) -> dict[str, Any] | None:
    """The fields of one record that fit, with defaults; None if a required one is missing."""
    values = shape.defaults()
    for name, field in shape.fields.items():
        value = raw.get(name)
        if value is None:
            continue
        try:
            values[name] = decode(field, value)
        except DoesNotFit as exc:
            warn(f"{where}.{name}: {exc}")
    missing = [name for name in shape.required if values.get(name) is None]
    if missing:
        warn(f"{where}: no valid {', '.join(missing)}; the {shape.name} is skipped")
        return None
    return values


def _root(doc: Doc, name: str, warn: Warn, *, maps: set[str] | None = None) -> dict[str, Any]:
    """The root's content as plain values, read in one call (``str(map)`` is Rust's JSON); the keys
    whose values are ``Y.Map``s are added to ``maps``."""
    try:
        root = doc.get(name, type=Map)
        content = json.loads(str(root))
        if maps is not None:
            maps.update(key for key, value in root.items() if isinstance(value, Map))
        return content
    except Exception as exc:  # a root of another type, or content pycrdt refuses to read
        warn(f"{name}: expected a Y.Map root ({exc})")
        return {}


def _entries(doc: Doc, root: str, shape: Record, build: Callable[[UUID, dict], Any], warn: Warn,
             cache: ReadCache) -> list:
    found = []
    maps: set[str] = set()
    content = _root(doc, root, warn, maps=maps)
    for stale in [k for k in cache.entries if k[0] == root and k[1] not in content]:
        del cache.entries[stale]
    for key, raw in content.items():
        known = cache.entries.get((root, key))
        if known is None or known[0] != raw:
            problems: list[str] = []
            known = (raw, _entry(root, key, raw, key in maps, shape, build, problems.append), problems)
            cache.entries[(root, key)] = known
        for problem in known[2]:
            warn(problem)
        if known[1] is not None:
            found.append(known[1])
    return found


def _entry(root: str, key: str, raw: Any, is_map: bool, shape: Record, build: Callable[[UUID, dict], Any],
           warn: Warn) -> Any:
    where = f"{root}.{key}"
    try:
        ident = UUID(key)
        if str(ident) != key:
            raise ValueError
    except ValueError:
        warn(f"{where}: expected a lower-case UUID key; the {shape.name} is skipped")
        return None
    if not is_map:
        warn(f"{where}: expected a Y.Map, got {type(raw).__name__}; the {shape.name} is skipped")
        return None
    values = read_record(shape, raw, where, warn)
    return build(ident, values) if values is not None else None


def _settings(raw: dict[str, Any], warn: Warn) -> BoardSettings:
    values = read_record(record("board", "settings"), raw, "settings", warn) or {}
    return BoardSettings(values.get("name"), values.get("kind"), values.get("currency"), values.get("seededAt"))


def _attributes(values: dict[str, Any], shape: Record) -> dict[str, Any]:
    return {shape.fields[name].attribute: value for name, value in values.items()}


def _stage(ident: UUID, v: dict[str, Any]) -> Stage:
    return Stage(ident, v["name"], v["rank"], v.get("probability"), v["rotDays"], StageKind(v["kind"]))


def _deal(ident: UUID, v: dict[str, Any]) -> Deal:
    attrs = _attributes(v, record("board", "deal"))
    attrs["status"] = DealStatus(attrs["status"])
    return Deal(id=ident, **attrs)


def _work_item(ident: UUID, v: dict[str, Any]) -> WorkItem:
    attrs = _attributes(v, record("board", "workItem"))
    attrs["status"] = ItemStatus(attrs["status"])
    return WorkItem(id=ident, **attrs)


def card_from(kind: str, ident: UUID, values: dict[str, Any]) -> Deal | WorkItem:
    """A card of a ``kind`` board from its record's decoded ``values``."""
    return _deal(ident, values) if kind == "pipeline" else _work_item(ident, values)


def _activity(ident: UUID, v: dict[str, Any]) -> Activity:
    attrs = _attributes(v, record("board", "activity"))
    attrs["type"] = ActivityType(attrs["type"])
    return Activity(id=ident, **attrs)
