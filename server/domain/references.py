"""References between records stay inside one workspace. Pure.

A deal, activity, note, contact or segment may name only contacts and organisations of its own
workspace (and owners who are its members). A reference that does not resolve there is refused
with ``UnknownReference`` (HTTP 422) naming the field, in the same words whether the record does
not exist or belongs to another workspace, so the answer tells nobody what other workspaces hold.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput


class RecordKind(enum.StrEnum):
    """What a reference may point at."""

    CONTACT = "contact"
    ORGANISATION = "organisation"
    MEMBER = "member"


class UnknownReference(InvalidInput):
    """A field naming a record its workspace does not have (HTTP 422): unknown and foreign alike."""

    def __init__(self, field: str, kind: RecordKind) -> None:
        super().__init__(f"{field}: no such {kind} in this workspace")
        self.field, self.kind = field, kind


class Reference(NamedTuple):
    """``field`` of a request names the record ``id`` of ``kind``."""

    field: str
    kind: RecordKind
    id: UUID


def references_in(values: Mapping[str, Any], fields: Mapping[str, RecordKind]) -> list[Reference]:
    """The references ``values`` sets (``None`` clears a field and names nothing)."""
    return [Reference(field, kind, values[field]) for field, kind in fields.items() if values.get(field) is not None]


def require_found(references: Iterable[Reference], found: Collection[tuple[RecordKind, UUID]]) -> None:
    """Raise ``UnknownReference`` for the first reference not among ``found`` ``(kind, id)`` pairs."""
    for ref in references:
        if (ref.kind, ref.id) not in found:
            raise UnknownReference(ref.field, ref.kind)
