"""The e-mail triggers and send_template as rules are checked (pure): what each trigger takes, that a
rule without a board acts on the contact only, and where a template can go."""

from __future__ import annotations

import pytest

from server.domain.automations import InvalidRule, check_rule

TEMPLATE = "6f1c9a5e-3b1e-4a51-9d1e-1a2b3c4d5e6f"
BOARD = "0b7c2c3e-1111-4a51-9d1e-1a2b3c4d5e6f"
SEND = {"type": "send_template", "template": TEMPLATE}


def test_link_clicked_keeps_its_url_part_and_send_template_its_template_and_tracking():
    rule = check_rule("r", {"type": "link_clicked", "url_contains": " pricing "}, [{**SEND, "track": True}],
                      conditions=[{"field": "first_name", "op": "equals", "value": "Ada"}])
    assert rule.trigger == {"type": "link_clicked", "url_contains": "pricing"}
    assert rule.actions == [{"type": "send_template", "template": TEMPLATE, "track": True}]


def test_without_a_board_an_email_rule_has_no_deal_to_act_on_and_reads_contact_fields():
    with pytest.raises(InvalidRule) as refused:
        check_rule("r", {"type": "email_opened"}, [{"type": "add_label", "label": "x"}])
    assert refused.value.field == "actions[0].type"
    with pytest.raises(InvalidRule) as refused:
        check_rule("r", {"type": "email_replied"}, [SEND], conditions=[{"field": "value", "op": "greater_than",
                                                                           "value": 5}])
    assert refused.value.field == "conditions[0].field"
    rule = check_rule("r", {"type": "email_replied", "board": BOARD}, [{"type": "add_label", "label": "x"}],
                      conditions=[{"field": "value", "op": "greater_than", "value": 5}])
    assert rule.trigger == {"type": "email_replied", "board": BOARD}


@pytest.mark.parametrize("trigger", [{"type": "schedule", "cron": "0 9 * * 1"}, {"type": "organisation_created"}])
def test_a_template_needs_a_contact_to_go_to(trigger):
    with pytest.raises(InvalidRule) as refused:
        check_rule("r", trigger, [SEND])
    assert refused.value.field == "actions[0].type"


@pytest.mark.parametrize("action, field", [({**SEND, "template": "nope"}, "actions[0].template"),
                                           ({**SEND, "track": "yes"}, "actions[0].track"),
                                           ({**SEND, "to": "x"}, "actions[0].to")])
def test_a_send_template_action_not_as_expected_is_refused_naming_the_field(action, field):
    with pytest.raises(InvalidRule) as refused:
        check_rule("r", {"type": "email_opened"}, [action])
    assert refused.value.field == field


def test_url_contains_belongs_to_link_clicked_only():
    with pytest.raises(InvalidRule) as refused:
        check_rule("r", {"type": "email_opened", "url_contains": "x"}, [SEND])
    assert refused.value.field == "trigger.url_contains"
