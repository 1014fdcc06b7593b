"""The Postgres unit of work: one transaction with every repository adapter bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from server.services.ports.unit import Begin, Unit
from server.storage.accounts import (
    PostgresAudit, PostgresResets, PostgresSessions, PostgresThrottleCounters, PostgresUsers,
)
from server.storage.mailbox_folders import PostgresMailboxFolders
from server.storage.automations import PostgresAutomationRules, PostgresAutomationRuns
from server.storage.notifications import PostgresNotifications
from server.storage.notification_settings import (
    PostgresDealFollows, PostgresNoteMentions, PostgresNotificationSettings,
)
from server.storage.calendar import PostgresCalendarEntries, PostgresCalendarFeeds
from server.storage.attendees import PostgresActivityAttendees
from server.storage.series import PostgresSeriesExceptions
from server.storage.work_weeks import PostgresWorkWeeks
from server.storage.expertise import PostgresExpertise
from server.storage.caldav import PostgresCalendarSyncs
from server.storage.booking import PostgresBookingLinks
from server.storage.contacts import (
    PostgresContacts, PostgresContactSearch, PostgresDuplicates, PostgresOrganisations, PostgresRecordLookups,
)
from server.storage.crm import PostgresBoardReach, PostgresBoardReads, PostgresNotes
from server.storage.email_templates import PostgresEmailTemplates, PostgresEmailTracking
from server.storage.email_automations import PostgresBccAddresses, PostgresEmailTriggers
from server.storage.custom_fields import PostgresFieldDefinitions
from server.storage.guests import PostgresGuestInvitations
from server.storage.imports import PostgresImportBatches, PostgresImportMappings
from server.storage.entry_links import PostgresEntryLinks
from server.storage.links import PostgresRecordLinks
from server.storage.record_files import PostgresRecordFiles
from server.storage.jobs import PostgresHousekeeping, PostgresJobs
from server.storage.leads import PostgresLeadForms, PostgresLeads
from server.storage.lead_mail import PostgresLeadMail
from server.storage.mailboxes import PostgresEmailMessages, PostgresMailboxes, PostgresMailboxSync
from server.storage.money import PostgresCurrencySettings
from server.storage.privacy import PostgresErasableContacts, PostgresPermissionLevels
from server.storage.projection import PostgresProjectedDocuments, PostgresProjectionTables
from server.storage.segments import PostgresSavedSegments
from server.storage.service_requests import (
    PostgresRequestMessages, PostgresServiceRequests, PostgresServiceSettings,
)
from server.storage.sequences import PostgresEnrolments, PostgresSequences
from server.storage.webhooks import PostgresWebhooks
from server.storage.workspaces import (
    PostgresBoards, PostgresInvitations, PostgresMembers, PostgresShares, PostgresWorkspaces,
)


class PostgresUnit:
    """Implements ``Unit``: every Postgres adapter, bound by name to one connection (and so to its
    transaction, if one is open)."""

    __slots__ = (
        "users", "sessions", "resets", "throttle", "audit", "workspaces", "members", "invitations", "boards",
        "shares", "contacts", "contact_search", "organisations", "duplicates", "lookups", "links", "entry_links",
        "import_batches", "import_mappings",
        "field_definitions", "segments", "permission_levels", "erasable_contacts", "projected_documents",
        "projection", "notes", "board_reach", "board_reads", "guest_invitations", "currencies",
        "jobs", "housekeeping", "automation_rules", "automation_runs", "webhooks", "notifications",
        "notification_settings", "deal_follows", "note_mentions",
        "calendar_entries", "calendar_feeds", "attendees", "series_exceptions", "work_weeks", "calendar_syncs",
        "expertise",
        "booking_links",
        "mailboxes", "mailbox_sync", "mailbox_folders", "email_messages",
        "sequences", "enrolments",
        "email_templates", "email_tracking", "email_triggers", "bcc_addresses", "record_files",
        "leads", "lead_forms", "lead_mail",
        "service_requests", "request_messages", "service_settings",
    )

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.users = PostgresUsers(conn)
        self.sessions = PostgresSessions(conn)
        self.resets = PostgresResets(conn)
        self.throttle = PostgresThrottleCounters(conn)
        self.audit = PostgresAudit(conn)
        self.workspaces = PostgresWorkspaces(conn)
        self.members = PostgresMembers(conn)
        self.invitations = PostgresInvitations(conn)
        self.boards = PostgresBoards(conn)
        self.shares = PostgresShares(conn)
        self.contacts = PostgresContacts(conn)
        self.contact_search = PostgresContactSearch(conn)
        self.organisations = PostgresOrganisations(conn)
        self.duplicates = PostgresDuplicates(conn)
        self.lookups = PostgresRecordLookups(conn)
        self.links = PostgresRecordLinks(conn)
        self.entry_links = PostgresEntryLinks(conn)
        self.import_batches = PostgresImportBatches(conn)
        self.import_mappings = PostgresImportMappings(conn)
        self.field_definitions = PostgresFieldDefinitions(conn)
        self.segments = PostgresSavedSegments(conn)
        self.permission_levels = PostgresPermissionLevels(conn)
        self.erasable_contacts = PostgresErasableContacts(conn)
        self.projected_documents = PostgresProjectedDocuments(conn)
        self.projection = PostgresProjectionTables(conn)
        self.notes = PostgresNotes(conn)
        self.board_reach = PostgresBoardReach(conn)
        self.board_reads = PostgresBoardReads(conn)
        self.guest_invitations = PostgresGuestInvitations(conn)
        self.currencies = PostgresCurrencySettings(conn)
        self.jobs = PostgresJobs(conn)
        self.housekeeping = PostgresHousekeeping(conn)
        self.automation_rules = PostgresAutomationRules(conn)
        self.automation_runs = PostgresAutomationRuns(conn)
        self.webhooks = PostgresWebhooks(conn)
        self.mailboxes = PostgresMailboxes(conn)
        self.mailbox_sync = PostgresMailboxSync(conn)
        self.mailbox_folders = PostgresMailboxFolders(conn)
        self.email_messages = PostgresEmailMessages(conn)
        self.notifications = PostgresNotifications(conn)
        self.notification_settings = PostgresNotificationSettings(conn)
        self.deal_follows = PostgresDealFollows(conn)
        self.note_mentions = PostgresNoteMentions(conn)
        self.calendar_entries = PostgresCalendarEntries(conn)
        self.calendar_feeds = PostgresCalendarFeeds(conn)
        self.attendees = PostgresActivityAttendees(conn)
        self.series_exceptions = PostgresSeriesExceptions(conn)
        self.work_weeks = PostgresWorkWeeks(conn)
        self.expertise = PostgresExpertise(conn)
        self.calendar_syncs = PostgresCalendarSyncs(conn)
        self.booking_links = PostgresBookingLinks(conn)
        self.email_templates = PostgresEmailTemplates(conn)
        self.email_tracking = PostgresEmailTracking(conn)
        self.sequences = PostgresSequences(conn)
        self.enrolments = PostgresEnrolments(conn)
        self.record_files = PostgresRecordFiles(conn)
        self.email_triggers = PostgresEmailTriggers(conn)
        self.bcc_addresses = PostgresBccAddresses(conn)
        self.leads = PostgresLeads(conn)
        self.lead_forms = PostgresLeadForms(conn)
        self.lead_mail = PostgresLeadMail(conn)
        self.service_requests = PostgresServiceRequests(conn)
        self.request_messages = PostgresRequestMessages(conn)
        self.service_settings = PostgresServiceSettings(conn)


def transactions(pool: asyncpg.Pool) -> Begin:
    """A factory of transactions on ``pool``: ``async with begin() as tx: ...`` commits or rolls back.

    ``begin(autocommit=True)`` skips BEGIN/COMMIT, for a single read on a hot path (the session
    lookup of every request, the access check of every socket handshake).
    """

    @asynccontextmanager
    async def begin(*, autocommit: bool = False) -> AsyncIterator[Unit]:
        async with pool.acquire() as conn:
            if autocommit:
                yield PostgresUnit(conn)
                return
            async with conn.transaction():
                yield PostgresUnit(conn)

    return begin

