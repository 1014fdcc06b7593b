"""The in-memory twin of ``server.storage.insights.PostgresInsightsReads``: the same figures computed
in Python from the projection twins' tables (``projected_stages``, ``projected_deals``,
``projected_activities``, ``card_events``) and the board and user twins' (``boards``, ``users``;
``user_names`` as tests write them). Each figure follows its statement in
``server/storage/sql/insights.sql`` (and the rollups agree with those): stage visits are the
card's created and moved events in (at, insertion) order, a deal is won or lost in a period when
its last status change in the period gave it the status it still has. The contract suite
``tests/contract/test_insights_reads.py`` holds both to the same answers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from server.domain.crm import CardEvent
from server.domain.insights import Scope, period_start
from server.domain.projection import ActivityRecord, DealRecord, StageRecord, Table
from server.services.ports.insights import Row
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase


class Visit(NamedTuple):
    board: UUID
    card: UUID
    stage: UUID
    entered: datetime
    left: datetime | None
    later: frozenset[UUID]
    prior: datetime | None
    next: datetime | None


class Closed(NamedTuple):
    board: UUID
    deal: DealRecord
    at: datetime


def days_between(start: datetime, end: datetime) -> float:
    """``extract(epoch FROM end - start) / 86400`` as Postgres computes it (exact decimal, then float)."""
    delta = end - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return float(Decimal(micros) / Decimal(86_400_000_000))


def hours_between(start: datetime, end: datetime) -> float:
    """``extract(epoch FROM end - start) / 3600`` as Postgres computes it."""
    delta = end - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return float(Decimal(micros) / Decimal(3_600_000_000))


def median(values: Iterable[float]) -> float | None:
    """``percentile_cont(0.5)``: NULLs left out, the middle two interpolated as Postgres does."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = 0.5 * (len(ordered) - 1)
    low, high = ordered[math.floor(position)], ordered[math.ceil(position)]
    return low + ((position - math.floor(position)) * (high - low))


def total(values: Iterable[float | None]) -> float | None:
    """``sum()``: NULLs left out, NULL when nothing is left."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


class MemoryInsightsReads:
    """Implements ``server.services.ports.insights.InsightsReads`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    # --- what the statements join -----------------------------------------------------------------

    def _stages(self, board: UUID) -> list[StageRecord]:
        return sorted((r for _, r in projected(self._db, Table.STAGES).get(board, {}).values()),
                      key=lambda s: s.position)

    def _deals(self, board: UUID) -> dict[UUID, DealRecord]:
        return {key: r for key, (_, r) in projected(self._db, Table.DEALS).get(board, {}).items()}

    def _activities(self, board: UUID) -> list[ActivityRecord]:
        return [r for _, r in projected(self._db, Table.ACTIVITIES).get(board, {}).values()]

    def _events(self, board: UUID) -> list[CardEvent]:
        """The board's card events in (at, id) order, id being the order they were added in."""
        added = [(i, e) for i, (b, e) in enumerate(self._db.table("card_events", list)) if b == board]
        return [e for _, e in sorted(added, key=lambda item: (item[1].at, item[0]))]

    def _user_name(self, user: UUID | None) -> str | None:
        account = self._db.table("users").get(user)
        return account.name if account is not None else self._db.table("user_names").get(user)

    def _visits(self, board: UUID) -> list[Visit]:
        """``stage_visits`` of the board's cards (migration 0025_insights_visits)."""
        per_card: dict[UUID, list[CardEvent]] = defaultdict(list)
        for event in self._events(board):
            if event.kind in ("created", "moved") and event.to_stage is not None:
                per_card[event.card].append(event)
        visits = []
        for card, events in per_card.items():
            for i, event in enumerate(events):
                same = [e.at for e in events if e.to_stage == event.to_stage]
                k = next(j for j, e in enumerate(e for e in events if e.to_stage == event.to_stage) if e is event)
                visits.append(Visit(board, card, event.to_stage, event.at,
                                    events[i + 1].at if i + 1 < len(events) else None,
                                    frozenset(e.to_stage for e in events[i + 1:]),
                                    same[k - 1] if k > 0 else None, same[k + 1] if k + 1 < len(same) else None))
        return visits

    def _funnel_visits(self, scope: Scope) -> list[tuple[StageRecord, Visit, dict[str, Any]]]:
        """The visits that began in the period, of deals (and of the owner), with the funnel's flags."""
        out = []
        for board in scope.boards:
            stages = self._stages(board)
            by_id = {s.id: s for s in stages}
            deals = self._deals(board)
            opened = {s.id for s in stages if s.kind == "open"}
            for v in self._visits(board):
                stage, deal = by_id.get(v.stage), deals.get(v.card)
                if stage is None or deal is None or not scope.start <= v.entered < scope.end:
                    continue
                if not _owned(deal.owner, scope.owners):
                    continue
                further = {s.id for s in stages if s.position > stage.position and s.kind != "lost"}
                out.append((stage, v, {
                    "first": v.prior is None or v.prior < scope.start,
                    "last": v.next is None or v.next >= scope.end,
                    "advanced": deal.status == "won" or bool(v.later & further),
                    "lost": deal.status == "lost" and stage.kind == "open" and not v.later & opened,
                    "days": days_between(v.entered, v.left) if v.left is not None else None}))
        return out

    def _closed(self, scope: Scope) -> list[Closed]:
        """``closed_cte``: the deals won or lost in the period."""
        out = []
        for board in scope.boards:
            deals, last = self._deals(board), {}
            for event in self._events(board):
                if event.kind == "status" and scope.start <= event.at < scope.end:
                    last[event.card] = event  # (at, id) order: the last one wins
            for card, event in last.items():
                deal = deals.get(card)
                if deal is None or deal.status != event.new_status or deal.status not in ("won", "lost"):
                    continue
                if _owned(deal.owner, scope.owners):
                    out.append(Closed(board, deal, event.at))
        return out

    def _stuck(self, boards: Sequence[UUID], owners: Sequence[UUID] | None, stage: UUID | None = None
               ) -> list[tuple[UUID, DealRecord]]:
        now = self._db.now()
        out = []
        for board in boards:
            stages = {s.id: s for s in self._stages(board)}
            for deal in self._deals(board).values():
                s = stages.get(deal.stage)
                if s is None or deal.status != "open" or s.rot_days <= 0 or deal.moved_at is None:
                    continue
                if deal.moved_at < now - timedelta(days=s.rot_days) and _owned(deal.owner, owners) \
                        and (stage is None or deal.stage == stage):
                    out.append((board, deal))
        return out

    # --- the port ---------------------------------------------------------------------------------

    async def stages(self, boards: Sequence[UUID]) -> list[Row]:
        known = [self._db.table("boards")[b] for b in boards if b in self._db.table("boards")]
        return [{"board_id": b.id, "board_name": b.name, "stage_id": s.id, "name": s.name, "kind": s.kind,
                 "position": s.position, "probability": s.probability, "rot_days": s.rot_days}
                for b in sorted(known, key=lambda b: (b.created_at, b.id)) for s in self._stages(b.id)]

    async def funnel(self, scope: Scope) -> list[Row]:
        groups: dict[tuple[UUID, UUID], list[dict[str, Any]]] = defaultdict(list)
        for stage, visit, flags in self._funnel_visits(scope):
            groups[(visit.board, stage.id)].append(flags)
        return [{"board_id": board, "stage_id": stage, "entered": sum(f["first"] for f in rows),
                 "advanced": sum(f["first"] and f["advanced"] for f in rows),
                 "lost": sum(f["last"] and f["lost"] for f in rows),
                 "median_days": median(f["days"] for f in rows)} for (board, stage), rows in groups.items()]

    async def stuck(self, boards: Sequence[UUID], owners: Sequence[UUID] | None) -> list[Row]:
        counts: dict[tuple[UUID, UUID], int] = defaultdict(int)
        for board, deal in self._stuck(boards, owners):
            counts[(board, deal.stage)] += 1
        return [{"board_id": b, "stage_id": s, "stuck": n} for (b, s), n in counts.items()]

    async def lost_reasons(self, scope: Scope, listed: Sequence[str]) -> list[Row]:
        groups: dict[tuple[str | None, str | None], list[DealRecord]] = defaultdict(list)
        for closed in self._closed(scope):
            deal = closed.deal
            if deal.status != "lost":
                continue
            text = deal.lost_reason
            reason = None if (text or "").strip(" ") == "" else text if text in listed else ""
            groups[(reason, deal.currency)].append(deal)
        return [{"reason": reason, "currency": currency, "deals": len(deals), "value": total(d.value for d in deals)}
                for (reason, currency), deals in groups.items()]

    async def reps(self, scope: Scope) -> list[Row]:
        facts = []
        for closed in self._closed(scope):
            deal, touches, emails = closed.deal, None, None
            if deal.status == "won":
                done = [a for a in self._activities(closed.board) if a.card == deal.id and a.done]
                touches, emails = len(done), sum(a.type == "email" for a in done)
            cycle = days_between(deal.created_at, closed.at) if deal.created_at is not None else None
            facts.append((deal, cycle, touches, emails))
        rows = []
        for overall in (True, False):
            groups: dict[tuple, list] = defaultdict(list)
            for fact in facts:
                groups[(fact[0].owner,) if overall else (fact[0].owner, fact[0].currency)].append(fact)
            for key, group in groups.items():
                won = [f for f in group if f[0].status == "won"]
                rows.append({"owner_id": key[0], "currency": None if overall else key[1], "overall": overall,
                             "won": len(won), "lost": len(group) - len(won),
                             "won_value": total(f[0].value for f in won),
                             "median_cycle_days": median(f[1] for f in won),
                             "touches": sum(f[2] or 0 for f in group), "emails": sum(f[3] or 0 for f in group)})
        return rows

    async def activity_mix(self, scope: Scope) -> list[Row]:
        picked = [("won", c.board, c.deal) for c in self._closed(scope) if c.deal.status == "won"]
        picked += [("open", b, d) for b in scope.boards for d in self._deals(b).values()
                   if d.status == "open" and _owned(d.owner, scope.owners)]
        groups: dict[tuple, list[dict[str, int]]] = defaultdict(list)
        for kind, board, deal in picked:
            done = [a.type for a in self._activities(board) if a.card == deal.id and a.done]
            mix = {"calls": done.count("call"), "meetings": done.count("meeting"), "emails": done.count("email"),
                   "tasks": done.count("todo") + done.count("deadline")}
            groups[(kind, deal.owner, False)].append(mix)
            groups[(kind, None, True)].append(mix)
        return [{"kind": kind, "owner_id": owner, "overall": overall, "deals": len(mixes),
                 **{k: sum(m[k] for m in mixes) for k in ("calls", "meetings", "emails", "tasks")}}
                for (kind, owner, overall), mixes in groups.items()]

    async def first_activity(self, scope: Scope) -> list[Row]:
        groups: dict[tuple, list[float | None]] = defaultdict(list)
        for board in scope.boards:
            for deal in self._deals(board).values():
                if deal.created_at is None or not scope.start <= deal.created_at < scope.end \
                        or not _owned(deal.owner, scope.owners):
                    continue
                made = [a.created_at for a in self._activities(board) if a.card == deal.id and a.created_at]
                hours = max(hours_between(deal.created_at, min(made)), 0.0) if made else None
                groups[(deal.owner, False)].append(hours)
                groups[(None, True)].append(hours)
        if not groups:
            groups[(None, True)] = []  # GROUPING SETS' () answers a row over nothing too
        return [{"owner_id": owner, "overall": overall, "deals": len(hours),
                 "touched": sum(h is not None for h in hours), "median_hours": median(hours)}
                for (owner, overall), hours in groups.items()]

    async def won_by_period(self, scope: Scope, interval: str, zone: str) -> list[Row]:
        groups: dict[tuple[date, str | None], list[DealRecord]] = defaultdict(list)
        for closed in self._closed(scope):
            if closed.deal.status == "won":
                day = closed.at.astimezone(ZoneInfo(zone)).date()
                groups[(period_start(day, interval), closed.deal.currency)].append(closed.deal)
        return [{"period": period, "currency": currency, "deals": len(deals), "value": total(d.value for d in deals)}
                for (period, currency), deals in groups.items()]

    async def open_by_period(self, boards: Sequence[UUID], first: date, after: date, owners: Sequence[UUID] | None,
                             interval: str) -> list[Row]:
        groups: dict[tuple[date, str | None], list[tuple[DealRecord, float, str | None]]] = defaultdict(list)
        for board in boards:
            stages = {s.id: s for s in self._stages(board)}
            for deal in self._deals(board).values():
                stage = stages.get(deal.stage)
                if stage is None or deal.status != "open" or deal.expected_close is None \
                        or not first <= deal.expected_close < after or not _owned(deal.owner, owners):
                    continue
                groups[(period_start(deal.expected_close, interval), deal.currency)].append(
                    (deal, _chance(deal, stage), _category(deal)))
        rows = []
        for (period, currency), group in groups.items():
            best = [d for d, _, category in group if category != "omitted"]
            commit = [d for d, _, category in group if category == "commit"]
            rows.append({"period": period, "currency": currency, "deals": len(group),
                         "value": total(d.value for d, _, _ in group),
                         "weighted": total(None if d.value is None else d.value * c for d, c, _ in group),
                         "weighted_deals": sum(c for _, c, _ in group),
                         "best_case": total(d.value for d in best), "best_case_deals": len(best),
                         "commit": total(d.value for d in commit), "commit_deals": len(commit)})
        return rows

    async def count(self, figure: str, scope: Scope) -> int:
        if figure == "deals_added":
            return sum(1 for b in scope.boards for d in self._deals(b).values()
                       if d.created_at is not None and scope.start <= d.created_at < scope.end
                       and _owned(d.owner, scope.owners))
        return sum(1 for b in scope.boards for a in self._activities(b)
                   if a.done and a.done_at is not None and scope.start <= a.done_at < scope.end
                   and _owned(a.assignee, scope.owners))

    async def deals(self, figure: str, scope: Scope, **detail: Any) -> list[Row]:
        picked: list[tuple[UUID, UUID, datetime | None]] = []
        if figure in ("entered", "advanced", "lost_from_stage"):
            for stage, visit, flags in self._funnel_visits(scope):
                chosen = {"entered": flags["first"], "advanced": flags["first"] and flags["advanced"],
                          "lost_from_stage": flags["last"] and flags["lost"]}[figure]
                if stage.id == detail["stage"] and chosen:
                    picked.append((visit.board, visit.card, None))
        elif figure in ("won", "lost"):
            reason, listed, none = detail.get("reason"), list(detail.get("listed", ())), bool(detail.get("no_reason"))
            for closed in self._closed(scope):
                text = closed.deal.lost_reason
                blank = (text or "").strip(" ") == ""
                if closed.deal.status == figure and ((reason is None and not none) or (none and blank)
                                                     or (reason == "" and not blank and text not in listed)
                                                     or (reason not in (None, "") and text == reason)):
                    picked.append((closed.board, closed.deal.id, closed.at))
        elif figure == "open":
            stage = detail.get("stage")
            picked = [(b, d.id, None) for b in scope.boards for d in self._deals(b).values()
                      if d.status == "open" and d.expected_close is not None
                      and detail["first"] <= d.expected_close < detail["after"]
                      and _owned(d.owner, scope.owners) and (stage is None or d.stage == stage)]
        elif figure == "open_now":
            picked = [(b, d.id, None) for b in scope.boards for d in self._deals(b).values()
                      if d.status == "open" and _owned(d.owner, scope.owners)]
        elif figure == "stuck":
            picked = [(b, d.id, None) for b, d in self._stuck(scope.boards, scope.owners, detail.get("stage"))]
        else:
            picked = [(b, d.id, None) for b in scope.boards for d in self._deals(b).values()
                      if d.created_at is not None and scope.start <= d.created_at < scope.end
                      and _owned(d.owner, scope.owners)]
        return self._deal_rows(picked)

    def _deal_rows(self, picked: list[tuple[UUID, UUID, datetime | None]]) -> list[Row]:
        """``deal_rows``: the 1,000 largest by value (then title, card), with names; ``total`` counts all."""
        found = [(board, self._deals(board)[card], at) for board, card, at in picked if card in self._deals(board)]
        found.sort(key=lambda item: (item[1].value is None, -(item[1].value or 0.0), item[1].title, item[1].id))
        rows = []
        for board, deal, at in found[:1000]:
            stage = next((s for s in self._stages(board) if s.id == deal.stage), None)
            rows.append({"board_id": board, "board_name": self._db.table("boards")[board].name, "card_id": deal.id,
                         "title": deal.title, "stage_id": deal.stage, "stage_name": stage.name if stage else None,
                         "owner_id": deal.owner, "owner_name": self._user_name(deal.owner), "status": deal.status,
                         "value": deal.value, "currency": deal.currency, "expected_close": deal.expected_close,
                         "created_at": deal.created_at, "closed_at": at, "lost_reason": deal.lost_reason,
                         "total": len(found)})
        return rows


def _owned(owner: UUID | None, owners: Sequence[UUID] | None) -> bool:
    """``owners IS NULL OR owner = ANY(owners)``: anyone's when no owners are named."""
    return owners is None or owner in owners


def _chance(deal: DealRecord, stage: StageRecord) -> float:
    """The deal's probability (its own, else a number custom field ``probability`` kept in 0-100, else
    its stage's, else 0) as a share."""
    own = deal.fields.get("probability")
    field = min(max(float(own), 0.0), 100.0) if isinstance(own, (int, float)) and not isinstance(own, bool) else None
    chosen = next((p for p in (deal.probability, field, stage.probability) if p is not None), 0.0)
    return chosen / 100


def _category(deal: DealRecord) -> str | None:
    """The deal's forecast category: its own, else a custom field ``forecast_category`` (text)."""
    if deal.forecast_category is not None:
        return deal.forecast_category
    value = deal.fields.get("forecast_category")
    return None if value is None else value if isinstance(value, str) else str(value)
