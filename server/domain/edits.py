"""A create or a partial update of a contact or an organisation, applied and checked field by field.

``changes`` maps field names to new values (absent = unchanged; for ``fields``, a None value
clears that custom field). The result is the complete, checked record; whether the owner is a
member and the organisation exists is for the service to check (it needs the database).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain.accounts import InvalidInput
from server.domain.contacts import (
    ContactValues, OrganisationValues, check_address, check_emails, check_labels, check_person_name,
    check_phones, check_text,
)
from server.domain.fields import FieldDefinition, check_values

CONTACT_KEYS = frozenset(ContactValues._fields) - {"phone_digits"}
ORGANISATION_KEYS = frozenset(OrganisationValues._fields) - {"phone_digits"}
EMPTY_CONTACT = ContactValues("", "", [], [], [], None, "", None, [], {}, {})
EMPTY_ORGANISATION = OrganisationValues("", "", [], [], [], None, [], {}, {})


def _fields(current: dict[str, object], changes: Mapping[str, object] | None,
            definitions: Mapping[str, FieldDefinition]) -> dict[str, object]:
    if changes is None:
        return current
    merged = {**current, **check_values(definitions, changes)}
    return {key: value for key, value in merged.items() if value is not None}


def _unknown(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(unknown)}: expected some of {', '.join(sorted(allowed))}")


def apply_contact(current: ContactValues | None, changes: Mapping[str, Any],
                  definitions: Mapping[str, FieldDefinition]) -> ContactValues:
    """``current`` (None: a new contact) with ``changes`` applied; raises ``InvalidInput``."""
    _unknown(changes, CONTACT_KEYS)
    base = current or EMPTY_CONTACT
    get = lambda key: changes[key] if key in changes else getattr(base, key)  # noqa: E731
    first, last = check_person_name(get("first_name"), get("last_name"))
    phones, digits = check_phones(get("phones")) if "phones" in changes else (base.phones, base.phone_digits)
    return ContactValues(
        first_name=first, last_name=last,
        emails=check_emails(get("emails")) if "emails" in changes else base.emails,
        phones=phones, phone_digits=digits,
        organisation_id=get("organisation_id"),
        job_title=check_text(get("job_title"), "job title"),
        owner_id=get("owner_id"),
        labels=check_labels(get("labels")) if "labels" in changes else base.labels,
        address=check_address(get("address")) if "address" in changes else base.address,
        fields=_fields(base.fields, changes.get("fields"), definitions),
    )


def apply_organisation(current: OrganisationValues | None, changes: Mapping[str, Any],
                       definitions: Mapping[str, FieldDefinition]) -> OrganisationValues:
    """``current`` (None: a new organisation) with ``changes`` applied; raises ``InvalidInput``."""
    _unknown(changes, ORGANISATION_KEYS)
    base = current or EMPTY_ORGANISATION
    get = lambda key: changes[key] if key in changes else getattr(base, key)  # noqa: E731
    phones, digits = check_phones(get("phones")) if "phones" in changes else (base.phones, base.phone_digits)
    return OrganisationValues(
        name=check_text(get("name"), "organisation name", required=True),
        website=check_text(get("website"), "website"),
        emails=check_emails(get("emails")) if "emails" in changes else base.emails,
        phones=phones, phone_digits=digits,
        owner_id=get("owner_id"),
        labels=check_labels(get("labels")) if "labels" in changes else base.labels,
        address=check_address(get("address")) if "address" in changes else base.address,
        fields=_fields(base.fields, changes.get("fields"), definitions),
    )


def contact_from_row(row: Mapping[str, Any]) -> ContactValues:
    return ContactValues(*(row[key] for key in ContactValues._fields))


def organisation_from_row(row: Mapping[str, Any]) -> OrganisationValues:
    return OrganisationValues(*(row[key] for key in OrganisationValues._fields))
