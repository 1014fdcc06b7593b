"""The CRM service reads a board once per call through a cache per live document: a change made
since the last read is seen at once, whatever was not changed is not decoded again, and the cache
goes with its document. A read is a view (``server.documents.read.board_view``): its entries are
decoded when first looked at, so each test takes them (``dict(...)``) before the next edit."""

from __future__ import annotations

import gc
from datetime import datetime, timezone
from uuid import uuid4

from pycrdt import Doc, Map

from server.documents import edits
from server.documents.seed import board_seed, stage_id
from server.domain.boards import BoardKind
from server.services import crm

NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)


def _board() -> tuple[Doc, list]:
    board = uuid4()
    doc = Doc()
    doc.apply_update(board_seed(board, BoardKind.PIPELINE, "Pipeline", NOW))
    cards = [uuid4() for _ in range(3)]
    for index, card in enumerate(cards):
        edits.add_card(doc, "pipeline", card, {"title": f"Deal {index}", "status": "open", "value": 100.0 * index},
                       stage=stage_id(board, 0), position=None, at=NOW, by=None)
    return doc, cards


def test_a_change_is_read_at_once_and_unchanged_cards_are_the_same_values():
    doc, cards = _board()
    before = dict(crm._read(doc, "pipeline").cards)
    edits.update_card(doc, "pipeline", cards[1], {"title": "Renamed", "value": 999.0}, NOW)
    after = dict(crm._read(doc, "pipeline").cards)
    assert after[cards[1]].title == "Renamed" and after[cards[1]].value == 999.0
    assert before[cards[1]].title == "Deal 1"
    assert after[cards[0]] is before[cards[0]]  # not decoded again
    assert after[cards[2]] is before[cards[2]]


def test_a_removed_card_is_gone_and_the_cache_goes_with_its_document():
    doc, cards = _board()
    crm._read(doc, "pipeline")
    with doc.transaction():
        del doc.get("cards", type=Map)[str(cards[0])]
    assert set(crm._read(doc, "pipeline").cards) == set(cards[1:])
    gc.collect()  # earlier tests' documents, so that only this one's going is counted
    held = len(crm._caches)
    del doc
    gc.collect()
    assert len(crm._caches) == held - 1
