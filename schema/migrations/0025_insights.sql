-- Insights (issue 19): goals, and the indexes the insights queries read history through.
--
-- A goal is a target per period (every month or every quarter from `starts_on`) for one member
-- (user_id) or the whole workspace (user_id NULL). deals_won_value is counted in the workspace
-- currency (deals in other currencies converted at the workspace's rates).
CREATE TABLE goals (
    id           uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid             NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    user_id      uuid             REFERENCES users ON DELETE CASCADE,
    metric       text             NOT NULL
        CHECK (metric IN ('deals_won_count', 'deals_won_value', 'deals_added', 'activities_done')),
    period       text             NOT NULL CHECK (period IN ('month', 'quarter')),
    target       double precision NOT NULL CHECK (target > 0 AND target < 1e15),
    starts_on    date             NOT NULL,
    created_by   uuid             REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz      NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX goals_workspace ON goals (workspace_id, created_at);

-- Stage changes in a period (the funnel), status changes in a period (won, lost: reps, lost
-- reasons, forecast's closed won), deals added and activities done in a period (goals), open
-- deals by expected close (forecast) and open deals per stage (stuck past the rotting days).
CREATE INDEX card_events_stage_at ON card_events (board_id, at) INCLUDE (card_id)
    WHERE kind IN ('created', 'moved');
CREATE INDEX card_events_status_at ON card_events (board_id, at) INCLUDE (card_id, new_status)
    WHERE kind = 'status';
CREATE INDEX deals_created ON deals (board_id, created_at);
CREATE INDEX deals_open_close ON deals (board_id, expected_close) WHERE status = 'open';
CREATE INDEX deals_open_stage ON deals (board_id, stage_id, moved_at) WHERE status = 'open';
CREATE INDEX activities_done_at ON activities (board_id, done_at) INCLUDE (assignee_id) WHERE done;
