-- Webhooks (issue 16 item 5): a workspace's subscriptions and the log of every delivery attempt.
-- The signing secret is stored as a Fernet token (server/secrets.py, keyed by TANDEM_SECRET_KEY),
-- never in clear: a database dump alone cannot forge deliveries.
CREATE TABLE webhooks (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id   uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url            text        NOT NULL,
    events         text[]      NOT NULL,
    secret         bytea       NOT NULL,
    enabled        boolean     NOT NULL DEFAULT true,
    failures       integer     NOT NULL DEFAULT 0,   -- consecutive failed attempts
    disabled_reason text,                            -- set when failures disabled it
    created_by     uuid        REFERENCES users(id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_workspace ON webhooks (workspace_id);

CREATE TABLE webhook_attempts (
    id           bigserial   PRIMARY KEY,
    webhook_id   uuid        NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    delivery     uuid        NOT NULL,   -- X-Tandem-Delivery: one event to one subscription
    event        text        NOT NULL,
    attempt      integer     NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    status       integer,                -- the receiver's HTTP status; null: no answer
    duration_ms  integer     NOT NULL,
    error        text,
    response     text,                   -- the first bytes of the receiver's answer
    delivered    boolean     NOT NULL
);
CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, id DESC);
