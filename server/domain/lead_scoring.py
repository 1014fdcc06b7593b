"""Lead scores that explain themselves (docs/lead-scoring.md). Rules, their checks and defaults, and
the score: a pure function of a subject's facts (fields and dated engagement events) and a
workspace's rules. No I/O.

Three kinds of rule:

- ``fit``: a field of the lead or contact (``source``, ``country``, ``organisation.size``, a
  custom field ``custom.<key>`` …) ``equals`` / ``contains`` / ``one_of`` / ``is_set`` /
  ``between`` a value → points;
- ``engagement``: at least one ``event`` (opened, clicked, replied, booked, form, activity) within
  the last ``days`` → points;
- ``decay``: no engagement at all for ``days`` (counted from the last event, else from when the
  subject arrived) → (negative) points.

The score is the sum of the matching rules' points clamped to 0..100; the explanation lists each
matching rule with its points and its evidence (structured, so each language words it; ``text`` is
the English wording for logs and the API's readers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec

from server.domain.leads import InvalidLead

MIN_POINTS, MAX_POINTS = -100, 100
MAX_RULES = 50
MAX_DAYS = 365
MAX_VALUES = 20
EVENTS = ("opened", "clicked", "replied", "booked", "form", "activity")
OPS = ("equals", "contains", "one_of", "is_set", "between")
FIELDS = ("source", "status", "labels", "email_domain", "organisation", "job_title", "country", "city", "value",
          "title")
_PREFIXED = re.compile(r"^(custom|organisation)\.[a-z0-9_]{1,64}$")
_EVENT_WORDS = {"opened": "opened {n} mail(s)", "clicked": "clicked {n} link(s)", "replied": "replied {n} time(s)",
                "booked": "booked {n} meeting(s)", "form": "submitted {n} form(s)", "activity": "had {n} activity(ies)"}

Value = str | float | list[str] | None


class InvalidScoringRule(InvalidLead):
    """A scoring rule not as expected (HTTP 422 naming ``field``, e.g. ``rules[2].points``)."""


class Rule(msgspec.Struct, frozen=True, omit_defaults=True):
    """One scoring rule; which attributes count depends on ``kind`` (see the module docstring)."""

    kind: Literal["fit", "engagement", "decay"]
    points: int
    field: str = ""
    op: str = ""
    values: list[str] = []
    event: str = ""
    days: int = 0


class Facts(msgspec.Struct, frozen=True):
    """What a score is computed from: field values, each engagement kind's moments, and since when
    the subject exists (the decay counts from there when nothing happened)."""

    fields: dict[str, Value]
    events: dict[str, list[datetime]]
    since: datetime


class Matched(msgspec.Struct, frozen=True):
    """A rule that matched: its index, its points, structured evidence and its English wording."""

    rule: int
    kind: str
    points: int
    evidence: dict[str, Any]
    text: str


class Scored(msgspec.Struct, frozen=True):
    score: int
    total: int  # the unclamped sum
    matched: list[Matched]


# -- checks ---------------------------------------------------------------------------------------

def _fail(at: str, reason: str) -> None:
    raise InvalidScoringRule(at, reason)


def check_field(name: str, at: str) -> None:
    if name not in FIELDS and not _PREFIXED.match(name):
        _fail(at, f"expected one of {', '.join(FIELDS)}, custom.<key> or organisation.<key>, got {name!r}")


def _check_fit(rule: Rule, at: str) -> None:
    check_field(rule.field, f"{at}.field")
    if rule.op not in OPS:
        _fail(f"{at}.op", f"expected one of {', '.join(OPS)}, got {rule.op!r}")
    wanted = {"equals": 1, "contains": 1, "is_set": 0, "between": 2}.get(rule.op)
    if wanted is not None and len(rule.values) != wanted:
        _fail(f"{at}.values", f"{rule.op} takes {wanted} value(s), got {len(rule.values)}")
    if rule.op == "one_of" and not 1 <= len(rule.values) <= MAX_VALUES:
        _fail(f"{at}.values", f"one_of takes 1 to {MAX_VALUES} values, got {len(rule.values)}")
    if rule.op == "between" and any(_number(v) is None for v in rule.values):
        _fail(f"{at}.values", f"between takes two numbers, got {rule.values!r}")
    if any(not v.strip() or len(v) > 200 for v in rule.values):
        _fail(f"{at}.values", "expected non-empty values of at most 200 characters")


def _check_days(rule: Rule, at: str) -> None:
    if not 1 <= rule.days <= MAX_DAYS:
        _fail(f"{at}.days", f"expected 1 to {MAX_DAYS} days, got {rule.days}")


def check_rules(rules: Sequence[Rule]) -> list[Rule]:
    """``rules`` if each is well formed (at most one decay); else ``InvalidScoringRule`` naming it."""
    if len(rules) > MAX_RULES:
        _fail("rules", f"expected at most {MAX_RULES} rules, got {len(rules)}")
    for i, rule in enumerate(rules):
        at = f"rules[{i}]"
        if not MIN_POINTS <= rule.points <= MAX_POINTS:
            _fail(f"{at}.points", f"expected {MIN_POINTS} to {MAX_POINTS}, got {rule.points}")
        if rule.kind == "fit":
            _check_fit(rule, at)
        elif rule.kind == "engagement":
            if rule.event not in EVENTS:
                _fail(f"{at}.event", f"expected one of {', '.join(EVENTS)}, got {rule.event!r}")
            _check_days(rule, at)
        else:
            _check_days(rule, at)
    if sum(r.kind == "decay" for r in rules) > 1:
        _fail("rules", "expected at most one decay rule")
    return list(rules)


def default_rules() -> list[Rule]:
    """What a workspace starts with (shown, editable, resettable)."""
    return [
        Rule("fit", 15, field="organisation.size", op="between", values=["50", "200"]),
        Rule("fit", 10, field="country", op="one_of", values=["DE", "AT", "CH"]),
        Rule("fit", 5, field="source", op="equals", values=["web_form"]),
        Rule("fit", -10, field="email_domain", op="one_of", values=["gmail.com", "yahoo.com", "hotmail.com",
                                                                     "gmx.de", "web.de"]),
        Rule("engagement", 5, event="opened", days=14),
        Rule("engagement", 10, event="clicked", days=14),
        Rule("engagement", 20, event="replied", days=30),
        Rule("engagement", 25, event="booked", days=30),
        Rule("engagement", 15, event="form", days=30),
        Rule("engagement", 10, event="activity", days=30),
        Rule("decay", -20, days=30),
    ]


# -- matching ---------------------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _texts(value: Value) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip().casefold() for v in items if str(v).strip()]


def fit_matches(rule: Rule, value: Value) -> bool:
    """Whether a field's value meets a fit rule (case-blind; a list matches if one item does)."""
    texts = _texts(value)
    wanted = [v.strip().casefold() for v in rule.values]
    if rule.op == "is_set":
        return bool(texts)
    if rule.op == "equals":
        return wanted[0] in texts
    if rule.op == "contains":
        return any(wanted[0] in t for t in texts)
    if rule.op == "one_of":
        return any(t in wanted for t in texts)
    low, high = sorted(_number(v) or 0.0 for v in rule.values)
    return any(n is not None and low <= n <= high for n in map(_number, texts))


def _fit(i: int, rule: Rule, facts: Facts) -> Matched | None:
    value = facts.fields.get(rule.field)
    if not fit_matches(rule, value):
        return None
    shown = ", ".join(_texts(value)) if value is not None else ""
    evidence = {"field": rule.field, "op": rule.op, "values": rule.values, "value": shown}
    return Matched(i, "fit", rule.points, evidence, f"{rule.field} is {shown or 'set'}")


def _engagement(i: int, rule: Rule, facts: Facts, now: datetime) -> Matched | None:
    start = now - timedelta(days=rule.days)
    count = sum(start <= at <= now for at in facts.events.get(rule.event, []))
    if not count:
        return None
    evidence = {"event": rule.event, "count": count, "days": rule.days}
    words = _EVENT_WORDS[rule.event].format(n=count)
    return Matched(i, "engagement", rule.points, evidence, f"{words} in the last {rule.days} days")


def last_engagement(facts: Facts) -> datetime | None:
    moments = [at for ats in facts.events.values() for at in ats]
    return max(moments) if moments else None


def _decay(i: int, rule: Rule, facts: Facts, now: datetime) -> Matched | None:
    last = last_engagement(facts)
    quiet_since = last or facts.since
    idle = (now - quiet_since).days
    if idle < rule.days:
        return None
    evidence = {"days": rule.days, "idle_days": idle, "ever": last is not None}
    return Matched(i, "decay", rule.points, evidence, f"no engagement for {idle} days")


def score(facts: Facts, rules: Sequence[Rule], now: datetime) -> Scored:
    """The sum of the matching rules' points, clamped to 0..100, with what matched and why."""
    matched: list[Matched] = []
    for i, rule in enumerate(rules):
        if rule.kind == "fit":
            hit = _fit(i, rule, facts)
        elif rule.kind == "engagement":
            hit = _engagement(i, rule, facts, now)
        else:
            hit = _decay(i, rule, facts, now)
        if hit is not None:
            matched.append(hit)
    total = sum(m.points for m in matched)
    return Scored(max(0, min(100, total)), total, matched)


# -- suggest from history ---------------------------------------------------------------------------

class Rate(msgspec.Struct, frozen=True):
    value: str
    won: int
    lost: int


class RuleHistory(msgspec.Struct, frozen=True):
    """Closed deals whose contact met rule ``rule`` (won, lost) against those whose contact did not,
    and the win counts per value of the rule's field (the most frequent first)."""

    rule: int
    matching: Rate
    others: Rate
    by_value: list[Rate]


def win_rates(rules: Sequence[Rule], closed: Sequence[tuple[Mapping[str, Value], bool]],
              top: int = 8) -> list[RuleHistory]:
    """For each fit rule, how the deals (``closed``: the contact's fields, won?) of contacts that met it
    ended, against the others'; read-only numbers for an admin weighing the rule."""
    out = []
    for i, rule in enumerate(rules):
        if rule.kind != "fit":
            continue
        tally: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
        values: dict[str, list[int]] = {}
        for fields, won in closed:
            value = fields.get(rule.field)
            tally[fit_matches(rule, value)][0 if won else 1] += 1
            for text in _texts(value) or ["—"]:
                values.setdefault(text, [0, 0])[0 if won else 1] += 1
        ranked = sorted(values.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:top]
        out.append(RuleHistory(i, Rate("matching", *tally[True]), Rate("others", *tally[False]),
                               [Rate(v, w, lost) for v, (w, lost) in ranked]))
    return out


class StoredScore(msgspec.Struct, frozen=True):
    """A subject's score as stored: the score, the explanation and when it was computed."""

    subject_id: Any  # UUID
    kind: Literal["lead", "contact"]
    score: int
    total: int
    matched: list[Matched]
    computed_at: datetime
