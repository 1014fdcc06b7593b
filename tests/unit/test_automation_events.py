"""What turns edits into automation triggers (issue 16): the recorder's FieldEvents for a deal's
title and custom fields (not card history), and ``fired`` comparing a settled burst's before with
the deal now — for the title, a custom field by id, and a burst that ended where it began."""

from __future__ import annotations

from uuid import UUID, uuid4

from pycrdt import Doc

from server.documents import edits
from server.documents.read import read_board
from server.documents.recorder import Recorder
from server.documents.seed import board_seed
from server.domain.boards import BoardKind
from server.domain.crm import Deal
from server.domain.history import HISTORY_KINDS, FieldEvent
from server.services.automation_runner import fired, record_values, templated
from tests.unit.test_documents import AT, BOARD

ADA = uuid4()


def replayed(*changes) -> tuple[Doc, UUID, list]:
    """A seeded board with one deal; each of ``changes`` (doc -> None) as its own update by Ada."""
    doc = Doc()
    doc.apply_update(board_seed(BOARD, BoardKind.PIPELINE, "Deals", AT))
    stage = read_board(doc, "pipeline").ordered_stages()[0].id
    deal = uuid4()
    with doc.transaction():
        edits.add_card(doc, "pipeline", deal, {"title": "A", "fields": {"tier": "silver"}}, stage=stage,
                       position=None, at=AT, by=ADA)
    recorder = Recorder(doc.get_update())
    updates = []
    for change in changes:
        before = doc.get_state()
        with doc.transaction():
            change(doc, deal)
        updates.append((doc.get_update(before), ADA, AT.timestamp()))
    return doc, deal, recorder.replay(updates)


def test_title_and_custom_field_edits_are_field_events_not_history():
    _, deal, events = replayed(
        lambda doc, card: edits.update_card(doc, "pipeline", card, {"title": "Acme"}, AT),
        lambda doc, card: edits.update_card(doc, "pipeline", card, {"fields": {"tier": "gold", "source": "web"}}, AT),
        lambda doc, card: edits.update_card(doc, "pipeline", card, {"value": 9}, AT))
    fields = [e for e in events if isinstance(e, FieldEvent)]
    assert sorted((e.kind, e.field, e.old, e.new) for e in fields) == [
        ("field", "source", None, "web"), ("field", "tier", "silver", "gold"), ("title", "title", "A", "Acme")]
    assert all(e.card == deal and e.author == ADA for e in fields)
    assert [e.kind for e in events if e.kind in HISTORY_KINDS] == ["value"], "only the value is history"


def test_fired_compares_the_burst_before_with_the_deal_now():
    deal = Deal(uuid4(), "Acme Corp", uuid4(), "a0", fields={"tier": "gold", "tags": ["a", "b"]})
    field_id = str(uuid4())
    assert fired("title", "A", deal) == [("field_changed", {"field": "title", "from": "A", "to": "Acme Corp"})]
    assert fired("title", "Acme Corp", deal) == [], "the burst ended where it began"
    assert fired("field", "silver", deal, ("tier", field_id)) == [
        ("field_changed", {"field": f"custom:{field_id}", "from": "silver", "to": "gold"})]
    assert fired("field", "silver", deal, None) == [], "not a deal custom field of the workspace"
    assert fired("field", ["a", "b"], deal, ("tags", field_id)) == [], "the same options ticked"
    assert fired("field", ["a"], deal, ("tags", field_id))[0][1]["to"] == ["a", "b"]


def test_templates_read_the_deal_the_activity_and_the_record():
    deal = Deal(uuid4(), "Acme", uuid4(), "a0")
    assert templated("{{deal.title}}: {{activity.title}} for {{contact.first_name}} {{contact.emails}}", deal, {
        "activity": {"title": "Call"}, "contact": {"first_name": "Ada", "emails": ["a@x.test", "b@x.test"]}}) == (
        "Acme: Call for Ada a@x.test, b@x.test")
    assert templated("Hi {{organisation.name}}{{deal.title}}", None) == "Hi "
    assert record_values({"id": "1", "first_name": "Ada", "owner_id": "u", "organisation_id": None,
                          "fields": {"vip": True}}) == {
        "id": "1", "first_name": "Ada", "owner": "u", "organisation": None, "fields.vip": True}


async def test_a_schedule_fires_its_latest_tick_once_made_and_keys_the_run_by_it():
    from datetime import datetime, timezone

    from server.domain.automations import Rule
    from server.services.automation_runner import AutomationRunner

    made = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # a Monday, before nine
    rule = Rule(uuid4(), uuid4(), "Weekly", True, {"type": "schedule", "cron": "0 9 * * 1"}, [], None, made, made)
    runner = AutomationRunner(None, None, None)  # type: ignore[arg-type]  # a schedule reads no table
    assert await runner._swept(rule, datetime(2026, 12, 7, 8, 59, tzinfo=timezone.utc)) == [], "before its first tick"
    [(key, fire)] = await runner._swept(rule, datetime(2026, 12, 7, 9, 0, 30, tzinfo=timezone.utc))
    assert key == "schedule:2026-12-07T09:00:00+00:00" and fire["facts"] == {"tick": "2026-12-07T09:00:00+00:00"}
    [(later, _)] = await runner._swept(rule, datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc))
    assert later == key, "until the next Monday, the same tick: its run exists, nothing new"
    assert fire["board"] is None and fire["trigger"] == "schedule"
