-- E-mail sequences (issue 17 item 6, docs/email.md "Sequences"): a workspace's series of templated
-- mails with delays, sent per enrolled contact through the enrolling member's mailbox, stopped by a
-- reply, a bounce, a booked meeting or an unsubscribe. Steps are a JSON array of
-- {"template_id", "delay_days", "delay_hours"}; the send window is hours [start, end) on weekdays
-- (0 = Monday) in time_zone.
CREATE TABLE sequences (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         text        NOT NULL,
    steps        jsonb       NOT NULL,
    window_start integer     NOT NULL DEFAULT 0 CHECK (window_start BETWEEN 0 AND 23),
    window_end   integer     NOT NULL DEFAULT 24 CHECK (window_end BETWEEN 1 AND 24),
    weekdays     integer[]   NOT NULL DEFAULT '{0,1,2,3,4,5,6}',
    time_zone    text        NOT NULL DEFAULT 'UTC',
    created_by   uuid        REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);

-- One contact's way through a sequence. step: the index of the next step to send; thread: the
-- Message-IDs sent so far (bare, oldest first: the first is the thread's root).
CREATE TABLE sequence_enrolments (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    sequence_id   uuid        NOT NULL REFERENCES sequences(id) ON DELETE CASCADE,
    workspace_id  uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id    uuid        NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    board_id      uuid,
    card_id       uuid,
    enrolled_by   uuid        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address       text        NOT NULL,
    state         text        NOT NULL CHECK (state IN ('active', 'paused', 'stopped', 'finished')),
    step          integer     NOT NULL DEFAULT 0,
    next_at       timestamptz,
    reason        text,
    detail        text        NOT NULL DEFAULT '',
    thread        text[]      NOT NULL DEFAULT '{}',
    first_subject text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- A contact is in a sequence at most once while it runs (active or paused).
CREATE UNIQUE INDEX sequence_enrolments_running ON sequence_enrolments (sequence_id, contact_id)
    WHERE state IN ('active', 'paused');
CREATE INDEX sequence_enrolments_address ON sequence_enrolments (workspace_id, lower(address))
    WHERE state IN ('active', 'paused');
CREATE INDEX sequence_enrolments_thread ON sequence_enrolments USING gin (thread);
CREATE INDEX sequence_enrolments_contact ON sequence_enrolments (contact_id);

-- Each sequence mail sent, per mailbox: the hourly cap counts these.
CREATE TABLE sequence_sends (
    mailbox_id uuid        NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    sent_at    timestamptz NOT NULL
);
CREATE INDEX sequence_sends_mailbox ON sequence_sends (mailbox_id, sent_at);

-- Addresses that unsubscribed in a workspace: never enrolled again.
CREATE TABLE sequence_unsubscribes (
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    address      text        NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, address)
);
