"""CRM rules with no I/O: ranks, status on moves, the pipeline report, task buckets, history reconciliation."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from server.domain.crm import CardEvent, Deal, DealStatus, Stage, StageKind, stage_for_status, status_after_move
from server.domain.history import reconcile
from server.domain.ranks import first_ranks, is_rank, rank_at
from server.domain.reports import DealFacts, pipeline_report, when_due

AT = datetime(2026, 11, 26, tzinfo=timezone.utc)


def test_ranks_are_the_npm_fractional_indexing_keys():
    assert first_ranks(3) == ["a0", "a1", "a2"]
    assert rank_at(["a0", "a1"], 1) == "a0V" and rank_at([], None) == "a0" and rank_at(["a0"], 0) == "Zz"


def test_a_rank_between_two_equal_ranks_goes_after_both():
    ranks = ["a0", "a1", "a1", "a2"]
    new = rank_at(ranks, 2)
    assert "a1" < new < "a2"


def test_random_insertions_keep_every_item_where_it_was_put():
    rng = random.Random(4)
    order: list[str] = []
    for _ in range(300):
        index = rng.randint(0, len(order))
        order.insert(index, rank_at(order, index))
        assert order == sorted(order) and len(set(order)) == len(order)


def test_invalid_ranks_are_not_ranks():
    assert not is_rank("") and not is_rank(7) and not is_rank("a") and is_rank("a0V")


@pytest.mark.parametrize(("status", "source", "target", "expected"), [
    (DealStatus.OPEN, StageKind.OPEN, StageKind.WON, DealStatus.WON),
    (DealStatus.OPEN, StageKind.OPEN, StageKind.LOST, DealStatus.LOST),
    (DealStatus.WON, StageKind.WON, StageKind.OPEN, DealStatus.OPEN),
    (DealStatus.WON, StageKind.OPEN, StageKind.OPEN, DealStatus.WON),
    (DealStatus.OPEN, StageKind.OPEN, StageKind.OPEN, DealStatus.OPEN),
])
def test_terminal_columns_decide_a_deals_status(status, source, target, expected):
    assert status_after_move(status, source, target) is expected


def stages() -> list[Stage]:
    spec = [("Lead", 10, StageKind.OPEN), ("Proposal", 50, StageKind.OPEN), ("Won", 100, StageKind.WON),
            ("Lost", 0, StageKind.LOST)]
    return [Stage(uuid4(), name, f"a{i}", p, 0, kind) for i, (name, p, kind) in enumerate(spec)]


def test_won_deals_go_to_the_won_column_and_reopened_ones_to_the_last_open_column():
    lead, proposal, won, lost = stages()
    board = [lead, proposal, won, lost]
    assert stage_for_status(board, DealStatus.WON, lead) == won
    assert stage_for_status(board, DealStatus.OPEN, won) == proposal
    assert stage_for_status(board, DealStatus.OPEN, lead) is None


def test_the_pipeline_report_counts_values_per_currency_conversion_losses_win_rates_and_forecast():
    lead, proposal, won, lost = board = stages()
    ada, bob = uuid4(), uuid4()
    a, b, c, d = uuid4(), uuid4(), uuid4(), uuid4()
    deals = [DealFacts(a, proposal.id, "open", 1000.0, "USD", ada, date(2026, 12, 5)),
             DealFacts(b, won.id, "won", 500.0, "USD", ada, None),
             DealFacts(c, lost.id, "lost", 300.0, "EUR", bob, None),
             DealFacts(d, lead.id, "open", 200.0, "EUR", bob, date(2026, 12, 20))]
    events = [CardEvent(a, "created", AT, to_stage=lead.id), CardEvent(a, "moved", AT, from_stage=lead.id, to_stage=proposal.id),
              CardEvent(b, "created", AT, to_stage=lead.id), CardEvent(b, "moved", AT, from_stage=lead.id, to_stage=won.id),
              CardEvent(c, "created", AT, to_stage=lead.id), CardEvent(c, "moved", AT, from_stage=lead.id, to_stage=lost.id),
              CardEvent(d, "created", AT, to_stage=lead.id)]
    report = pipeline_report(board, deals, events)
    by_name = {row["name"]: row for row in report["stages"]}
    assert by_name["Proposal"]["value"] == {"USD": 1000.0} and by_name["Proposal"]["weighted"] == {"USD": 500.0}
    assert by_name["Lead"]["entered"] == 4 and by_name["Lead"]["advanced"] == 2 and by_name["Lead"]["lost"] == 1
    assert by_name["Lead"]["conversion"] == 0.5 and by_name["Lead"]["loss_rate"] == 0.25
    assert {o["owner"]: o["win_rate"] for o in report["owners"]} == {ada: 1.0, bob: 0.0}
    assert report["forecast"] == [{"month": "2026-12", "count": 2, "value": {"USD": 1000.0, "EUR": 200.0},
                                   "weighted": {"USD": 500.0, "EUR": 20.0},
                                   "converted": None}], "no rates set: the sums stay per currency"


def test_tasks_are_overdue_due_today_upcoming_or_unscheduled():
    today = date(2026, 11, 26)
    assert [when_due(d, today) for d in (date(2026, 11, 25), today, date(2026, 11, 27), None)] == [
        "overdue", "today", "upcoming", "unscheduled"]


def test_reconciling_adds_only_what_the_recorded_history_lacks():
    lead, proposal, *_ = stages()
    deal = Deal(uuid4(), "A", proposal.id, "a0", value=10.0, currency="USD", created_at=AT, moved_at=AT)
    complete = [CardEvent(deal.id, "created", AT, to_stage=lead.id, new_value=10.0, new_status="open"),
                CardEvent(deal.id, "moved", AT, from_stage=lead.id, to_stage=proposal.id)]
    assert reconcile([deal], complete, AT) == []
    missing = reconcile([deal], complete[:1], AT)
    assert [(e.kind, e.from_stage, e.to_stage, e.reconciled) for e in missing] == [
        ("moved", lead.id, proposal.id, True)]
    assert [e.kind for e in reconcile([deal], [], AT)] == ["created"]
