"""Workflow automations: a rule is a trigger and the actions it runs (issue 16, items 2-4).

A rule's trigger and actions are plain JSON values once checked here (``check_rule``), stored as
they are and read back the same; every check names the field it refused (``trigger.stage``,
``actions[0].title``) in ``InvalidRule`` (HTTP 422). A run is one rule evaluated for one trigger
event: its trigger, its inputs (the card as the event left it), each action's result, an error.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput


class InvalidRule(InvalidInput):
    """A rule that is not what was expected (HTTP 422); ``field`` is the path the message starts with."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.field = message.partition(":")[0]


class TriggerType(enum.StrEnum):
    DEAL_CREATED = "deal_created"
    DEAL_STAGE_ENTERED = "deal_stage_entered"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"
    FIELD_CHANGED = "field_changed"


class ActionType(enum.StrEnum):
    CREATE_TASK = "create_task"
    MOVE_DEAL = "move_deal"
    SET_FIELD = "set_field"
    ADD_LABEL = "add_label"
    NOTIFY = "notify"
    WAIT = "wait"  # the run stops here and a continuation job resumes it at the next action


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"  # not run: the chain of rules reached the depth limit (or its rule went)
    WAITING = "waiting"  # stopped at a wait action; a continuation job resumes it


DEAL_OWNER = "deal_owner"
# Fields a field_changed trigger may watch, and set_field may set (the card history records these).
WATCHED_FIELDS = ("value", "stage", "status")
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


def _uuid(value: object, where: str) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise InvalidRule(f"{where}: expected an id (UUID), got {value!r:.80}") from None


def _only(raw: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    extra = sorted(set(raw) - set(allowed))
    if extra:
        raise InvalidRule(f"{where}.{extra[0]}: not a field of this {where.split('[')[0]}; expected {sorted(allowed)}")


def check_trigger(raw: object) -> dict[str, Any]:
    """The trigger as stored: ``type``, ``board`` and the fields its type needs."""
    if not isinstance(raw, Mapping):
        raise InvalidRule(f"trigger: expected an object, got {raw!r:.80}")
    try:
        kind = TriggerType(raw.get("type"))
    except ValueError:
        raise InvalidRule(f"trigger.type: expected one of {[t.value for t in TriggerType]}, "
                          f"got {raw.get('type')!r:.80}") from None
    trigger: dict[str, Any] = {"type": str(kind), "board": _uuid(raw.get("board"), "trigger.board")}
    if kind is TriggerType.DEAL_STAGE_ENTERED:
        _only(raw, ("type", "board", "stage"), "trigger")
        trigger["stage"] = _uuid(raw.get("stage"), "trigger.stage")
    elif kind is TriggerType.FIELD_CHANGED:
        _only(raw, ("type", "board", "field", "from", "to"), "trigger")
        field = raw.get("field")
        if field not in WATCHED_FIELDS:
            raise InvalidRule(f"trigger.field: expected one of {list(WATCHED_FIELDS)}, got {field!r:.80}")
        trigger["field"] = field
        for end in ("from", "to"):
            value = raw.get(end)
            if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise InvalidRule(f"trigger.{end}: expected a text or a number (or none: any), got {value!r:.80}")
            trigger[end] = value
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
    else:
        _only(raw, ("type", "user", "message"), where)
        user = raw.get("user", DEAL_OWNER)
        action["user"] = user if user == DEAL_OWNER else _uuid(user, f"{where}.user")
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
_FIELD_KEY = re.compile(r"^fields\.[a-z][a-z0-9_]{0,62}$")


def check_conditions(raw: object) -> list[dict[str, Any]]:
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
        if field not in CONDITION_FIELDS and not (isinstance(field, str) and _FIELD_KEY.match(field)):
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


def check_rule(name: object, trigger: object, actions: object, enabled: object = True,
               conditions: object = None) -> NewRule:
    """The rule as stored, or ``InvalidRule`` naming the first field that is not as expected."""
    if not isinstance(enabled, bool):
        raise InvalidRule(f"enabled: expected true or false, got {enabled!r:.80}")
    return NewRule(_text(name, "name", NAME_LIMIT), enabled, check_trigger(trigger), check_actions(actions),
                   check_conditions(conditions))


def stages_named(rule: NewRule) -> list[tuple[str, str]]:
    """(field path, stage id) of every stage the rule names, to check against its board."""
    named = [("trigger.stage", rule.trigger["stage"])] if "stage" in rule.trigger else []
    named += [(f"actions[{i}].stage", a["stage"]) for i, a in enumerate(rule.actions) if "stage" in a]
    return named


def waited(action: dict[str, Any]) -> timedelta:
    """How long a wait action waits."""
    return timedelta(days=action.get("days") or 0, hours=action.get("hours") or 0)
