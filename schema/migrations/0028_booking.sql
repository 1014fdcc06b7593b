-- Booking links (issue 18 item 6, docs/booking.md): one public page per user at /book/<slug>.
-- Working hours are per weekday (0 = Monday) as [[start, end], ...] in minutes after midnight in
-- the host's zone. The meeting activity goes to board_id (no deal: an activity may live on a
-- board without a card).
CREATE TABLE booking_links (
    user_id       uuid        PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    board_id      uuid        NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    slug          text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{2,39}$'),
    enabled       boolean     NOT NULL DEFAULT true,
    time_zone     text        NOT NULL,
    durations     integer[]   NOT NULL,
    buffer_before integer     NOT NULL DEFAULT 0,
    buffer_after  integer     NOT NULL DEFAULT 0,
    min_notice    integer     NOT NULL DEFAULT 240,
    window_days   integer     NOT NULL DEFAULT 30,
    hours         jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Each booking holds its time (with the host's buffers) for everyone at once: a booking locks its
-- host's booking_links row, checks for overlaps and inserts, in one transaction, so of two guests
-- picking one slot exactly one gets it (the unique index is the last line of defence).
CREATE TABLE bookings (
    id           uuid        PRIMARY KEY,
    host_id      uuid        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    held_from    timestamptz NOT NULL,  -- starts_at less the buffer before
    held_until   timestamptz NOT NULL,  -- ends_at plus the buffer after
    guest_name   text        NOT NULL,
    guest_email  text        NOT NULL,
    note         text,
    activity_id  uuid,
    contact_id   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (host_id, starts_at)
);
CREATE INDEX bookings_held ON bookings (host_id, held_until);
