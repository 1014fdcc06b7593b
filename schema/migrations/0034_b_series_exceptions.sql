-- Exceptions to repeating activities (issue 18, server/domain/series.py): one occurrence,
-- named by its local day in the series' zone, cancelled — or moved, when a single activity
-- (replaced_by) took its place. The series in the board document is unchanged; the calendar,
-- the iCalendar feed (EXDATE) and reminders skip these days.
CREATE TABLE activity_exceptions (
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    activity_id  uuid        NOT NULL,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    day          date        NOT NULL,
    replaced_by  uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (board_id, activity_id, day)
);
