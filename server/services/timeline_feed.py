"""Live timelines (brief J): what changes a contact's, organisation's or deal's timeline is noted in
the workspace's change feed (``services/feed.py``) as ``timeline:contact:<id>``,
``timeline:organisation:<id>`` or ``timeline:deal:<card>``, and the web app's timelines refetch.

Mail is filed by the worker (the mailbox sync, the BCC address, sequences) and by the API (a sent
copy); the feed edits a live document, which only a process holding the sync engine can do. So the
notice is a ``feed.changed`` job queued in the unit of work that files (it runs only if that
commits), run by the workers that hold the engine — serve's, or ``python -m server worker`` with
REDIS_URL — beside the automation runner (``register`` is called where that one is).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from server.domain.files import RecordKind, RecordRef
from server.domain.mailboxes import Filing
from server.services.feed import ChangeFeed
from server.services.jobs import JobKinds
from server.services.ports.unit import Unit

FEED = "feed.changed"


def contact_timeline(contact: UUID) -> str:
    return f"timeline:contact:{contact}"


def organisation_timeline(organisation: UUID) -> str:
    return f"timeline:organisation:{organisation}"


def deal_timeline(card: UUID) -> str:
    return f"timeline:deal:{card}"


def record_timeline(record: RecordRef) -> str:
    """The timeline of a record files hang on."""
    if record.kind is RecordKind.CONTACT:
        return contact_timeline(record.id)
    if record.kind is RecordKind.ORGANISATION:
        return organisation_timeline(record.id)
    return deal_timeline(record.id)


def filing_keys(filing: Filing) -> list[str]:
    """The timelines a message filed so shows on."""
    return [*map(contact_timeline, filing.contacts), *map(organisation_timeline, filing.organisations),
            *(deal_timeline(d.card_id) for d in filing.deals)]


async def announce(tx: Unit, workspace: UUID, keys: Iterable[str]) -> None:
    """Note ``keys`` in the workspace's feed once ``tx`` commits (nothing when there are none)."""
    keys = sorted(set(keys))
    if keys:
        await tx.jobs.enqueue(FEED, {"workspace": str(workspace), "keys": keys})


def register(kinds: JobKinds, feed: ChangeFeed) -> None:
    """``feed.changed``: write the keys into the workspace document (never fails: the feed logs)."""

    @kinds.handle(FEED)
    async def changed(payload: dict[str, Any]) -> None:
        await feed.changed(UUID(payload["workspace"]), [str(k) for k in payload["keys"]])
