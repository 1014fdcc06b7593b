-- CalDAV two-way sync of one calendar per user (issue 18 item 5, docs/caldav.md).
-- The link: where the calendar is, who signs in (the app password sealed, server/sealing.py), the
-- board events made on the server land on, the server's last sync-token (RFC 6578; NULL: list
-- everything and compare etags), a lease so two runs never sync one calendar at once, and the
-- status the settings screen shows.
CREATE TABLE caldav_links (
    user_id       uuid        PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    board_id      uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    url           text        NOT NULL,
    username      text        NOT NULL,
    secret        bytea       NOT NULL,
    sync_token    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_attempt  timestamptz,
    last_success  timestamptz,
    last_error    text,
    pushed        integer     NOT NULL DEFAULT 0,
    pulled        integer     NOT NULL DEFAULT 0,
    removed       integer     NOT NULL DEFAULT 0,
    linked        integer     NOT NULL DEFAULT 0,
    lease_holder  uuid,
    lease_until   timestamptz
);

-- One row per event both sides know: the server's href and etag as last seen, the activity it is,
-- a digest of the activity's synced fields as last written or read (a different one: changed in
-- Tandem since), the server's LAST-MODIFIED/DTSTAMP, and the server's text (its EXDATEs and
-- overridden occurrences are kept when Tandem writes the event again).
CREATE TABLE caldav_items (
    user_id      uuid        NOT NULL REFERENCES caldav_links(user_id) ON DELETE CASCADE,
    href         text        NOT NULL,
    activity_id  uuid        NOT NULL,
    board_id     uuid        NOT NULL,
    etag         text,
    digest       text        NOT NULL,
    remote_stamp timestamptz,
    ical         text        NOT NULL,
    PRIMARY KEY (user_id, href),
    UNIQUE (user_id, activity_id)
);

-- When an activity's projected row last changed: the Tandem side of "last writer wins" when an
-- event was changed on both sides between two syncs. Set on insert, and on an update that changes
-- anything (the projection rewrites unchanged rows too).
ALTER TABLE activities ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION activities_changed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_at := OLD.changed_at;
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.changed_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER activities_changed_at BEFORE UPDATE ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_changed_at();
