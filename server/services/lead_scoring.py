"""Lead scores that explain themselves (docs/lead-scoring.md): a workspace's rules (Settings › Lead
scoring; admins change them, the defaults until they do), each lead's and contact's
score with its explanation, the preview of unsaved rules, and win rates from closed deals.

Scores are computed by ``server.domain.lead_scoring.score`` over facts read through ``ScoringFacts``
and stored, never inside a reader's request: a change to what a score reads marks its subject (the
triggers of migration 0051, in the change's own transaction) and queues ``lead_scoring.rescore`` for
the workspace, which scores the marked in batches and deletes exactly the marks it read, so a job
run twice does no harm. A rule change rescores the whole workspace (``{"all": true}``); a sweep
every minute takes marks a running job missed, and a daily run rescores everyone (decay and windows
move with the clock even when nothing happens).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import Action
from server.domain.lead_scoring import (
    InvalidScoringRule, Rule, RuleHistory, Scored, StoredScore, check_rules, default_rules, score, win_rates,
)
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from server.services.ports.lead_scoring import Kind, LeadScores, ScoringFacts, ScoringRuleStore
from server.services.ports.unit import Begin
from server.services.records import workspace_role

log = logging.getLogger(__name__)

RESCORE = "lead_scoring.rescore"
DAILY = "lead_scoring.daily"
SWEEP_CRON = "* * * * *"
DAILY_CRON = "17 3 * * *"
BATCH = 500
KINDS: tuple[Kind, ...] = ("lead", "contact")
_RULES = msgspec.json.Decoder(list[Rule])


class RuleSet(NamedTuple):
    rules: list[Rule]
    defaults: list[Rule]  # what a reset gives back


def rules_of(raw: Any) -> list[Rule]:
    """The rules of a request body's ``rules`` list, checked; ``InvalidScoringRule`` naming the field."""
    if not isinstance(raw, list):
        raise InvalidScoringRule("rules", f"expected a list of rules, got {type(raw).__name__}")
    try:
        rules = _RULES.decode(msgspec.json.encode(raw))
    except msgspec.ValidationError as bad:
        raise InvalidScoringRule(_where(str(bad)), f"expected a rule: {bad}") from None
    return check_rules(rules)


def _where(message: str) -> str:
    """``rules[2].points`` from msgspec's "… - at `$[2].points`"."""
    at = message.rpartition("at `$")[2].rstrip("`")
    return "rules" + at if at and at != message else "rules"


class LeadScoring:
    def __init__(self, begin: Begin, rules: ScoringRuleStore, scores: LeadScores, facts: ScoringFacts,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._begin, self._rules, self._scores, self._facts, self._now = begin, rules, scores, facts, now

    async def _allowed(self, caller: Caller, workspace: UUID, action: Action) -> None:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, action)

    async def _current(self, workspace: UUID) -> list[Rule]:
        rules = await self._rules.get(workspace)
        return rules if rules is not None else default_rules()

    async def rules(self, caller: Caller, workspace: UUID) -> RuleSet:
        """The workspace's rules: the defaults until an admin saves others (they score the same)."""
        await self._allowed(caller, workspace, Action.READ_CONTACTS)
        return RuleSet(await self._current(workspace), default_rules())

    async def change(self, caller: Caller, workspace: UUID, raw: Any) -> RuleSet:
        """Replace the rules (admins) and queue the workspace's rescoring."""
        rules = rules_of(raw)
        await self._allowed(caller, workspace, Action.MANAGE_SETTINGS)
        await self._rules.put(workspace, rules, caller.id)
        await self._queue_all(workspace)
        return RuleSet(rules, default_rules())

    async def reset(self, caller: Caller, workspace: UUID) -> RuleSet:
        """Back to the defaults (admins), rescoring the workspace."""
        await self._allowed(caller, workspace, Action.MANAGE_SETTINGS)
        await self._rules.put(workspace, default_rules(), caller.id)
        await self._queue_all(workspace)
        return RuleSet(default_rules(), default_rules())

    async def _queue_all(self, workspace: UUID) -> None:
        async with self._begin() as tx:
            await tx.jobs.enqueue(RESCORE, {"workspace": str(workspace), "all": True},
                                  dedupe_key=f"{RESCORE}:all:{workspace}")

    async def preview(self, caller: Caller, workspace: UUID, raw: Any, kind: Kind, subject: UUID) -> Scored:
        """What ``subject`` would score under rules not saved yet."""
        rules = rules_of(raw)
        await self._allowed(caller, workspace, Action.READ_CONTACTS)
        facts = (await self._facts.facts(workspace, kind, [subject])).get(subject)
        if facts is None:
            raise InvalidScoringRule("subject", f"expected a {kind} of this workspace, got {subject}")
        return score(facts, rules, self._now())

    async def scores(self, caller: Caller, workspace: UUID, kind: Kind, subjects: Sequence[UUID],
                     least: int | None = None, limit: int = 200) -> list[StoredScore]:
        """Stored scores of ``subjects`` (or, none named, the workspace's best of at least ``least``)."""
        await self._allowed(caller, workspace, Action.READ_CONTACTS)
        if subjects:
            found = await self._scores.of(kind, subjects)
            return [found[s] for s in subjects if s in found and (least is None or found[s].score >= least)]
        return await self._scores.ranked(workspace, kind, least or 0, limit)

    async def history(self, caller: Caller, workspace: UUID) -> list[RuleHistory]:
        """Per fit rule, how deals of contacts that met it ended against the others."""
        await self._allowed(caller, workspace, Action.READ_CONTACTS)
        return win_rates(await self._current(workspace), await self._facts.closed_deals(workspace))

    # -- the jobs -----------------------------------------------------------------------------------

    async def rescore(self, workspace: UUID, kind: Kind, subjects: Sequence[UUID],
                      rules: Sequence[Rule] | None = None) -> int:
        """Score ``subjects`` anew and store them; how many were scored."""
        if not subjects:
            return 0
        rules = rules if rules is not None else await self._current(workspace)
        now = self._now()
        facts = await self._facts.facts(workspace, kind, subjects)
        await self._scores.put(workspace, kind, [(s, score(f, rules, now)) for s, f in facts.items()], now)
        return len(facts)

    async def rescore_marked(self, workspace: UUID) -> int:
        """Score everyone the workspace's marks name, a batch at a time, forgetting the marks read."""
        done = 0
        while (marked := await self._facts.marked(workspace, BATCH)).marks:
            done += await self.rescore(workspace, "lead", marked.leads)
            done += await self.rescore(workspace, "contact", marked.contacts)
            await self._facts.unmark(marked.marks)
        return done

    async def rescore_all(self, workspace: UUID) -> int:
        """Score every lead and contact of the workspace, in batches."""
        rules, done = await self._current(workspace), 0
        for kind in KINDS:
            after: UUID | None = None
            while page := await self._facts.page(workspace, kind, after, BATCH):
                done += await self.rescore(workspace, kind, page, rules)
                after = page[-1]
        return done

    async def run(self, payload: dict[str, Any]) -> None:
        """``lead_scoring.rescore``: one workspace's marks (or everyone, ``all``); no workspace: every
        workspace with marks (the sweep)."""
        if payload.get("workspace"):
            workspace = UUID(payload["workspace"])
            await (self.rescore_all if payload.get("all") else self.rescore_marked)(workspace)
            return
        for workspace in await self._facts.workspaces(marked_only=True):
            await self.rescore_marked(workspace)

    async def daily(self, payload: dict[str, Any]) -> None:
        """``lead_scoring.daily``: rescore every workspace (decay and windows move with the clock)."""
        for workspace in await self._facts.workspaces(marked_only=False):
            done = await self.rescore_all(workspace)
            log.info("lead scoring: %d scored in workspace %s", done, workspace)


def register(kinds: JobKinds, scoring: LeadScoring, sweep_cron: str = SWEEP_CRON,
             daily_cron: str = DAILY_CRON) -> None:
    """Add ``lead_scoring.rescore`` (with its sweep) and ``lead_scoring.daily`` to the worker's kinds."""
    kinds.handle(RESCORE)(scoring.run)
    kinds.handle(DAILY)(scoring.daily)
    if sweep_cron:
        kinds.every(RESCORE, sweep_cron)
    if daily_cron:
        kinds.every(DAILY, daily_cron)
