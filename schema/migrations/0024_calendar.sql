-- Activities in time (issue 18, docs/calendar.md). The board document stays the truth; these
-- columns project it (server/domain/calendar.py): a timed activity's start and end, all-day
-- otherwise (every activity made before times existed is all-day on its due date), the IANA zone
-- its times were chosen in (due_date is the local day in that zone), where, how it went, and its
-- reminders in minutes before (NULL: the defaults).
ALTER TABLE activities
    ADD COLUMN starts_at timestamptz,
    ADD COLUMN ends_at   timestamptz,
    ADD COLUMN all_day   boolean NOT NULL DEFAULT true,
    ADD COLUMN time_zone text,
    ADD COLUMN location  text,
    ADD COLUMN outcome   text,
    ADD COLUMN reminders integer[],
    ADD CONSTRAINT activities_end_after_start CHECK (ends_at IS NULL OR ends_at > starts_at);
UPDATE activities SET starts_at = due_at, all_day = false WHERE due_at IS NOT NULL;
-- The calendar reads a range of days of chosen people across boards.
CREATE INDEX activities_calendar ON activities (assignee_id, due_date);

-- A private iCalendar feed per user: only a hash of its secret token is kept, so the database
-- cannot hand out a working URL; deleting the row revokes the feed.
CREATE TABLE calendar_feeds (
    user_id    uuid        PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- What a notification is: an automation's message, or an activity's reminder.
ALTER TABLE notifications ADD COLUMN kind text NOT NULL DEFAULT 'automation'
    CHECK (kind IN ('automation', 'reminder'));
