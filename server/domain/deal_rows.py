"""A row of a deals file as the card it becomes: each cell read and checked against the board
(stage by name), the workspace (owner by member e-mail, contact by e-mail or id, organisation by
name) and the deal custom fields. Amounts and dates may be written the German way (``1.200,50``,
``31.12.2026``). Pure: the lookups are read before, by ``services.deal_transfer``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from server.domain.accounts import InvalidInput, normalise_email
from server.domain.contacts import check_labels
from server.domain.crm import BoardState, DealStatus, StageKind, check_title, status_after_move
from server.domain.fields import FieldDefinition
from server.domain.imports import parse_amount, parse_date
from server.domain.transfer import Problem, field_values, split_list

_CURRENCY = re.compile(r"[A-Z]{3}")


class DealLookups:
    """What a deal row's cells are resolved against: the board, the workspace's records, the file."""

    def __init__(self, caller: UUID, state: BoardState, fields: dict[str, FieldDefinition],
                 members: dict[str, UUID], by_email: dict[str, UUID], by_id: set[UUID],
                 organisations: dict[str, UUID]) -> None:
        self.caller, self.state, self.fields = caller, state, fields
        self.members, self.by_email, self.by_id, self.organisations = members, by_email, by_id, organisations
        stages = state.ordered_stages()
        self.stages = {s.name.strip().lower(): s for s in stages}
        self.decimal_comma = False  # a file written with ";" writes 1.200,50
        self.first = next((s for s in stages if s.kind is StageKind.OPEN), stages[0] if stages else None)


def deal_row(line: int, cells: Mapping[str, str], lookups: DealLookups,
             problems: list[Problem]) -> tuple[dict[str, Any], UUID] | None:
    """One row as card values and its stage; its problems go to ``problems``."""
    if "" in cells:
        problems.append(Problem(line, None, cells[""]))
        return None
    before = len(problems)
    values: dict[str, Any] = {}
    for column, read in _READERS.items():
        if cells.get(column, "").strip() or column in ("title", "stage", "owner"):
            try:
                values.update(read(cells, lookups))
            except InvalidInput as exc:
                problems.append(Problem(line, column, str(exc)))
    fields = field_values(cells, lookups.fields, line, problems)
    if len(problems) > before:
        return None
    stage = values.pop("stage")
    values.setdefault("currency", lookups.state.settings.currency)
    values["status"] = str(status_after_move(DealStatus.OPEN, None, stage.kind))
    if fields:
        values["fields"] = fields
    return {k: v for k, v in values.items() if v is not None}, stage.id


def _title(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    return {"title": check_title(cells.get("title", ""))}


def _stage(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    name = cells.get("stage", "").strip()
    stage = lookups.stages.get(name.lower()) if name else lookups.first
    if stage is None:
        known = ", ".join(repr(s.name) for s in lookups.state.ordered_stages()) or "it has none"
        raise InvalidInput(f"expected a stage of this board ({known}), got {name!r}")
    return {"stage": stage}


def _value(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    try:
        value = parse_amount(cells["value"], decimal_comma=lookups.decimal_comma)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise InvalidInput(f"expected an amount of 0 or more, like 1200.50, got {cells['value']!r}")
    return {"value": value}


def _currency(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    code = cells["currency"].strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidInput(f"expected a three-letter currency code like EUR, got {cells['currency']!r}")
    return {"currency": code}


def _owner(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    if "owner" not in cells:
        return {"owner": lookups.caller}
    if not cells["owner"].strip():
        return {}
    email = normalise_email(cells["owner"])
    if email not in lookups.members:
        raise InvalidInput(f"expected the e-mail of a member of this workspace, got {cells['owner']!r}")
    return {"owner": lookups.members[email]}


def _contact(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    raw = cells["contact"].strip()
    ident = as_uuid(raw)
    if ident is not None and ident in lookups.by_id:
        return {"contact": ident}
    found = lookups.by_email.get(raw.lower())
    if found is None:
        raise InvalidInput(f"expected the e-mail (or id) of a contact of this workspace, got {raw!r}")
    return {"contact": found}


def _organisation(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    name = cells["organisation"].strip()
    if name.lower() not in lookups.organisations:
        raise InvalidInput(f"expected the name of an organisation of this workspace, got {name!r} "
                           "(import organisations first)")
    return {"organisation": lookups.organisations[name.lower()]}


def _expected_close(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    try:
        return {"expectedClose": parse_date(cells["expected_close"])}
    except ValueError:
        raise InvalidInput(f"expected a date as YYYY-MM-DD or DD.MM.YYYY, got {cells['expected_close']!r}") from None


def _labels(cells: Mapping[str, str], lookups: DealLookups) -> dict[str, Any]:
    return {"labels": check_labels(split_list(cells["labels"]))}


_READERS = {"title": _title, "stage": _stage, "value": _value, "currency": _currency, "owner": _owner,
            "contact": _contact, "organisation": _organisation, "expected_close": _expected_close,
            "labels": _labels}


def as_uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None
