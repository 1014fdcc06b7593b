"""``memory_transactions``: the in-memory twin of ``server.storage.unit.transactions``.

Every repository twin keeps its tables in one ``MemoryDatabase``. A unit of work holds the
database's lock from begin to end (transactions run one at a time, so each sees every committed
write and no other's half-done one) and restores a copy of the tables taken at begin if the block
raises: all or nothing, as in Postgres.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any

from server.services.ports.unit import Begin, Unit


class MemoryDatabase:
    """Named tables (any Python values the twins keep) behind one lock, and the clock twins read
    (Postgres' ``now()``; tests may set it to move time without waiting)."""

    def __init__(self) -> None:
        self.tables: dict[str, Any] = {}
        self.lock = asyncio.Lock()
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    def table(self, name: str, make: Callable[[], Any] = dict) -> Any:
        """The table ``name``, made empty by ``make`` on first use."""
        if name not in self.tables:
            self.tables[name] = make()
        return self.tables[name]


def memory_transactions(db: MemoryDatabase, unit: Callable[[MemoryDatabase], Unit]) -> Begin:
    """A factory of units of work over ``db``; ``unit(db)`` binds the repository twins."""

    @asynccontextmanager
    async def begin(*, autocommit: bool = False) -> AsyncIterator[Unit]:
        async with db.lock:
            saved = copy.deepcopy(db.tables)
            try:
                yield unit(db)
            except BaseException:
                db.tables = saved
                raise

    return begin


class MemoryUnit:
    """Implements ``Unit``: every repository twin, bound to one ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        from server.storage.memory import accounts, workspaces  # late: the twins import this module
        from server.storage.memory import contacts, entry_links, imports, links
        from server.storage.memory import crm, custom_fields, guests, privacy
        from server.storage.memory import automations
        from server.storage.memory import jobs, money, notifications, webhooks
        from server.storage.memory import calendar
        from server.storage.memory import attendees, series, work_weeks
        from server.storage.memory import expertise
        from server.storage.memory import booking
        from server.storage.memory import caldav
        from server.storage.memory import mailboxes
        from server.storage.memory import mailbox_folders
        from server.storage.memory import email_templates
        from server.storage.memory import sequences
        from server.storage.memory import record_files
        from server.storage.memory import notification_settings
        from server.storage.memory import email_automations
        from server.storage.memory import leads
        from server.storage.memory import lead_mail
        from server.storage.memory import service_requests
        from server.storage.memory import workspace_lifecycle

        self.users = accounts.MemoryUsers(db)
        self.sessions = accounts.MemorySessions(db)
        self.resets = accounts.MemoryResets(db)
        self.throttle = accounts.MemoryThrottleCounters(db)
        self.audit = accounts.MemoryAudit(db)
        self.workspaces = workspaces.MemoryWorkspaces(db)
        self.members = workspaces.MemoryMembers(db)
        self.invitations = workspaces.MemoryInvitations(db)
        self.boards = workspaces.MemoryBoards(db)
        self.shares = workspaces.MemoryShares(db)
        self.contacts = contacts.MemoryContacts(db)
        self.contact_search = contacts.MemoryContactSearch(db)
        self.organisations = contacts.MemoryOrganisations(db)
        self.duplicates = contacts.MemoryDuplicates(db)
        self.lookups = contacts.MemoryRecordLookups(db)
        self.links = links.MemoryRecordLinks(db)
        self.entry_links = entry_links.MemoryEntryLinks(db)
        self.import_batches = imports.MemoryImportBatches(db)
        self.import_mappings = imports.MemoryImportMappings(db)
        self.field_definitions = custom_fields.MemoryFieldDefinitions(db)
        self.segments = custom_fields.MemorySavedSegments(db)
        self.permission_levels = privacy.MemoryPermissionLevels(db)
        self.erasable_contacts = privacy.MemoryErasableContacts(db)
        self.currencies = money.MemoryCurrencySettings(db)
        self.jobs = jobs.MemoryJobs(db)
        self.housekeeping = jobs.MemoryHousekeeping(db)
        self.automation_rules = automations.MemoryAutomationRules(db)
        self.automation_runs = automations.MemoryAutomationRuns(db)
        self.webhooks = webhooks.MemoryWebhooks(db)
        self.mailboxes = mailboxes.MemoryMailboxes(db)
        self.mailbox_sync = mailboxes.MemoryMailboxSync(db)
        self.mailbox_folders = mailbox_folders.MemoryMailboxFolders(db)
        self.email_messages = mailboxes.MemoryEmailMessages(db)
        self.notifications = notifications.MemoryNotifications(db)
        self.notification_settings = notification_settings.MemoryNotificationSettings(db)
        self.deal_follows = notification_settings.MemoryDealFollows(db)
        self.note_mentions = notification_settings.MemoryNoteMentions(db)
        self.calendar_entries = calendar.MemoryCalendarEntries(db)
        self.calendar_feeds = calendar.MemoryCalendarFeeds(db)
        self.attendees = attendees.MemoryActivityAttendees(db)
        self.series_exceptions = series.MemorySeriesExceptions(db)
        self.work_weeks = work_weeks.MemoryWorkWeeks(db)
        self.expertise = expertise.MemoryExpertise(db)
        self.calendar_syncs = caldav.MemoryCalendarSyncs(db)
        self.booking_links = booking.MemoryBookingLinks(db)
        self.email_templates = email_templates.MemoryEmailTemplates(db)
        self.email_tracking = email_templates.MemoryEmailTracking(db)
        self.sequences = sequences.MemorySequences(db)
        self.enrolments = sequences.MemoryEnrolments(db)
        self.record_files = record_files.MemoryRecordFiles(db)
        self.email_triggers = email_automations.MemoryEmailTriggers(db)
        self.bcc_addresses = email_automations.MemoryBccAddresses(db)
        self.leads = leads.MemoryLeads(db)
        self.lead_forms = leads.MemoryLeadForms(db)
        self.lead_mail = lead_mail.MemoryLeadMail(db)
        self.service_requests = service_requests.MemoryServiceRequests(db)
        self.request_messages = service_requests.MemoryRequestMessages(db)
        self.service_settings = service_requests.MemoryServiceSettings(db)
        self.projected_documents = crm.MemoryProjectedDocuments(db)
        self.projection = crm.MemoryProjectionTables(db)
        self.notes = crm.MemoryNotes(db)
        self.board_reach = crm.MemoryBoardReach(db)
        self.board_reads = crm.MemoryBoardReads(db)
        self.guest_invitations = guests.MemoryGuestInvitations(db)
        self.lifecycle = workspace_lifecycle.MemoryWorkspaceLifecycle(db)  # memory_lifecycle_transactions


def memory_begin(db: MemoryDatabase) -> Begin:
    """Units of work over ``db`` with every twin bound: the memory twin of ``storage.unit.transactions``."""
    return memory_transactions(db, MemoryUnit)
