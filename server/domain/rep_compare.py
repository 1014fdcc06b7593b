"""Rep comparison (issue 19, "why one rep outperforms another"): the figures of two or more reps
beside the baseline (their team's, or every owner's in the workspace), and what explains the
difference — the biggest gaps, ranked, each one sentence with its numbers in English or German.

A figure is one row of the comparison: a key (``conversion`` of a stage, ``median_days`` in a
stage, activities ``per_won`` and ``per_open`` deal of one kind, ``first_activity_hours``,
``win_rate``, ``average_won``, ``lost_share`` of a reason, ``coverage`` of the goal) and a cell per
rep and for the baseline: the value and the number of deals behind it (the sample).

A gap is a rep's value against the baseline's: its relative size (capped at ``MAX_RELATIVE``) times
the square root of its sample, so a wide gap on three deals ranks below a modest one on fifty. A gap
on fewer than ``MIN_SAMPLE`` deals is left out (and counted, so the screen can say so). Ties keep
the larger sample first, then the rep's name, then the figure's order. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple
from uuid import UUID

MIN_SAMPLE = 5
MAX_RELATIVE = 3.0
UNITS = {"conversion": "ratio", "win_rate": "ratio", "lost_share": "ratio", "coverage": "ratio",
         "median_days": "days", "first_activity_hours": "hours", "per_won": "count", "per_open": "count",
         "average_won": "money"}
ACTIVITY_KINDS = ("calls", "meetings", "emails", "tasks")


class Cell(NamedTuple):
    value: float | None
    sample: int
    drill: dict[str, Any] | None = None


class Figure(NamedTuple):
    """One row: ``key`` (see ``UNITS``), what it is of (a stage's name, an activity kind, a reason,
    a currency), a cell per rep and the baseline's."""

    key: str
    cells: Mapping[UUID, Cell]
    baseline: Cell
    of: str | None = None
    stage: UUID | None = None


class Gap(NamedTuple):
    owner: UUID
    name: str
    figure: Figure
    value: float
    baseline: float
    sample: int
    relative: float
    score: float


def relative_gap(value: float, baseline: float) -> float:
    """(value - baseline) / |baseline|, within ±``MAX_RELATIVE``; a baseline of 0 counts any value as the cap."""
    if baseline == 0:
        return 0.0 if value == 0 else math.copysign(MAX_RELATIVE, value)
    return max(-MAX_RELATIVE, min(MAX_RELATIVE, (value - baseline) / abs(baseline)))


def gaps(figures: Iterable[Figure], names: Mapping[UUID, str],
         min_sample: int = MIN_SAMPLE) -> tuple[list[Gap], int]:
    """Every rep's gap to the baseline, largest first (see the module's docstring), and how many
    were left out for their sample."""
    found, small = [], 0
    for order, figure in enumerate(figures):
        base = None if figure.baseline.value is None else float(figure.baseline.value)
        for owner, cell in figure.cells.items():
            if cell.value is None or base is None:
                continue
            relative = relative_gap(float(cell.value), base)
            if relative == 0:
                continue
            if cell.sample < min_sample or figure.baseline.sample < min_sample:
                small += 1
                continue
            score = abs(relative) * math.sqrt(cell.sample)
            found.append((order, Gap(owner, names.get(owner, "?"), figure, float(cell.value), base, cell.sample,
                                     relative, score)))
    found.sort(key=lambda item: (-round(item[1].score, 9), -item[1].sample, item[1].name.casefold(), item[0]))
    return [gap for _, gap in found], small


def explain(figures: Sequence[Figure], names: Mapping[UUID, str], baseline: str, lang: str, limit: int = 8,
            min_sample: int = MIN_SAMPLE) -> dict[str, Any]:
    """The ``limit`` biggest gaps as sentences in ``lang`` (en or de); ``baseline`` is team or
    workspace. ``left_out``: gaps on fewer than ``min_sample`` deals."""
    ranked, small = gaps(figures, names, min_sample)
    return {"min_sample": min_sample, "left_out": small, "gaps": [
        {"owner": g.owner, "key": g.figure.key, "of": g.figure.of, "stage": g.figure.stage, "value": g.value,
         "baseline": g.baseline, "sample": g.sample, "relative": round(g.relative, 4), "score": round(g.score, 4),
         "text": sentence(g, baseline, lang), "drill": g.figure.cells[g.owner].drill}
        for g in ranked[:limit]]}


# --- sentences ------------------------------------------------------------------------------------

SENTENCES = {
    "en": {
        "conversion": "{rep} converts {of} at {value} ({base} {baseline}; {n} deals)",
        "median_days": "{rep} needs {value} days in {of} ({base} median {baseline}; {n} deals)",
        "per_won": "{rep} logs {value} {of} per won deal ({base} {baseline}; {n} won deals)",
        "per_open": "{rep} logs {value} {of} per open deal ({base} {baseline}; {n} open deals)",
        "first_activity_hours": "{rep} takes {value} hours to a new deal's first activity "
                                "({base} median {baseline}; {n} deals)",
        "win_rate": "{rep} wins {value} of closed deals ({base} {baseline}; {n} deals)",
        "average_won": "{rep}'s average won deal is {value} ({base} {baseline}; {n} won deals)",
        "lost_share": "{value} of {rep}'s lost deals give {of} ({base} {baseline}; {n} lost deals)",
        "coverage": "{rep}'s weighted pipeline covers {value} of the goal ({base} {baseline}; {n} open deals)",
    },
    "de": {
        "conversion": "{rep} bringt {of} auf {value} ({base} {baseline}; {n} Deals)",
        "median_days": "{rep} braucht {value} Tage in {of} ({base}-Median {baseline}; {n} Deals)",
        "per_won": "{rep} erfasst {value} {of} pro gewonnenem Deal ({base} {baseline}; {n} gewonnene Deals)",
        "per_open": "{rep} erfasst {value} {of} pro offenem Deal ({base} {baseline}; {n} offene Deals)",
        "first_activity_hours": "{rep} braucht {value} Stunden bis zur ersten Aktivität eines neuen Deals "
                                "({base}-Median {baseline}; {n} Deals)",
        "win_rate": "{rep} gewinnt {value} der abgeschlossenen Deals ({base} {baseline}; {n} Deals)",
        "average_won": "Der durchschnittliche gewonnene Deal von {rep}: {value} ({base} {baseline}; "
                       "{n} gewonnene Deals)",
        "lost_share": "{rep}: {value} der verlorenen Deals nennen {of} ({base} {baseline}; {n} verlorene Deals)",
        "coverage": "Die gewichtete Pipeline von {rep} deckt {value} des Ziels ({base} {baseline}; {n} offene Deals)",
    },
}
BASELINES = {"en": {"team": "team", "workspace": "all reps"}, "de": {"team": "Team", "workspace": "alle"}}
REASON_WORDS = {"en": {"": "another reason", None: "no reason"},
                "de": {"": "einen anderen Grund", None: "keinen Grund"}}
ACTIVITY_WORDS = {"en": {"calls": "calls", "meetings": "meetings", "emails": "e-mails", "tasks": "tasks"},
                  "de": {"calls": "Anrufe", "meetings": "Termine", "emails": "E-Mails", "tasks": "Aufgaben"}}


def sentence(gap: Gap, baseline: str, lang: str) -> str:
    """One gap in words, numbers in ``lang``'s format ("62%" / "62 %", "2.1" / "2,1")."""
    lang = lang if lang in SENTENCES else "en"
    figure = gap.figure
    unit = UNITS[figure.key]
    of = figure.of
    if figure.key in ("per_won", "per_open"):
        of = ACTIVITY_WORDS[lang].get(of or "", of)
    elif figure.key == "lost_share":
        of = REASON_WORDS[lang][of] if of in REASON_WORDS[lang] else ("„{}“" if lang == "de" else "“{}”").format(of)
    base = BASELINES[lang].get(baseline, baseline)
    if lang == "de" and figure.key in ("median_days", "first_activity_hours") and baseline == "workspace":
        base = "Gesamt"  # "alle-Median" reads oddly
    return SENTENCES[lang][figure.key].format(
        rep=gap.name, of=of, base=base, n=formatted(gap.sample, "count", lang),
        value=formatted(gap.value, unit, lang, figure.of), baseline=formatted(gap.baseline, unit, lang, figure.of))


def formatted(value: float, unit: str, lang: str, currency: str | None = None) -> str:
    """A figure's number as the locale writes it: ratios as percentages, days and counts to one
    decimal (none when whole), hours whole, money whole with its currency."""
    if unit == "ratio":
        text = number(value * 100, 0, lang)
        return f"{text} %" if lang == "de" else f"{text}%"
    if unit == "money":
        return f"{number(value, 0, lang)} {currency or ''}".strip()
    return number(value, 0 if unit == "hours" else 1, lang)


def number(value: float, digits: int, lang: str) -> str:
    """``value`` rounded to ``digits`` (trailing zeros dropped), grouped in thousands: 1,234.5 or 1.234,5."""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
