"""Document shapes: deterministic seeds, reading back what fits, skipping (with a warning) what does not."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timezone
from uuid import UUID, uuid4

from pycrdt import Array, Doc, Map, XmlFragment

from server.documents import edits
from server.documents.read import board_view, read_board, read_note
from server.documents.recorder import REMOTE, Recorder
from server.documents.seed import board_seed, note_seed, seed_client_id, stage_id
from server.documents.shapes import SHAPES, shape
from server.domain.boards import BoardKind
from server.domain.crm import DealStatus, NoteMeta, StageKind, SubjectKind

BOARD = UUID("6f1c1d1e-0000-4000-8000-000000000001")
AT = datetime(2026, 11, 26, 19, 55, tzinfo=timezone.utc)


def seeded(kind: BoardKind = BoardKind.PIPELINE) -> Doc:
    doc = Doc()
    doc.apply_update(board_seed(BOARD, kind, "Deals", AT))
    return doc


def test_the_shape_files_are_plain_json_that_a_browser_can_import():
    for name in ("board", "note"):
        raw = json.loads((SHAPES / f"{name}.json").read_text())
        assert raw["document"] == name and raw["roots"] and raw["records"]
    assert set(shape("board").records) == {"settings", "stage", "deal", "workItem", "activity"}


def test_a_seed_is_the_same_bytes_every_time_and_made_by_a_client_id_from_the_document_name():
    first = board_seed(BOARD, BoardKind.PIPELINE, "Deals", AT)
    assert first == board_seed(BOARD, BoardKind.PIPELINE, "Deals", AT)
    doc = Doc()
    doc.apply_update(first)
    doc.apply_update(first)  # applied twice (two nodes, a retry): still one set of stages
    assert len(doc.get("stages", type=Map)) == 6
    assert seed_client_id(f"board:{BOARD}") == seed_client_id(f"board:{BOARD}") != seed_client_id("board:other")


def test_a_pipeline_starts_with_six_stages_and_their_probabilities():
    state = read_board(seeded(), "pipeline")
    stages = state.ordered_stages()
    assert [(s.name, s.probability, s.kind) for s in stages] == [
        ("Lead in", 10, StageKind.OPEN), ("Qualified", 25, StageKind.OPEN), ("Proposal made", 50, StageKind.OPEN),
        ("Negotiation", 75, StageKind.OPEN), ("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST)]
    assert stages[0].id == stage_id(BOARD, 0) and all(s.rot_days >= 0 for s in stages)
    assert state.settings.name == "Deals" and state.settings.currency == "USD" and state.settings.seeded_at == AT


def test_a_project_starts_with_to_do_doing_done():
    stages = read_board(seeded(BoardKind.PROJECT), "project").ordered_stages()
    assert [s.name for s in stages] == ["To do", "Doing", "Done"]


def test_a_note_seed_holds_its_meta_and_text_as_prosemirror_paragraphs():
    note, subject = uuid4(), uuid4()
    doc = Doc()
    doc.apply_update(note_seed(note, NoteMeta("Kick-off", SubjectKind.DEAL, subject, BOARD, AT, None), "One.\n\nTwo."))
    assert read_note(doc) == NoteMeta("Kick-off", SubjectKind.DEAL, None, BOARD, AT, None), "the id stays in SQL"
    assert str(doc.get("content", type=XmlFragment)) == "<paragraph>One.</paragraph><paragraph>Two.</paragraph>"


def test_edits_write_what_the_reader_reads_back():
    doc = seeded()
    first, second = read_board(doc, "pipeline").ordered_stages()[:2]
    deal = uuid4()
    with doc.transaction():
        edits.add_card(doc, "pipeline", deal, {"title": "Acme", "value": 1200, "currency": "EUR",
                                               "expectedClose": date(2026, 12, 1), "labels": ("hot",),
                                               "status": "open"}, stage=first.id, position=None, at=AT, by=None)
    with doc.transaction():
        edits.move_card(doc, "pipeline", deal, second.id, 0, AT)
    card = read_board(doc, "pipeline").cards[deal]
    assert (card.title, card.value, card.stage, card.labels, card.status) == ("Acme", 1200.0, second.id, ("hot",),
                                                                              DealStatus.OPEN)
    assert card.expected_close == date(2026, 12, 1) and card.moved_at == AT


def test_content_that_does_not_fit_is_skipped_with_a_warning_and_never_raises(caplog):
    doc = seeded()
    stage = str(read_board(doc, "pipeline").ordered_stages()[0].id)
    good, odd_value, no_stage, lost_stage, plain = (str(uuid4()) for _ in range(5))
    with doc.transaction():
        cards = doc.get("cards", type=Map)
        cards[good] = Map({"title": "Good", "stage": stage, "rank": "a0"})
        cards[odd_value] = Map({"title": "Odd", "stage": stage, "rank": "a1", "value": "lots", "labels": Array([1])})
        cards[no_stage] = Map({"title": "Nowhere"})
        cards[lost_stage] = Map({"title": "Elsewhere", "stage": str(uuid4()), "rank": "a2"})
        cards[plain] = {"title": "Plain object", "stage": stage}
        cards["not-a-uuid"] = Map({"title": "Bad key", "stage": stage})
        doc.get("activities", type=Map)[str(uuid4())] = Map({"type": "party", "title": "Fun"})
    with caplog.at_level(logging.WARNING, logger="server.documents.read"):
        state = read_board(doc, "pipeline")
    assert set(map(str, state.cards)) == {good, odd_value}
    assert state.cards[UUID(odd_value)].value is None and state.cards[UUID(odd_value)].labels == ()
    assert not state.activities
    text = caplog.text
    for expected in ("value: expected a number, got 'lots'", f"cards.{no_stage}: no valid stage",
                     "is not a stage of this board", "expected a Y.Map, got dict", "lower-case UUID key",
                     "type: expected one of call, meeting, email, todo, deadline"):
        assert expected in text


def test_a_board_view_reads_what_read_board_reads_but_only_the_entries_looked_up(caplog):
    doc = seeded()
    stage = str(read_board(doc, "pipeline").ordered_stages()[0].id)
    good, odd, lost_stage, plain, task = (str(uuid4()) for _ in range(5))
    with doc.transaction():
        cards = doc.get("cards", type=Map)
        cards[good] = Map({"title": "Good", "stage": stage, "rank": "a0"})
        cards[odd] = Map({"title": "Odd", "stage": stage, "rank": "a1", "value": "lots"})
        cards[lost_stage] = Map({"title": "Elsewhere", "stage": str(uuid4()), "rank": "a2"})
        cards[plain] = {"title": "Plain object", "stage": stage}
        cards["not-a-uuid"] = Map({"title": "Bad key", "stage": stage})
        doc.get("activities", type=Map)[task] = Map({"type": "todo", "title": "Call", "card": good})
    full = read_board(doc, "pipeline", warn=lambda problem: None)
    problems: list[str] = []
    view = board_view(doc, "pipeline", warn=problems.append)
    assert view.cards[UUID(good)] == full.cards[UUID(good)] and UUID(task) in view.activities
    assert problems == [], "looking up good entries decodes no other entry"
    for key in (odd, lost_stage, plain, str(uuid4())):
        assert view.cards.get(UUID(key)) == full.cards.get(UUID(key)) and (UUID(key) in view.cards) == (
            UUID(key) in full.cards)
    assert "is not a stage of this board" in " ".join(problems) and "expected a Y.Map, got dict" in " ".join(problems)
    assert view.cards.get(good) is None, "keys are UUIDs, as in read_board's dict"  # type: ignore[call-overload]
    assert dict(view.cards) == full.cards and len(view.cards) == 2 and dict(view.activities) == full.activities
    assert view.stages == full.stages and view.settings == full.settings
    with doc.transaction():
        doc.get("cards", type=Map)[good]["title"] = "Renamed"
    assert board_view(doc, "pipeline").cards[UUID(good)].title == "Renamed"
    wrong = Doc()
    wrong.get("cards", type=Array).append("x")
    assert dict(board_view(wrong, "pipeline", warn=lambda problem: None).cards) == {}
    assert board_view(wrong, "pipeline", warn=lambda problem: None).cards.get(UUID(good)) is None


def test_a_root_of_the_wrong_type_reads_as_empty():
    doc = Doc()
    doc.get("cards", type=Array).append("x")
    state = read_board(doc, "pipeline", warn=lambda problem: None)
    assert state.cards == {} and state.stages == {}


def test_the_recorder_attributes_each_change_to_the_update_that_made_it():
    doc = seeded()
    first, second = [s.id for s in read_board(doc, "pipeline").ordered_stages()[:2]]
    recorder = Recorder(doc.get_update())
    ada, bob, deal = uuid4(), uuid4(), uuid4()
    updates = []
    for author, edit in ((ada, lambda d: edits.add_card(d, "pipeline", deal, {"title": "A", "value": 5},
                                                        stage=first, position=None, at=AT, by=ada)),
                         (bob, lambda d: edits.move_card(d, "pipeline", deal, second, None, AT)),
                         (REMOTE, lambda d: edits.update_card(d, "pipeline", deal, {"value": 7}, AT))):
        before = doc.get_state()
        with doc.transaction():
            edit(doc)
        updates.append((doc.get_update(before), author, AT.timestamp()))
    events = recorder.replay(updates)
    assert [(e.kind, e.author) for e in events] == [("created", ada), ("moved", bob)]
    assert (events[0].to_stage, events[0].new_value, events[1].from_stage, events[1].to_stage) == (
        first, 5.0, first, second)
