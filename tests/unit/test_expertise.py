"""Who should take this (``server.domain.expertise``): all wanted tags first, else the most of
them (said so), ranked by free hours this week, then fewest overdue; each answer explains itself."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from server.domain.accounts import InvalidInput
from server.domain.expertise import Candidate, Tag, check_tag_name, suggest, tags_named

FR, MB, DE = uuid4(), uuid4(), uuid4()
NAMES = {FR: "Französisch", MB: "Maschinenbau", DE: "Deutsch"}


def person(name: str, tags: set[UUID], hours: float = 0.0, capacity: float = 40.0, overdue: int = 0) -> Candidate:
    return Candidate(uuid4(), name, frozenset(tags), hours, capacity, overdue)


def test_only_members_with_every_wanted_tag_are_suggested_when_someone_has_them_all():
    anna, ben, cleo = person("Anna", {FR, MB}, 30), person("Ben", {FR}), person("Cleo", {MB, FR, DE}, 12)
    found = suggest([FR, MB], NAMES, [anna, ben, cleo])
    assert found.complete is True
    assert [s.name for s in found.suggestions] == ["Cleo", "Anna"]
    assert [t.name for t in found.wanted] == ["Französisch", "Maschinenbau"]


def test_without_anyone_having_all_the_ones_with_the_most_are_suggested_and_it_says_so():
    anna, ben, cleo = person("Anna", {FR}), person("Ben", {DE}), person("Cleo", {FR, DE})
    found = suggest([FR, MB, DE], NAMES, [anna, ben, cleo])
    assert found.complete is False
    assert [s.name for s in found.suggestions] == ["Cleo"]
    assert found.suggestions[0].lacks == ("Maschinenbau",)
    assert "lacks Maschinenbau" in found.suggestions[0].reason


def test_nobody_is_suggested_when_no_one_has_any_wanted_tag_or_nothing_is_wanted():
    people = [person("Anna", {DE})]
    assert suggest([FR], NAMES, people).suggestions == ()
    assert suggest([], NAMES, people).suggestions == ()
    assert suggest([uuid4()], NAMES, people).wanted == (), "a tag that is gone is not wanted"


def test_more_free_hours_rank_first_then_fewer_overdue_then_the_name():
    busy = person("Anna", {FR}, hours=30)  # 10 h free
    part_time = person("Ben", {FR}, hours=5, capacity=20)  # 15 h free
    late = person("Cleo", {FR}, hours=0, overdue=3)  # 40 h free, 3 overdue
    on_time = person("Dora", {FR}, hours=0)  # 40 h free
    also = person("Emil", {FR}, hours=0)
    found = suggest([FR], NAMES, [busy, part_time, late, on_time, also], limit=None)
    assert [s.name for s in found.suggestions] == ["Dora", "Emil", "Cleo", "Ben", "Anna"]
    assert found.best() == [on_time.person, also.person], "Dora and Emil tie: a round robin draws between them"


def test_the_limit_keeps_the_best_few():
    people = [person(n, {FR}, hours=h) for n, h in (("A", 1), ("B", 2), ("C", 3), ("D", 4))]
    assert [s.name for s in suggest([FR], NAMES, people, limit=2).suggestions] == ["A", "B"]


def test_a_suggestion_explains_itself():
    cleo = person("Cleo", {FR, MB}, hours=12, overdue=2)
    [found] = suggest([FR, MB], NAMES, [cleo]).suggestions
    assert found.reason == "has Französisch, Maschinenbau; 12 of 40 h booked; 2 overdue"
    assert found.free == 28
    half = person("Dora", {FR}, hours=7.5, capacity=32)
    assert suggest([FR], NAMES, [half]).suggestions[0].reason == "has Französisch; 7.5 of 32 h booked"


def test_a_deals_labels_and_values_name_tags_in_any_case():
    tags = [Tag(FR, "Französisch"), Tag(MB, "Maschinenbau"), Tag(DE, "Deutsch")]
    assert tags_named(tags, ["französisch", "  Maschinenbau ", "Hot lead", 42]) == [FR, MB]  # type: ignore[list-item]
    assert tags_named(tags, []) == []


def test_a_tag_name_is_trimmed_and_checked():
    assert check_tag_name("  Region   Nord ") == "Region Nord"
    for bad in ("", "   ", None, 5, "x" * 61):
        with pytest.raises(InvalidInput, match="name"):
            check_tag_name(bad)


def test_a_create_task_may_go_to_the_best_match_of_some_expertise_tags():
    from server.domain.automations import InvalidRule, check_action

    tags = [str(uuid4()), str(uuid4())]
    action = check_action({"type": "create_task", "title": "Call", "assignee": {"by_expertise": [*tags, tags[0]]}},
                          "actions[0]")
    assert action["assignee"] == {"by_expertise": tags}, "each tag once"
    for bad, field in (({"by_expertise": []}, "actions[0].assignee.by_expertise"),
                       ({"by_expertise": "x"}, "actions[0].assignee.by_expertise"),
                       ({"by_expertise": ["nope"]}, "actions[0].assignee.by_expertise[0]"),
                       ({"by_expertise": tags, "round_robin": tags}, "actions[0].assignee.round_robin")):
        with pytest.raises(InvalidRule) as raised:
            check_action({"type": "create_task", "title": "Call", "assignee": bad}, "actions[0]")
        assert str(raised.value).startswith(field), (bad, str(raised.value))


def test_a_deal_names_tags_by_its_labels_and_its_fields_text_values():
    from server.domain.expertise import deal_words

    assert deal_words(["Hot", "Französisch"], {"f1": "Maschinenbau", "f2": 12, "f3": ["DACH", "Benelux"],
                                                "f4": None}) == ["Hot", "Französisch", "Maschinenbau", "DACH",
                                                                 "Benelux"]
