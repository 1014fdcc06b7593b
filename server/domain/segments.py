"""Saved segments: a named ``Filter`` a workspace shares, and the JSON it is stored as.

The JSON keeps only the parts a filter sets (ids and dates as strings), so a stored segment reads
back as the same ``Filter``. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from server.domain.contacts import Filter
from server.domain.fields import Entity


class Segment(msgspec.Struct, frozen=True):
    """A saved filter of contacts or organisations."""

    id: UUID
    workspace_id: UUID
    entity: Entity
    name: str
    filter: Filter
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


def filter_to_json(where: Filter) -> dict[str, Any]:
    """The parts ``where`` sets, as JSON values."""
    data = {"q": where.q, "owner": where.owner and str(where.owner), "labels": list(where.labels),
            "organisation": where.organisation and str(where.organisation),
            "created_since": where.created_since and where.created_since.isoformat(), "fields": where.fields}
    return {key: value for key, value in data.items() if value}


def filter_from_json(data: Mapping[str, Any]) -> Filter:
    """The ``Filter`` ``filter_to_json`` wrote."""
    since = data.get("created_since")
    return Filter(q=data.get("q"), owner=_uuid(data.get("owner")), labels=tuple(data.get("labels", ())),
                  organisation=_uuid(data.get("organisation")),
                  created_since=datetime.fromisoformat(since) if since else None, fields=dict(data.get("fields", {})))


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None
