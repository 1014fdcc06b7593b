"""Deterministic seeds: a new document's first content, as one Yjs update.

A seed is written once, as the document's first log row, in the transaction that registers the
document (``server.services``); nothing is ever seeded on load. The same inputs give the same
bytes: the update is made by a client id derived from the document name, stage ids are UUIDv5
of the board id, ranks come from the fractional index, and the only time in it is the
document's creation time. So even a seed applied twice (or by two nodes) merges into one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from pycrdt import Doc, Map, XmlFragment

from server.documents.edits import append_paragraphs
from server.documents.shapes import encode, record, shape
from server.domain.boards import BoardKind
from server.domain.crm import NoteMeta
from server.domain.ranks import first_ranks


def seed_client_id(document: str) -> int:
    """The Yjs client id of a document's seed: 32 bits of a hash of its name (never 0)."""
    return int.from_bytes(hashlib.sha256(document.encode()).digest()[:4], "big") or 1


def stage_id(board: UUID, index: int) -> UUID:
    """The id of the ``index``-th seeded stage of ``board``."""
    return uuid5(board, f"stage:{index}")


def default_stages(kind: BoardKind) -> list[dict[str, Any]]:
    """The stages a new board of ``kind`` starts with (``board.json``'s ``seed``)."""
    return [dict(stage) for stage in shape("board").seed[kind]["stages"]]


def board_seed(board: UUID, kind: BoardKind, name: str, created_at: datetime, currency: str | None = None) -> bytes:
    """The seed of ``board:<board>``: its settings and the default stages of its kind."""
    document = f"board:{board}"
    seed = shape("board").seed[kind]
    settings_values = {"name": name, "kind": str(kind), **seed["settings"], "seededAt": created_at}
    if currency is not None and kind is BoardKind.PIPELINE:
        settings_values["currency"] = currency
    doc = Doc(client_id=seed_client_id(document))
    with doc.transaction():
        settings = doc.get("settings", type=Map)
        for key, value in _encoded("settings", settings_values).items():
            settings[key] = value
        stages = doc.get("stages", type=Map)
        for index, (stage, rank) in enumerate(zip(seed["stages"], first_ranks(len(seed["stages"])))):
            stages[str(stage_id(board, index))] = Map(_encoded("stage", {**stage, "rank": rank}))
        doc.get("cards", type=Map)
        doc.get("activities", type=Map)
    return doc.get_update()


def note_seed(note: UUID, meta: NoteMeta, text: str | None = None) -> bytes:
    """The seed of ``note:<note>``: its meta and, optionally, plain text as paragraphs. The subject's
    id stays in the ``notes`` table: a guest who may open the note must not learn a contact's id."""
    doc = Doc(client_id=seed_client_id(f"note:{note}"))
    values = {"title": meta.title, "subjectKind": str(meta.subject_kind),
              "board": meta.board, "createdAt": meta.created_at, "createdBy": meta.created_by}
    with doc.transaction():
        root = doc.get("meta", type=Map)
        for key, value in _encoded("meta", values, document="note").items():
            root[key] = value
        content = doc.get("content", type=XmlFragment)
        if text:
            append_paragraphs(content, text)
    return doc.get_update()


def _encoded(name: str, values: dict[str, Any], document: str = "board") -> dict[str, Any]:
    fields = record(document, name).fields
    return {key: encode(fields[key], value) for key, value in values.items() if value is not None}
