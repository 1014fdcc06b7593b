"""Duplicates and merges: which contacts look like one person; what a merge of several keeps.

Pure functions, no I/O. Two contacts are likely duplicates when they share a normalised e-mail
or phone, or when their names are the same words in any order or nearly the same spelling
(``difflib`` ratio ≥ 0.85) within one organisation.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import NamedTuple

from server.domain.contacts import MAX_ITEMS, ContactValues, unique, words

NAME_SIMILARITY = 0.85


def name_key(first: str, last: str) -> str:
    return " ".join(words(f"{first} {last}"))


def similar_names(a: str, b: str) -> bool:
    """Two name keys that are the same words in any order, or nearly the same spelling."""
    if not a or not b:
        return False
    if a == b or sorted(a.split()) == sorted(b.split()):
        return True
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < NAME_SIMILARITY:  # real_quick_ratio, without a matcher
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= NAME_SIMILARITY and matcher.ratio() >= NAME_SIMILARITY


class Candidate(NamedTuple):
    """What duplicate detection needs to know of a contact."""

    id: object
    organisation: object
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def duplicate_pairs(candidates: Sequence[Candidate]) -> list[tuple[object, object, str]]:
    """Pairs of likely duplicates with the reason: a shared e-mail, a shared phone, or a very
    similar name within the same organisation. Each pair is reported once, with its first reason."""
    pairs: dict[tuple[object, object], str] = {}
    for kind, keys in (("email", lambda c: c.emails), ("phone", lambda c: c.phones)):
        seen: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            for key in keys(candidate):
                seen.setdefault(key, []).append(candidate)
        for key, group in seen.items():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    pairs.setdefault(_pair(a.id, b.id), f"same {kind} {key}")
    # Names are compared within an organisation, and only where two share the first two letters
    # of a word (blocking: typos rarely hit them), so a 100,000-contact workspace stays cheap.
    blocks: dict[tuple[object, str], list[Candidate]] = {}
    for candidate in candidates:
        if candidate.organisation is not None:
            for start in {word[:2] for word in candidate.name.split()}:
                blocks.setdefault((candidate.organisation, start), []).append(candidate)
    for group in blocks.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if _pair(a.id, b.id) not in pairs and similar_names(a.name, b.name):
                    pairs[_pair(a.id, b.id)] = "similar name in the same organisation"
    return [(a, b, reason) for (a, b), reason in pairs.items()]


def _pair(a: object, b: object) -> tuple[object, object]:
    return (a, b) if str(a) < str(b) else (b, a)


def merge_values(survivor: ContactValues, others: Sequence[ContactValues]) -> ContactValues:
    """The survivor of a merge: its own values first; e-mails, phones and labels of all; an empty
    name part, organisation, job title, owner, address or custom field filled from the others."""
    everyone = [survivor, *others]
    phones, digits = [], []
    for values in everyone:
        for phone, normal in zip(values.phones, values.phone_digits):
            if normal not in digits:
                phones.append(phone)
                digits.append(normal)
    fields: dict[str, object] = {}
    for values in reversed(everyone):
        fields.update(values.fields)

    def first(attribute: str) -> object:
        return next((getattr(v, attribute) for v in everyone if getattr(v, attribute)), getattr(survivor, attribute))

    return ContactValues(
        first_name=first("first_name"), last_name=first("last_name"),
        emails=unique(e for v in everyone for e in v.emails)[:MAX_ITEMS],
        phones=phones[:MAX_ITEMS], phone_digits=digits[:MAX_ITEMS],
        organisation_id=first("organisation_id"), job_title=first("job_title"), owner_id=first("owner_id"),
        labels=unique(label for v in everyone for label in v.labels)[:MAX_ITEMS],
        address=first("address"), fields=fields,
    )
