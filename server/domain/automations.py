"""Workflow automations: a rule is a trigger and the actions it runs (issue 16, items 2-4).

A rule's trigger and actions are plain JSON values once checked here (``check_rule``), stored as
they are and read back the same; every check names the field it refused (``trigger.stage``,
``actions[0].title``) in ``InvalidRule`` (HTTP 422). A run is one rule evaluated for one trigger
event: its trigger, its inputs (the card as the event left it), each action's result, an error.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from croniter import croniter

from server.domain import schedules
from server.domain.accounts import InvalidInput
from server.domain.webhooks import check_url


class InvalidRule(InvalidInput):
    """A rule that is not what was expected (HTTP 422); ``field`` is the path the message starts with."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.field = message.partition(":")[0]


class Refused(Exception):
    """An action that cannot succeed however often it is tried (a template's merge field without a
    value, no contact to write to): the run fails with this reason and is not retried."""


class AlreadySent(Exception):
    """A send_template action of a run sent its mail before (a rerun): nothing is sent again."""


class TriggerType(enum.StrEnum):
    DEAL_CREATED = "deal_created"
    DEAL_STAGE_ENTERED = "deal_stage_entered"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"
    FIELD_CHANGED = "field_changed"
    DEAL_IDLE = "deal_idle"  # an open deal with no change and no activity done for ``days``
    ACTIVITY_DUE = "activity_due"  # an undone activity reaches its due time (less ``before_minutes``)
    ACTIVITY_OVERDUE = "activity_overdue"  # an undone activity's due time (or due day) has passed
    CONTACT_CREATED = "contact_created"  # workspace-wide, no board
    ORGANISATION_CREATED = "organisation_created"  # workspace-wide, no board
    SCHEDULE = "schedule"  # a cron timetable; no deal
    # E-mail (issue 17 item 5; docs/email-automations.md): about the mail's contact, and its deal on
    # ``board`` when the rule names one.
    EMAIL_OPENED = "email_opened"  # a tracked mail's first open by a person (privacy proxies do not count)
    LINK_CLICKED = "link_clicked"  # a tracked mail's link, first click (``url_contains`` narrows)
    EMAIL_REPLIED = "email_replied"  # a synced mail threads onto one sent from the workspace


# What each trigger is about: a deal (every action applies), an activity (deal actions apply to its
# deal, if it has one), a contact or organisation, or nothing at all (a schedule).
DEAL_TRIGGERS = frozenset({TriggerType.DEAL_CREATED, TriggerType.DEAL_STAGE_ENTERED, TriggerType.DEAL_WON,
                           TriggerType.DEAL_LOST, TriggerType.FIELD_CHANGED, TriggerType.DEAL_IDLE})
ACTIVITY_TRIGGERS = frozenset({TriggerType.ACTIVITY_DUE, TriggerType.ACTIVITY_OVERDUE})
RECORD_TRIGGERS = frozenset({TriggerType.CONTACT_CREATED, TriggerType.ORGANISATION_CREATED})
SWEPT_TRIGGERS = frozenset({TriggerType.DEAL_IDLE, TriggerType.ACTIVITY_DUE, TriggerType.ACTIVITY_OVERDUE,
                            TriggerType.SCHEDULE})  # found by the sweep job, not by an edit
EMAIL_TRIGGERS = frozenset({TriggerType.EMAIL_OPENED, TriggerType.LINK_CLICKED, TriggerType.EMAIL_REPLIED})


class ActionType(enum.StrEnum):
    CREATE_TASK = "create_task"
    MOVE_DEAL = "move_deal"
    SET_FIELD = "set_field"
    ADD_LABEL = "add_label"
    NOTIFY = "notify"
    WAIT = "wait"  # the run stops here and a continuation job resumes it at the next action
    CALL_WEBHOOK = "call_webhook"  # POST the run's event JSON, signed, to a URL
    SEND_TEMPLATE = "send_template"  # a workspace template to the run's contact (issue 17 item 5)


# Actions that change a deal, refused where a trigger has none (contacts, organisations, schedules).
DEAL_ACTIONS = frozenset({ActionType.CREATE_TASK, ActionType.MOVE_DEAL, ActionType.SET_FIELD, ActionType.ADD_LABEL})


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"  # not run: the chain of rules reached the depth limit (or its rule went)
    WAITING = "waiting"  # stopped at a wait action; a continuation job resumes it


DEAL_OWNER = "deal_owner"
ACTIVITY_ASSIGNEE = "activity_assignee"  # notify: the assignee of the activity an activity trigger is about
ROUND_ROBIN = "round_robin"  # create_task: {"round_robin": [user ids]}, each run the next one
ROUND_ROBIN_TEAM = "round_robin_team"  # create_task: {"round_robin_team": team id}, the team's current members
BY_EXPERTISE = "by_expertise"  # create_task: {"by_expertise": [tag ids]}, the best match at run time (docs/expertise.md)
# Fields a field_changed trigger may watch (the card history records the first three), plus
# ``custom:<custom field id>`` for a deal custom field; set_field may set SETTABLE_FIELDS.
WATCHED_FIELDS = ("value", "stage", "status", "title")
CUSTOM_PREFIX = "custom:"
ACTIVITY_TYPES = ("call", "meeting", "email", "todo", "deadline")
IDLE_LIMIT_DAYS = 365
BEFORE_LIMIT_MINUTES = 7 * 24 * 60
ROUND_ROBIN_LIMIT = 50
PAYLOAD_LIMIT = 10_000  # characters of a call_webhook payload as JSON
SETTABLE_FIELDS = ("title", "value", "expected_close")
NAME_LIMIT = 200
TEXT_LIMIT = 500
MAX_ACTIONS = 20
WAIT_LIMIT_DAYS = 365


class Rule(NamedTuple):
    id: UUID
    workspace_id: UUID
    name: str
    enabled: bool
    trigger: dict[str, Any]
    actions: list[dict[str, Any]]
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    conditions: list[dict[str, Any]] = []  # all must hold: [{"field", "op", "value"}]


class NewRule(NamedTuple):
    """A checked rule, not yet stored."""

    name: str
    enabled: bool
    trigger: dict[str, Any]
    actions: list[dict[str, Any]]
    conditions: list[dict[str, Any]] = []


class Run(NamedTuple):
    id: UUID
    rule_id: UUID
    event_key: str
    trigger: dict[str, Any]
    inputs: dict[str, Any]
    status: RunStatus
    results: list[dict[str, Any]]  # one per action done: {"type", "ok", "result" | "error"}
    error: str | None
    depth: int
    started_at: datetime
    finished_at: datetime | None


def _text(value: object, where: str, limit: int = TEXT_LIMIT) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= limit:
        raise InvalidRule(f"{where}: expected text of 1 to {limit} characters, got {value!r:.80}")
    return value.strip()


def _expertise(assignee: Mapping[str, Any], where: str) -> list[str]:
    """``{"by_expertise": [tag ids]}``: 1 to ROUND_ROBIN_LIMIT expertise tags, each once."""
    _only(assignee, (BY_EXPERTISE,), where)
    tags = assignee[BY_EXPERTISE]
    if not isinstance(tags, Sequence) or isinstance(tags, (str, bytes)) or not 1 <= len(tags) <= ROUND_ROBIN_LIMIT:
        raise InvalidRule(f"{where}.{BY_EXPERTISE}: expected a list of 1 to {ROUND_ROBIN_LIMIT} expertise tag ids, "
                          f"got {tags!r:.80}")
    ids = [_uuid(tag, f"{where}.{BY_EXPERTISE}[{i}]") for i, tag in enumerate(tags)]
    return list(dict.fromkeys(ids))

def _uuid(value: object, where: str) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise InvalidRule(f"{where}: expected an id (UUID), got {value!r:.80}") from None


def _only(raw: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    extra = sorted(set(raw) - set(allowed))
    if extra:
        raise InvalidRule(f"{where}.{extra[0]}: not a field of this {where.split('[')[0]}; expected {sorted(allowed)}")


def custom_field_of(field: str) -> str | None:
    """The custom field id of a watched ``custom:<id>`` field, else None."""
    return field[len(CUSTOM_PREFIX):] if field.startswith(CUSTOM_PREFIX) else None


def check_cron(raw: object, where: str) -> str:
    """A five-field cron expression (minute hour day-of-month month day-of-week), as croniter reads it."""
    if not isinstance(raw, str) or not 9 <= len(raw.strip()) <= 100 or len(raw.split()) != 5:
        raise InvalidRule(f"{where}: expected a cron expression of five fields (minute hour day month weekday), "
                          f"got {raw!r:.80}")
    cron = " ".join(raw.split())
    if not croniter.is_valid(cron):
        raise InvalidRule(f"{where}: expected a valid cron expression such as '0 9 * * 1', got {raw!r:.80}")
    return cron


def check_time_zone(raw: object, where: str) -> str:
    """An IANA time zone name (``Europe/Berlin``, ``UTC``) the machine's tz database knows."""
    try:
        schedules.zone(raw)  # type: ignore[arg-type]
    except ValueError as error:
        raise InvalidRule(f"{where}: {error}") from None
    return str(raw)


def _whole(raw: Mapping[str, Any], key: str, where: str, low: int, high: int, default: int | None = None) -> int | None:
    value = raw.get(key)
    value = default if value is None else value
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidRule(f"{where}.{key}: expected a whole number from {low} to {high}, got {value!r:.80}")
    return value


def check_trigger(raw: object) -> dict[str, Any]:
    """The trigger as stored: ``type``, ``board`` (none for contact, organisation and some schedule
    triggers) and the fields its type needs."""
    if not isinstance(raw, Mapping):
        raise InvalidRule(f"trigger: expected an object, got {raw!r:.80}")
    try:
        kind = TriggerType(raw.get("type"))
    except ValueError:
        raise InvalidRule(f"trigger.type: expected one of {[t.value for t in TriggerType]}, "
                          f"got {raw.get('type')!r:.80}") from None
    if kind in RECORD_TRIGGERS:
        _only(raw, ("type",), "trigger")
        return {"type": str(kind)}
    if kind in EMAIL_TRIGGERS:
        _only(raw, ("type", "board", "url_contains") if kind is TriggerType.LINK_CLICKED else ("type", "board"),
              "trigger")
        trigger = {"type": str(kind)}
        if raw.get("board") is not None:  # the run is about the mail's deal on this board
            trigger["board"] = _uuid(raw.get("board"), "trigger.board")
        if raw.get("url_contains") not in (None, ""):
            trigger["url_contains"] = _text(raw.get("url_contains"), "trigger.url_contains")
        return trigger
    if kind is TriggerType.SCHEDULE:
        _only(raw, ("type", "cron", "board", "time_zone"), "trigger")
        trigger = {"type": str(kind), "cron": check_cron(raw.get("cron"), "trigger.cron")}
        if raw.get("time_zone") is not None:  # none: the service gives the author's zone
            trigger["time_zone"] = check_time_zone(raw.get("time_zone"), "trigger.time_zone")
        if raw.get("board") is not None:
            trigger["board"] = _uuid(raw.get("board"), "trigger.board")
        return trigger
    trigger: dict[str, Any] = {"type": str(kind), "board": _uuid(raw.get("board"), "trigger.board")}
    if kind is TriggerType.DEAL_STAGE_ENTERED:
        _only(raw, ("type", "board", "stage"), "trigger")
        trigger["stage"] = _uuid(raw.get("stage"), "trigger.stage")
    elif kind is TriggerType.FIELD_CHANGED:
        _only(raw, ("type", "board", "field", "from", "to"), "trigger")
        field = raw.get("field")
        if isinstance(field, str) and (custom := custom_field_of(field)) is not None:
            field = CUSTOM_PREFIX + _uuid(custom, "trigger.field")
        elif field not in WATCHED_FIELDS:
            raise InvalidRule(f"trigger.field: expected one of {list(WATCHED_FIELDS)} or custom:<custom field id>, "
                              f"got {field!r:.80}")
        trigger["field"] = field
        for end in ("from", "to"):
            value = raw.get(end)
            if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise InvalidRule(f"trigger.{end}: expected a text or a number (or none: any), got {value!r:.80}")
            trigger[end] = value
    elif kind is TriggerType.DEAL_IDLE:
        _only(raw, ("type", "board", "days"), "trigger")
        trigger["days"] = _whole(raw, "days", "trigger", 1, IDLE_LIMIT_DAYS, default=0)
    elif kind in ACTIVITY_TRIGGERS:
        allowed = ("type", "board", "activity_type", "before_minutes")
        _only(raw, allowed if kind is TriggerType.ACTIVITY_DUE else allowed[:3], "trigger")
        activity_type = raw.get("activity_type")
        if activity_type is not None and activity_type not in ACTIVITY_TYPES:
            raise InvalidRule(f"trigger.activity_type: expected one of {list(ACTIVITY_TYPES)} (or none: any), "
                              f"got {activity_type!r:.80}")
        trigger["activity_type"] = activity_type
        if kind is TriggerType.ACTIVITY_DUE:
            trigger["before_minutes"] = _whole(raw, "before_minutes", "trigger", 0, BEFORE_LIMIT_MINUTES, default=0)
    else:
        _only(raw, ("type", "board"), "trigger")
    return trigger


def check_action(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidRule(f"{where}: expected an object, got {raw!r:.80}")
    try:
        kind = ActionType(raw.get("type"))
    except ValueError:
        raise InvalidRule(f"{where}.type: expected one of {[t.value for t in ActionType]}, "
                          f"got {raw.get('type')!r:.80}") from None
    action: dict[str, Any] = {"type": str(kind)}
    if kind is ActionType.CREATE_TASK:
        _only(raw, ("type", "title", "assignee", "due_in_days"), where)
        action["title"] = _text(raw.get("title"), f"{where}.title")
        assignee = raw.get("assignee", DEAL_OWNER)
        if isinstance(assignee, Mapping) and ROUND_ROBIN_TEAM in assignee:
            _only(assignee, (ROUND_ROBIN_TEAM,), f"{where}.assignee")
            team = _uuid(assignee[ROUND_ROBIN_TEAM], f"{where}.assignee.{ROUND_ROBIN_TEAM}")
            action["assignee"] = {ROUND_ROBIN_TEAM: team}
        elif isinstance(assignee, Mapping) and BY_EXPERTISE in assignee:
            action["assignee"] = {BY_EXPERTISE: _expertise(assignee, f"{where}.assignee")}
        elif isinstance(assignee, Mapping):
            _only(assignee, (ROUND_ROBIN, ROUND_ROBIN_TEAM, BY_EXPERTISE), f"{where}.assignee")
            users = assignee.get(ROUND_ROBIN)
            if (not isinstance(users, Sequence) or isinstance(users, (str, bytes))
                    or not 1 <= len(users) <= ROUND_ROBIN_LIMIT):
                raise InvalidRule(f"{where}.assignee.{ROUND_ROBIN}: expected a list of 1 to {ROUND_ROBIN_LIMIT} "
                                  f"user ids, got {users!r:.80}")
            ids = [_uuid(user, f"{where}.assignee.{ROUND_ROBIN}[{i}]") for i, user in enumerate(users)]
            if len(set(ids)) != len(ids):
                raise InvalidRule(f"{where}.assignee.{ROUND_ROBIN}: expected each user once, got {ids}")
            action["assignee"] = {ROUND_ROBIN: ids}
        else:
            action["assignee"] = assignee if assignee in (DEAL_OWNER, None) else _uuid(assignee, f"{where}.assignee")
        due = raw.get("due_in_days")
        if due is not None and (not isinstance(due, int) or isinstance(due, bool) or not 0 <= due <= 3650):
            raise InvalidRule(f"{where}.due_in_days: expected a whole number of days from 0 to 3650, got {due!r:.80}")
        action["due_in_days"] = due
    elif kind is ActionType.MOVE_DEAL:
        _only(raw, ("type", "stage"), where)
        action["stage"] = _uuid(raw.get("stage"), f"{where}.stage")
    elif kind is ActionType.SET_FIELD:
        _only(raw, ("type", "field", "value"), where)
        field = raw.get("field")
        if field not in SETTABLE_FIELDS:
            raise InvalidRule(f"{where}.field: expected one of {list(SETTABLE_FIELDS)}, got {field!r:.80}")
        value = raw.get("value")
        if field == "value":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InvalidRule(f"{where}.value: expected a number of 0 or more, got {value!r:.80}")
        elif field == "expected_close":
            if not isinstance(value, str):
                raise InvalidRule(f"{where}.value: expected a date (YYYY-MM-DD), got {value!r:.80}")
            try:
                datetime.strptime(value, "%Y-%m-%d")
            except ValueError:
                raise InvalidRule(f"{where}.value: expected a date (YYYY-MM-DD), got {value!r:.80}") from None
        else:
            value = _text(value, f"{where}.value")
        action["field"], action["value"] = field, value
    elif kind is ActionType.ADD_LABEL:
        _only(raw, ("type", "label"), where)
        action["label"] = _text(raw.get("label"), f"{where}.label", 100)
    elif kind is ActionType.WAIT:
        _only(raw, ("type", "days", "hours"), where)
        units = [unit for unit in ("days", "hours") if raw.get(unit) is not None]
        if len(units) != 1:
            raise InvalidRule(f"{where}.days: expected either days or hours (one of them), got {dict(raw)!r:.80}")
        unit = units[0]
        amount, most = raw[unit], WAIT_LIMIT_DAYS * (24 if unit == "hours" else 1)
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= most:
            raise InvalidRule(f"{where}.{unit}: expected a whole number of {unit} from 1 to {most}, got {amount!r:.80}")
        action[unit] = amount
    elif kind is ActionType.SEND_TEMPLATE:
        _only(raw, ("type", "template", "track"), where)
        action["template"] = _uuid(raw.get("template"), f"{where}.template")
        track = raw.get("track", False)
        if not isinstance(track, bool):
            raise InvalidRule(f"{where}.track: expected true or false, got {track!r:.80}")
        action["track"] = track
    elif kind is ActionType.CALL_WEBHOOK:
        _only(raw, ("type", "url", "payload"), where)
        url = raw.get("url")
        if not isinstance(url, str):
            raise InvalidRule(f"{where}.url: expected an http(s) URL, got {url!r:.80}")
        try:
            action["url"] = check_url(url).url
        except InvalidInput as error:
            raise InvalidRule(f"{where}.url: {error}") from None
        payload = raw.get("payload")
        if payload is not None:
            if not isinstance(payload, Mapping):
                raise InvalidRule(f"{where}.payload: expected an object (sent as the body's payload), "
                                  f"got {payload!r:.80}")
            try:
                size = len(json.dumps(payload))
            except (TypeError, ValueError):
                raise InvalidRule(f"{where}.payload: expected plain JSON, got {payload!r:.80}") from None
            if size > PAYLOAD_LIMIT:
                raise InvalidRule(f"{where}.payload: expected at most {PAYLOAD_LIMIT} characters of JSON, got {size}")
        action["payload"] = payload
    else:
        _only(raw, ("type", "user", "message"), where)
        user = raw.get("user", DEAL_OWNER)
        action["user"] = user if user in (DEAL_OWNER, ACTIVITY_ASSIGNEE) else _uuid(user, f"{where}.user")
        action["message"] = _text(raw.get("message"), f"{where}.message")
    return action


def check_actions(raw: object) -> list[dict[str, Any]]:
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)) or not 1 <= len(raw) <= MAX_ACTIONS:
        raise InvalidRule(f"actions: expected a list of 1 to {MAX_ACTIONS} actions, got {raw!r:.80}")
    return [check_action(action, f"actions[{i}]") for i, action in enumerate(raw)]


class Op(enum.StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    CONTAINS = "contains"  # text contains, or a list (labels) holds the value
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


# Deal fields a condition reads; ``fields.<key>`` reads a custom field.
CONDITION_FIELDS = ("title", "value", "currency", "owner", "stage", "status", "labels", "expected_close")
# What conditions read on a contact_created / organisation_created rule (custom fields as ``fields.<key>``).
RECORD_CONDITION_FIELDS = {
    TriggerType.CONTACT_CREATED: ("first_name", "last_name", "emails", "phones", "job_title", "owner", "labels",
                                  "organisation"),
    TriggerType.ORGANISATION_CREATED: ("name", "website", "emails", "phones", "owner", "labels"),
}
_FIELD_KEY = re.compile(r"^fields\.[a-z][a-z0-9_]{0,62}$")


def check_conditions(raw: object, record: bool = False) -> list[dict[str, Any]]:
    """Checked conditions; ``record``: the fields are a contact's or organisation's (``check_fit`` narrows)."""
    known = {*CONDITION_FIELDS, *(f for fields in RECORD_CONDITION_FIELDS.values() for f in fields)} if record \
        else set(CONDITION_FIELDS)
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)) or len(raw) > MAX_ACTIONS:
        raise InvalidRule(f"conditions: expected a list of at most {MAX_ACTIONS} conditions, got {raw!r:.80}")
    checked = []
    for i, item in enumerate(raw):
        where = f"conditions[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidRule(f"{where}: expected an object, got {item!r:.80}")
        _only(item, ("field", "op", "value"), where)
        field = item.get("field")
        if field not in known and not (isinstance(field, str) and _FIELD_KEY.match(field)):
            raise InvalidRule(f"{where}.field: expected one of {list(CONDITION_FIELDS)} or fields.<custom field key>, "
                              f"got {field!r:.80}")
        try:
            op = Op(item.get("op"))
        except ValueError:
            raise InvalidRule(f"{where}.op: expected one of {[o.value for o in Op]}, got {item.get('op')!r:.80}") from None
        value = item.get("value")
        if op in (Op.IS_EMPTY, Op.IS_NOT_EMPTY):
            value = None
        elif op in (Op.GREATER_THAN, Op.LESS_THAN):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InvalidRule(f"{where}.value: expected a number to compare with, got {value!r:.80}")
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise InvalidRule(f"{where}.value: expected a text or a number, got {value!r:.80}")
        checked.append({"field": field, "op": str(op), "value": value})
    return checked


def holds(condition: dict[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds for a deal's ``values`` (field name -> value; ``fields.<key>``)."""
    actual, op, wanted = values.get(condition["field"]), Op(condition["op"]), condition["value"]
    empty = actual is None or actual == "" or actual == [] or actual == ()
    if op is Op.IS_EMPTY:
        return empty
    if op is Op.IS_NOT_EMPTY:
        return not empty
    if op in (Op.GREATER_THAN, Op.LESS_THAN):
        if not isinstance(actual, (int, float)) or isinstance(actual, bool):
            return False
        return actual > wanted if op is Op.GREATER_THAN else actual < wanted
    if op is Op.CONTAINS:
        if isinstance(actual, (list, tuple)):
            return any(str(item).casefold() == str(wanted).casefold() for item in actual)
        return actual is not None and str(wanted).casefold() in str(actual).casefold()
    same = (float(actual) == float(wanted) if isinstance(actual, (int, float)) and isinstance(wanted, (int, float))
            else actual is not None and str(actual).casefold() == str(wanted).casefold())
    return same if op is Op.EQUALS else not same


def check_fit(trigger: dict[str, Any], actions: list[dict[str, Any]], conditions: list[dict[str, Any]]) -> None:
    """Refuse actions and conditions the trigger gives nothing to act on: no deal (contacts,
    organisations, schedules), no activity (anything but activity triggers)."""
    kind = TriggerType(trigger["type"])
    has_deal = kind in DEAL_TRIGGERS or kind in ACTIVITY_TRIGGERS or (kind in EMAIL_TRIGGERS and "board" in trigger)
    for i, action in enumerate(actions):
        if action["type"] == ActionType.SEND_TEMPLATE and kind in (TriggerType.SCHEDULE,
                                                                   TriggerType.ORGANISATION_CREATED):
            raise InvalidRule(f"actions[{i}].type: a {kind} trigger has no contact to send a template to")
        if not has_deal and action["type"] in DEAL_ACTIONS:
            raise InvalidRule(f"actions[{i}].type: a {kind} trigger has no deal to act on; expected one of "
                              f"{sorted(t.value for t in ActionType if t not in DEAL_ACTIONS)}, got {action['type']}")
        if action["type"] == ActionType.NOTIFY:
            if action["user"] == DEAL_OWNER and not has_deal:
                raise InvalidRule(f"actions[{i}].user: a {kind} trigger has no deal owner; expected a user id")
            if action["user"] == ACTIVITY_ASSIGNEE and kind not in ACTIVITY_TRIGGERS:
                raise InvalidRule(f"actions[{i}].user: only activity triggers have an activity assignee; "
                                  f"expected {DEAL_OWNER} or a user id")
    if conditions and kind is TriggerType.SCHEDULE:
        raise InvalidRule("conditions: a schedule trigger has no record to test; expected none")
    for i, condition in enumerate(conditions):
        record = RECORD_CONDITION_FIELDS.get(kind) or (
            RECORD_CONDITION_FIELDS[TriggerType.CONTACT_CREATED] if kind in EMAIL_TRIGGERS and not has_deal else None)
        if record is not None and condition["field"] not in record and not condition["field"].startswith("fields."):
            raise InvalidRule(f"conditions[{i}].field: expected one of {list(record)} "
                              f"or fields.<custom field key>, got {condition['field']!r:.80}")


def check_rule(name: object, trigger: object, actions: object, enabled: object = True,
               conditions: object = None) -> NewRule:
    """The rule as stored, or ``InvalidRule`` naming the first field that is not as expected."""
    if not isinstance(enabled, bool):
        raise InvalidRule(f"enabled: expected true or false, got {enabled!r:.80}")
    checked = check_trigger(trigger)
    kind = TriggerType(checked["type"])
    about_contact = kind in RECORD_TRIGGERS or (kind in EMAIL_TRIGGERS and "board" not in checked)
    rule = NewRule(_text(name, "name", NAME_LIMIT), enabled, checked, check_actions(actions),
                   check_conditions(conditions, record=about_contact))
    check_fit(rule.trigger, rule.actions, rule.conditions)
    return rule


def stages_named(rule: NewRule) -> list[tuple[str, str]]:
    """(field path, stage id) of every stage the rule names, to check against its board."""
    named = [("trigger.stage", rule.trigger["stage"])] if "stage" in rule.trigger else []
    named += [(f"actions[{i}].stage", a["stage"]) for i, a in enumerate(rule.actions) if "stage" in a]
    return named


def waited(action: dict[str, Any]) -> timedelta:
    """How long a wait action waits."""
    return timedelta(days=action.get("days") or 0, hours=action.get("hours") or 0)
