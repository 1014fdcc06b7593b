-- Repeating activities (issue 18, docs/calendar.md): the RRULE value of the board document's
-- `recurrence` (FREQ=WEEKLY;BYDAY=MO…, daily at most), repeated at the same local time in the
-- activity's zone. NULL: it happens once.
ALTER TABLE activities ADD COLUMN recurrence text;
CREATE INDEX activities_recurring ON activities (board_id) WHERE recurrence IS NOT NULL;
