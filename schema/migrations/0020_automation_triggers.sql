-- More automation triggers and actions (issue 16 items 2-4, server/domain/automations.py).
--
-- call_webhook signs its POST like the webhooks do (X-Tandem-Signature) with a secret per rule,
-- sealed with TANDEM_SECRET_KEY (server/sealing.py); answered once when it is made.
CREATE TABLE automation_secrets (
    rule_id    uuid        PRIMARY KEY REFERENCES automation_rules ON DELETE CASCADE,
    secret     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- create_task's round_robin: a counter per (rule, action) taken once per run — the turn a run drew
-- is kept, so a run resumed after its worker died gives the task to the same person and the
-- rotation does not skip anyone. The counter row's lock serialises two workers.
CREATE TABLE automation_counters (
    rule_id      uuid    NOT NULL REFERENCES automation_rules ON DELETE CASCADE,
    action_index integer NOT NULL,
    turns        bigint  NOT NULL,
    PRIMARY KEY (rule_id, action_index)
);
CREATE TABLE automation_turns (
    run_id       uuid    NOT NULL REFERENCES automation_runs ON DELETE CASCADE,
    action_index integer NOT NULL,
    turn         bigint  NOT NULL,
    PRIMARY KEY (run_id, action_index)
);

-- activity_due/overdue: the sweep reads a board's undone activities by due time.
CREATE INDEX activities_open_due ON activities (board_id, due_at, due_date) WHERE NOT done;
