-- Attendees of an activity (issue 18): colleagues and contacts. Rows here, not keys of the board
-- document, for the reason links are (0011_record_links.sql): every guest with a share syncs the
-- whole document, and a contact id there would be an id of a record outside what was shared.
-- Written only through the API; the calendar shows an activity to its assignee and to every user
-- among its attendees (server/storage/sql/calendar.sql). One row per person: a user or a contact.
CREATE TABLE activity_attendees (
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    activity_id  uuid        NOT NULL,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    user_id      uuid        REFERENCES users ON DELETE CASCADE,
    contact_id   uuid        REFERENCES contacts ON DELETE CASCADE,
    added_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (contact_id IS NULL))
);
CREATE UNIQUE INDEX activity_attendees_user ON activity_attendees (board_id, activity_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX activity_attendees_contact ON activity_attendees (board_id, activity_id, contact_id)
    WHERE contact_id IS NOT NULL;
-- "activities where I am an attendee" (the calendar), and a contact's meetings
CREATE INDEX activity_attendees_by_user ON activity_attendees (user_id, board_id) WHERE user_id IS NOT NULL;
CREATE INDEX activity_attendees_by_contact ON activity_attendees (contact_id) WHERE contact_id IS NOT NULL;
