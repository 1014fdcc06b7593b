"""The body of ``PATCH /api/boards/{id}`` (rename, archive, restore; ``BoardController`` answers it)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.di import NamedDependency

from server.services.board_lifecycle import BoardLifecycle

BoardLifecycleDep = NamedDependency[BoardLifecycle]


class BoardChange(msgspec.Struct, forbid_unknown_fields=True):
    """A new ``name``, and/or ``archived`` true (archive) or false (restore)."""

    name: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    archived: bool | None = None
