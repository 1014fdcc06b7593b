"""Reading a board or note document back into domain values, never crashing.

Whatever does not fit the shape is skipped and reported through ``warn`` (a logged warning by
default): a field of the wrong type is dropped (its default applies), a record missing a
required field, under a key that is not a UUID, stored as something other than a ``Y.Map``,
or a card in a stage the board does not have, is left out whole. Unknown keys are ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
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
