-- Workflow automations (issue 16, items 2-4): a workspace's rules (trigger -> actions) and every
-- run of one. A run is keyed by (rule, event): the worker inserts it before its first action, so a
-- second evaluation of the same event (a retried or re-queued job, another worker) finds the run
-- and continues from its first unfinished action instead of starting another.
CREATE TABLE automation_rules (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL,
    enabled      boolean     NOT NULL DEFAULT true,
    trigger      jsonb       NOT NULL,
    actions      jsonb       NOT NULL,
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_rules_workspace ON automation_rules (workspace_id, created_at);

CREATE TABLE automation_runs (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id     uuid        NOT NULL REFERENCES automation_rules ON DELETE CASCADE,
    event_key   text        NOT NULL,
    trigger     jsonb       NOT NULL,
    inputs      jsonb       NOT NULL,
    status      text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
    results     jsonb       NOT NULL DEFAULT '[]',
    error       text,
    depth       integer     NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (rule_id, event_key)
);
CREATE INDEX automation_runs_rule ON automation_runs (rule_id, started_at DESC);
