-- Notification settings, followed deals, seen @mentions and the e-mail digest (issue 18 item 3;
-- docs/notifications.md).

-- What arrives where, per user: {kind: in_app | email | off} (a kind not named: in_app), and the
-- digest of unread notifications (off, hourly, or daily at digest_hour in time_zone).
-- last_period/last_digest_at: the period whose digest was sent, and when — a digest job run twice
-- in one period finds it sent.
CREATE TABLE notification_settings (
    user_id        uuid        PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    channels       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    digest         text        NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'hourly', 'daily')),
    digest_hour    smallint    NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    time_zone      text        NOT NULL DEFAULT 'UTC',
    last_period    text,
    last_digest_at timestamptz
);
CREATE INDEX notification_settings_digest ON notification_settings (digest) WHERE digest <> 'off';

-- A user's choice to follow a deal or not; the deal's owner follows it unless they chose not to.
CREATE TABLE deal_follows (
    board_id   uuid    NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    card_id    uuid    NOT NULL,
    user_id    uuid    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    follows    boolean NOT NULL,
    PRIMARY KEY (board_id, card_id, user_id)
);

-- The users a note has mentioned: a projection of a note notifies only those not in here yet.
CREATE TABLE note_mentions (
    document   text        NOT NULL REFERENCES documents(name) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document, user_id)
);

-- The kinds this adds: assigned to you, @mentioned in a note, a deal you follow changed.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('automation', 'reminder', 'assigned', 'mentioned', 'deal_changed'));
