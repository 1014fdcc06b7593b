"""The pure lead scoring (``server.domain.lead_scoring``): each kind of rule, windows, decay,
clamping, the explanation's evidence and words, the checks and the win rates from history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from server.domain.lead_scoring import (
    Facts, InvalidScoringRule, Rule, check_rules, default_rules, fit_matches, score, win_rates,
)

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)


def facts(fields=None, events=None, since_days: int = 1) -> Facts:
    return Facts(fields or {}, events or {}, NOW - timedelta(days=since_days))


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


def test_fit_rules_match_by_equals_contains_one_of_is_set_and_between_case_blind():
    assert fit_matches(Rule("fit", 5, field="source", op="equals", values=["web_form"]), "WEB_FORM")
    assert fit_matches(Rule("fit", 5, field="job_title", op="contains", values=["head"]), "Head of Sales")
    assert fit_matches(Rule("fit", 5, field="country", op="one_of", values=["DE", "AT"]), "at")
    assert not fit_matches(Rule("fit", 5, field="country", op="one_of", values=["DE", "AT"]), "FR")
    assert fit_matches(Rule("fit", 5, field="labels", op="is_set"), ["vip"])
    assert not fit_matches(Rule("fit", 5, field="labels", op="is_set"), [])
    size = Rule("fit", 15, field="organisation.size", op="between", values=["50", "200"])
    assert fit_matches(size, "120") and fit_matches(size, 50.0) and not fit_matches(size, "201")
    assert not fit_matches(size, "many")
    assert fit_matches(Rule("fit", 5, field="labels", op="equals", values=["hot"]), ["cold", "Hot"])


def test_an_engagement_rule_counts_events_inside_its_window_only():
    rule = Rule("engagement", 5, event="opened", days=14)
    got = score(facts(events={"opened": days_ago(1, 3, 13.9, 15)}), [rule], NOW)
    assert got.score == 5
    assert got.matched[0].evidence == {"event": "opened", "count": 3, "days": 14}
    assert got.matched[0].text == "opened 3 mail(s) in the last 14 days"
    assert score(facts(events={"opened": days_ago(20)}), [rule], NOW).matched == []


def test_each_engagement_kind_is_worded():
    rules = [Rule("engagement", 1, event=e, days=7) for e in ("clicked", "replied", "booked", "form", "activity")]
    events = {e: days_ago(1) for e in ("clicked", "replied", "booked", "form", "activity")}
    texts = [m.text for m in score(facts(events=events), rules, NOW).matched]
    assert texts == ["clicked 1 link(s) in the last 7 days", "replied 1 time(s) in the last 7 days",
                     "booked 1 meeting(s) in the last 7 days", "submitted 1 form(s) in the last 7 days",
                     "had 1 activity(ies) in the last 7 days"]


def test_decay_counts_from_the_last_event_or_else_from_arrival():
    decay = Rule("decay", -20, days=30)
    quiet = score(facts({"source": "manual"}, {"opened": days_ago(40)}), [Rule("fit", 30, field="source",
                                                                                 op="is_set"), decay], NOW)
    assert quiet.score == 10 and quiet.matched[1].evidence == {"days": 30, "idle_days": 40, "ever": True}
    assert quiet.matched[1].text == "no engagement for 40 days"
    assert score(facts(events={"opened": days_ago(3)}, since_days=90), [decay], NOW).matched == []
    assert score(facts(since_days=31), [decay], NOW).matched[0].evidence["ever"] is False
    assert score(facts(since_days=5), [decay], NOW).matched == []


def test_the_score_is_the_sum_clamped_to_0_and_100_and_keeps_the_raw_total():
    many = [Rule("fit", 60, field="source", op="is_set"), Rule("fit", 70, field="country", op="is_set")]
    high = score(facts({"source": "web_form", "country": "DE"}), many, NOW)
    assert (high.score, high.total) == (100, 130)
    low = score(facts({"email_domain": "gmail.com"}, since_days=60),
                [Rule("fit", -10, field="email_domain", op="equals", values=["gmail.com"]),
                 Rule("decay", -20, days=30)], NOW)
    assert (low.score, low.total) == (0, -30)


def test_the_explanation_lists_each_matching_rule_with_its_points_and_evidence():
    got = score(facts({"country": "DE", "source": "manual"}, {"replied": days_ago(2)}), default_rules(), NOW)
    assert [(m.rule, m.points) for m in got.matched] == [(1, 10), (6, 20)]
    assert got.matched[0].evidence["value"] == "de" and got.matched[0].text == "country is de"
    assert got.score == 30
    assert msgspec.json.decode(msgspec.json.encode(got), type=type(got)) == got


@pytest.mark.parametrize(("rule", "field"), [
    (Rule("fit", 101, field="source", op="is_set"), "rules[0].points"),
    (Rule("fit", -101, field="source", op="is_set"), "rules[0].points"),
    (Rule("fit", 5, field="shoe_size", op="is_set"), "rules[0].field"),
    (Rule("fit", 5, field="source", op="like"), "rules[0].op"),
    (Rule("fit", 5, field="source", op="equals"), "rules[0].values"),
    (Rule("fit", 5, field="custom.size", op="between", values=["a", "b"]), "rules[0].values"),
    (Rule("engagement", 5, event="visited", days=3), "rules[0].event"),
    (Rule("engagement", 5, event="opened", days=0), "rules[0].days"),
    (Rule("decay", -5, days=400), "rules[0].days"),
])
def test_a_bad_rule_is_refused_naming_its_field(rule, field):
    with pytest.raises(InvalidScoringRule) as refused:
        check_rules([rule])
    assert refused.value.field == field


def test_the_defaults_pass_their_own_checks_and_only_one_decay_is_allowed():
    assert check_rules(default_rules()) == default_rules()
    with pytest.raises(InvalidScoringRule) as refused:
        check_rules([Rule("decay", -5, days=3), Rule("decay", -5, days=9)])
    assert refused.value.field == "rules"
    assert check_rules([Rule("fit", 5, field="custom.industry", op="one_of", values=["saas", "retail"])])


def test_win_rates_compare_deals_of_contacts_meeting_a_fit_rule_with_the_others():
    rules = [Rule("fit", 10, field="country", op="one_of", values=["DE", "AT"]), Rule("decay", -5, days=9)]
    closed = [({"country": "DE"}, True), ({"country": "DE"}, False), ({"country": "AT"}, True),
              ({"country": "FR"}, False), ({}, False)]
    [history] = win_rates(rules, closed)
    assert history.rule == 0
    assert (history.matching.won, history.matching.lost) == (2, 1)
    assert (history.others.won, history.others.lost) == (0, 2)
    assert [(r.value, r.won, r.lost) for r in history.by_value] == [("de", 1, 1), ("at", 1, 0), ("fr", 0, 1),
                                                                    ("—", 0, 1)]
