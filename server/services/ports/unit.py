"""The unit of work: ``async with begin() as unit:`` is one transaction, committed when the block
ends and rolled back (nothing written) when it raises; ``unit.<capability>`` is that
capability's repository bound to the transaction.

``begin(autocommit=True)`` skips the transaction, for a single read on a hot path (the session
lookup of every request, the access check of every socket handshake).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from server.services.ports.accounts import Audit, Resets, Sessions, ThrottleCounters, Users
from server.services.ports.automations import AutomationRules, AutomationRuns
from server.services.ports.contacts import (
    Contacts, ContactSearch, Duplicates, Organisations, RecordLinks, RecordLookups,
)
from server.services.ports.crm import BoardReach, BoardReads, Notes
from server.services.ports.entry_links import EntryLinks
from server.services.ports.files import RecordFiles
from server.services.ports.email_automations import BccAddresses, EmailTriggers
from server.services.ports.custom_fields import FieldDefinitions, SavedSegments
from server.services.ports.imports import ImportBatches, ImportMappings
from server.services.ports.jobs import Housekeeping, Jobs
from server.services.ports.leads import LeadForms, Leads
from server.services.ports.lead_mail import LeadMail
from server.services.ports.mailboxes import EmailMessages, MailboxSync, Mailboxes
from server.services.ports.mailbox_folders import MailboxFolders
from server.services.ports.caldav import CalendarSyncs
from server.services.ports.money import CurrencySettings
from server.services.ports.notifications import Notifications
from server.services.ports.notification_settings import DealFollows, NoteMentions, NotificationSettings
from server.services.ports.calendar import CalendarEntries, CalendarFeeds
from server.services.ports.attendees import ActivityAttendees
from server.services.ports.series import SeriesExceptions
from server.services.ports.work_weeks import WorkWeeks
from server.services.ports.expertise import Expertise
from server.services.ports.booking import BookingLinks
from server.services.ports.privacy import ErasableContacts, PermissionLevels
from server.services.ports.sending import EmailTemplates, EmailTracking
from server.services.ports.service_requests import RequestMessages, ServiceRequests, ServiceSettingsStore
from server.services.ports.sequences import Enrolments, Sequences
from server.services.ports.projection import ProjectedDocuments, ProjectionTables
from server.services.ports.webhooks import Webhooks
from server.services.ports.workspaces import Boards, GuestInvitations, Invitations, Members, Shares, Workspaces


class Unit(Protocol):
    """One transaction's repositories, one attribute per capability port."""

    users: Users
    sessions: Sessions
    resets: Resets
    throttle: ThrottleCounters
    audit: Audit
    workspaces: Workspaces
    members: Members
    invitations: Invitations
    boards: Boards
    field_definitions: FieldDefinitions
    segments: SavedSegments
    permission_levels: PermissionLevels
    erasable_contacts: ErasableContacts
    projected_documents: ProjectedDocuments
    projection: ProjectionTables
    notes: Notes
    board_reach: BoardReach
    board_reads: BoardReads
    shares: Shares
    guest_invitations: GuestInvitations
    contacts: Contacts
    contact_search: ContactSearch
    organisations: Organisations
    duplicates: Duplicates
    lookups: RecordLookups
    links: RecordLinks
    entry_links: EntryLinks
    import_batches: ImportBatches
    import_mappings: ImportMappings
    currencies: CurrencySettings
    jobs: Jobs
    housekeeping: Housekeeping
    automation_rules: AutomationRules
    automation_runs: AutomationRuns
    webhooks: Webhooks
    mailboxes: Mailboxes
    mailbox_sync: MailboxSync
    mailbox_folders: MailboxFolders
    email_messages: EmailMessages
    notifications: Notifications
    notification_settings: NotificationSettings
    deal_follows: DealFollows
    note_mentions: NoteMentions
    calendar_entries: CalendarEntries
    calendar_feeds: CalendarFeeds
    attendees: ActivityAttendees  # colleagues and contacts on an activity (issue 18)
    series_exceptions: SeriesExceptions  # cancelled and moved occurrences of a series (issue 18)
    work_weeks: WorkWeeks  # each person's weekly hours (the workload strip)
    expertise: Expertise  # expertise tags and each member's (docs/expertise.md)
    calendar_syncs: CalendarSyncs
    booking_links: BookingLinks
    email_templates: EmailTemplates
    email_tracking: EmailTracking
    sequences: Sequences
    enrolments: Enrolments
    record_files: RecordFiles
    email_triggers: EmailTriggers
    bcc_addresses: BccAddresses
    leads: Leads  # the leads inbox (docs/leads.md)
    lead_forms: LeadForms
    lead_mail: LeadMail  # leads from e-mail: the address and the Message-IDs
    service_requests: ServiceRequests  # customer-service requests (docs/service.md)
    request_messages: RequestMessages
    service_settings: ServiceSettingsStore


Begin = Callable[..., AbstractAsyncContextManager[Unit]]
