"""The shapes of automation rules (server/domain/automations.py): what each trigger and action
accepts, what it refuses and that the refusal names the field path (issue 16)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from server.domain.automations import InvalidRule, check_action, check_rule, check_trigger

BOARD = str(uuid4())
USER = str(uuid4())
NOTIFY = {"type": "notify", "user": USER, "message": "Look"}


def refused(field: str, *args, **kwargs) -> None:
    with pytest.raises(InvalidRule) as caught:
        check_rule("A rule", *args, **kwargs)
    assert caught.value.field == field, str(caught.value)


def test_deal_idle_wants_whole_days():
    assert check_trigger({"type": "deal_idle", "board": BOARD, "days": 7}) == {
        "type": "deal_idle", "board": BOARD, "days": 7}
    for days in (0, -1, 366, 1.5, True, "7", None):
        refused("trigger.days", {"type": "deal_idle", "board": BOARD, "days": days}, [NOTIFY])


def test_activity_triggers_take_a_type_and_a_lead_time():
    due = check_trigger({"type": "activity_due", "board": BOARD, "activity_type": "call", "before_minutes": 30})
    assert due == {"type": "activity_due", "board": BOARD, "activity_type": "call", "before_minutes": 30}
    assert check_trigger({"type": "activity_overdue", "board": BOARD}) == {
        "type": "activity_overdue", "board": BOARD, "activity_type": None}
    refused("trigger.activity_type", {"type": "activity_due", "board": BOARD, "activity_type": "fax"}, [NOTIFY])
    refused("trigger.before_minutes", {"type": "activity_due", "board": BOARD, "before_minutes": -5}, [NOTIFY])
    refused("trigger.before_minutes", {"type": "activity_overdue", "board": BOARD, "before_minutes": 5}, [NOTIFY])


def test_record_triggers_have_no_board_and_no_deal_actions():
    assert check_trigger({"type": "contact_created"}) == {"type": "contact_created"}
    refused("trigger.board", {"type": "organisation_created", "board": BOARD}, [NOTIFY])
    refused("actions[1].type", {"type": "contact_created"},
            [NOTIFY, {"type": "create_task", "title": "Call", "assignee": USER}])
    refused("actions[0].user", {"type": "contact_created"}, [{"type": "notify", "message": "New contact"}])


def test_conditions_on_a_contact_read_its_fields():
    rule = check_rule("VIP", {"type": "contact_created"}, [NOTIFY],
                      conditions=[{"field": "job_title", "op": "contains", "value": "CEO"}])
    assert rule.conditions == [{"field": "job_title", "op": "contains", "value": "CEO"}]
    refused("conditions[0].field", {"type": "organisation_created"}, [NOTIFY],
            conditions=[{"field": "job_title", "op": "is_empty"}])
    refused("conditions[0].field", {"type": "deal_created", "board": BOARD}, [NOTIFY],
            conditions=[{"field": "job_title", "op": "is_empty"}])


def test_a_schedule_wants_a_valid_cron_and_refuses_deal_actions_and_conditions():
    assert check_trigger({"type": "schedule", "cron": " 0  9 * * 1"}) == {"type": "schedule", "cron": "0 9 * * 1"}
    assert check_trigger({"type": "schedule", "cron": "*/15 * * * *", "board": BOARD})["board"] == BOARD
    for cron in ("0 9 * *", "61 9 * * 1", "0 9 * * funday", "", 5, "0 9 * * 1 2026"):
        refused("trigger.cron", {"type": "schedule", "cron": cron}, [NOTIFY])
    refused("actions[0].type", {"type": "schedule", "cron": "0 9 * * 1"}, [{"type": "move_deal", "stage": BOARD}])
    refused("conditions", {"type": "schedule", "cron": "0 9 * * 1"}, [NOTIFY],
            conditions=[{"field": "title", "op": "is_empty"}])


def test_field_changed_watches_the_title_and_custom_fields_by_id():
    field = str(uuid4())
    assert check_trigger({"type": "field_changed", "board": BOARD, "field": "title"})["field"] == "title"
    assert check_trigger({"type": "field_changed", "board": BOARD, "field": f"custom:{field.upper()}",
                          "to": "Gold"})["field"] == f"custom:{field}"
    refused("trigger.field", {"type": "field_changed", "board": BOARD, "field": "custom:tier"}, [NOTIFY])
    refused("trigger.field", {"type": "field_changed", "board": BOARD, "field": "owner"}, [NOTIFY])


def test_round_robin_assignees_are_distinct_user_ids():
    users = [str(uuid4()), str(uuid4())]
    action = check_action({"type": "create_task", "title": "Call", "assignee": {"round_robin": users}}, "actions[0]")
    assert action["assignee"] == {"round_robin": users}
    for bad, field in (({"round_robin": []}, "actions[0].assignee.round_robin"),
                       ({"round_robin": [users[0], users[0]]}, "actions[0].assignee.round_robin"),
                       ({"round_robin": [users[0], "someone"]}, "actions[0].assignee.round_robin[1]"),
                       ({"team": users}, "actions[0].assignee.team")):
        refused(field, {"type": "deal_created", "board": BOARD},
                [{"type": "create_task", "title": "Call", "assignee": bad}])


def test_a_round_robin_over_a_team_names_one_team_id():
    team = str(uuid4())
    action = check_action({"type": "create_task", "title": "Call", "assignee": {"round_robin_team": team.upper()}},
                          "actions[0]")
    assert action["assignee"] == {"round_robin_team": team}
    for bad, field in (({"round_robin_team": "sales"}, "actions[0].assignee.round_robin_team"),
                       ({"round_robin_team": None}, "actions[0].assignee.round_robin_team"),
                       ({"round_robin_team": team, "round_robin": [USER]}, "actions[0].assignee.round_robin")):
        refused(field, {"type": "deal_created", "board": BOARD},
                [{"type": "create_task", "title": "Call", "assignee": bad}])


def test_a_schedule_takes_an_iana_time_zone():
    assert check_trigger({"type": "schedule", "cron": "0 9 * * 1", "time_zone": "Europe/Berlin"}) == {
        "type": "schedule", "cron": "0 9 * * 1", "time_zone": "Europe/Berlin"}
    assert "time_zone" not in check_trigger({"type": "schedule", "cron": "0 9 * * 1"})  # the service gives one
    for bad in ("Berlin", "CEST", 1, "Europe/Nowhere"):
        refused("trigger.time_zone", {"type": "schedule", "cron": "0 9 * * 1", "time_zone": bad}, [NOTIFY])
    refused("trigger.time_zone", {"type": "deal_created", "board": BOARD, "time_zone": "UTC"}, [NOTIFY])


def test_call_webhook_wants_an_http_url_and_a_small_json_payload():
    action = check_action({"type": "call_webhook", "url": " https://hooks.example.com/in ", "payload": {"a": 1}},
                          "actions[0]")
    assert action == {"type": "call_webhook", "url": "https://hooks.example.com/in", "payload": {"a": 1}}
    trigger = {"type": "schedule", "cron": "0 9 * * 1"}
    assert check_rule("Ping", trigger, [{"type": "call_webhook", "url": "https://x.example"}]).actions[0][
        "payload"] is None
    refused("actions[0].url", trigger, [{"type": "call_webhook", "url": "ftp://x.example"}])
    refused("actions[0].url", trigger, [{"type": "call_webhook", "url": "https://user:pw@x.example"}])
    refused("actions[0].payload", trigger, [{"type": "call_webhook", "url": "https://x.example", "payload": [1]}])
    refused("actions[0].payload", trigger,
            [{"type": "call_webhook", "url": "https://x.example", "payload": {"big": "x" * 20_000}}])


def test_only_activity_triggers_notify_the_activity_assignee():
    notify = {"type": "notify", "user": "activity_assignee", "message": "Due soon"}
    assert check_rule("Due", {"type": "activity_due", "board": BOARD}, [notify]).actions[0]["user"] == (
        "activity_assignee")
    refused("actions[0].user", {"type": "deal_created", "board": BOARD}, [notify])
