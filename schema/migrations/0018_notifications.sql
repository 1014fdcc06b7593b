-- In-app notifications (issue 16 item 2): what an automation's notify action tells a user.
-- The id is chosen by the writer (derived from the automation run and the action's index), so a
-- rerun of the action finds the row and adds none.
CREATE TABLE notifications (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    message       text        NOT NULL,
    board_id      uuid,                  -- the deal it is about, if any (a link in the app)
    card_id       uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz
);
CREATE INDEX notifications_of_user ON notifications (user_id, created_at DESC, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
