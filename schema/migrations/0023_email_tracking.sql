-- Open and click tracking of sent mail (issue 17 item 5), opt-in per message: a tracked message has a
-- row in email_tracking; each open of its pixel and each click through a rewritten link is an
-- email_events row. Links carry their target inside an HMAC-signed token (server/domain/tracking.py),
-- so a forged or altered link finds nothing here and answers 404. "proxy": the open came from a
-- privacy proxy (Apple Mail Privacy Protection, Google's image proxy), not from a person reading.
CREATE TABLE email_tracking (
    email_id     uuid        PRIMARY KEY REFERENCES email_messages(id) ON DELETE CASCADE,
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE email_events (
    id         bigserial   PRIMARY KEY,
    email_id   uuid        NOT NULL REFERENCES email_tracking(email_id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('open', 'click')),
    url        text,                               -- the link's target, for a click
    proxy      boolean     NOT NULL DEFAULT false,
    user_agent text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX email_events_email ON email_events (email_id, at);
