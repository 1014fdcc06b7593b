"""One database transaction with the account and workspace adapters bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import NamedTuple

import asyncpg

from server.storage.accounts import (
    PostgresAudit, PostgresResets, PostgresSessions, PostgresThrottleCounters, PostgresUsers,
)
from server.storage.contacts import (
    PostgresContacts, PostgresContactSearch, PostgresDuplicates, PostgresOrganisations, PostgresRecordLookups,
)
from server.storage.crm import PostgresBoardReach, PostgresBoardReads, PostgresNotes
from server.storage.custom_fields import PostgresFieldDefinitions
from server.storage.guests import PostgresGuestInvitations
from server.storage.links import PostgresRecordLinks
from server.storage.money import PostgresCurrencySettings
from server.storage.privacy import PostgresErasableContacts, PostgresPermissionLevels
from server.storage.projection import PostgresProjectedDocuments, PostgresProjectionTables
from server.storage.segments import PostgresSavedSegments
from server.storage.workspaces import (
    PostgresBoards, PostgresInvitations, PostgresMembers, PostgresShares, PostgresWorkspaces,
)


class Tx(NamedTuple):
    users: PostgresUsers
    sessions: PostgresSessions
    resets: PostgresResets
    throttle: PostgresThrottleCounters
    audit: PostgresAudit
    workspaces: PostgresWorkspaces
    members: PostgresMembers
    invitations: PostgresInvitations
    boards: PostgresBoards
    shares: PostgresShares
    contacts: PostgresContacts
    contact_search: PostgresContactSearch
    organisations: PostgresOrganisations
    duplicates: PostgresDuplicates
    lookups: PostgresRecordLookups
    links: PostgresRecordLinks
    field_definitions: PostgresFieldDefinitions
    segments: PostgresSavedSegments
    permission_levels: PostgresPermissionLevels
    erasable_contacts: PostgresErasableContacts
    projected_documents: PostgresProjectedDocuments
    projection: PostgresProjectionTables
    notes: PostgresNotes
    board_reach: PostgresBoardReach
    board_reads: PostgresBoardReads
    currencies: PostgresCurrencySettings
    guest_invitations: PostgresGuestInvitations


Begin = Callable[..., AbstractAsyncContextManager[Tx]]


def transactions(pool: asyncpg.Pool) -> Begin:
    """A factory of transactions on ``pool``: ``async with begin() as tx: ...`` commits or rolls back.

    ``begin(autocommit=True)`` skips BEGIN/COMMIT, for a single read on a hot path (the session
    lookup of every request, the access check of every socket handshake).
    """

    @asynccontextmanager
    async def begin(*, autocommit: bool = False) -> AsyncIterator[Tx]:
        async with pool.acquire() as conn:
            if autocommit:
                yield _tx(conn)
                return
            async with conn.transaction():
                yield _tx(conn)

    return begin


def _tx(conn: asyncpg.Connection) -> Tx:
    return Tx(PostgresUsers(conn), PostgresSessions(conn), PostgresResets(conn), PostgresThrottleCounters(conn),
              PostgresAudit(conn), PostgresWorkspaces(conn), PostgresMembers(conn), PostgresInvitations(conn),
              PostgresBoards(conn), PostgresShares(conn), PostgresContacts(conn),
              PostgresContactSearch(conn), PostgresOrganisations(conn),
              PostgresDuplicates(conn), PostgresRecordLookups(conn), PostgresRecordLinks(conn),
              PostgresFieldDefinitions(conn), PostgresSavedSegments(conn), PostgresPermissionLevels(conn),
              PostgresErasableContacts(conn), PostgresProjectedDocuments(conn), PostgresProjectionTables(conn),
              PostgresNotes(conn), PostgresBoardReach(conn), PostgresBoardReads(conn), PostgresCurrencySettings(conn),
              PostgresGuestInvitations(conn))
