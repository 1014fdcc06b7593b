-- Automation rules and runs (server/storage/automations.py).
-- name: rules_of_workspace
SELECT id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions
FROM automation_rules WHERE workspace_id = $1 ORDER BY created_at, id;
-- name: enabled_on_board
SELECT id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions
FROM automation_rules WHERE enabled AND trigger ->> 'board' = $1::text ORDER BY created_at, id;
-- name: rule_by_id
SELECT id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions
FROM automation_rules WHERE id = $1;
-- name: insert_rule
INSERT INTO automation_rules (workspace_id, name, enabled, trigger, actions, created_by, conditions)
VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7::jsonb)
RETURNING id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions;
-- name: update_rule
UPDATE automation_rules SET name = $2, enabled = $3, trigger = $4::jsonb, actions = $5::jsonb, conditions = $6::jsonb,
       updated_at = now()
WHERE id = $1
RETURNING id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions;
-- name: delete_rule
DELETE FROM automation_rules WHERE id = $1;
-- name: start_run
WITH made AS (
    INSERT INTO automation_runs (rule_id, event_key, trigger, inputs, depth, status, error, finished_at)
    VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, CASE WHEN $6 = 'running' THEN NULL ELSE now() END)
    ON CONFLICT (rule_id, event_key) DO NOTHING
    RETURNING id, rule_id, event_key, trigger, inputs, status, results, error, depth, started_at, finished_at
)
SELECT * FROM made
UNION ALL
SELECT id, rule_id, event_key, trigger, inputs, status, results, error, depth, started_at, finished_at
FROM automation_runs WHERE rule_id = $1 AND event_key = $2 AND NOT EXISTS (SELECT 1 FROM made);
-- name: record_run
UPDATE automation_runs SET results = $2::jsonb, status = $3, error = $4,
       finished_at = CASE WHEN $3 IN ('running', 'waiting') THEN NULL ELSE now() END
WHERE id = $1;
-- name: runs_of_rule
SELECT id, rule_id, event_key, trigger, inputs, status, results, error, depth, started_at, finished_at
FROM automation_runs WHERE rule_id = $1 ORDER BY started_at DESC, id LIMIT $2;
-- name: enabled_of_types
SELECT id, workspace_id, name, enabled, trigger, actions, created_by, created_at, updated_at, conditions
FROM automation_rules WHERE enabled AND trigger ->> 'type' = ANY($1::text[]) ORDER BY created_at, id;
-- name: secret_of_rule
SELECT secret FROM automation_secrets WHERE rule_id = $1;
-- name: set_secret
INSERT INTO automation_secrets (rule_id, secret) VALUES ($1, $2)
ON CONFLICT (rule_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now();
-- name: turn_of_run
SELECT turn FROM automation_turns WHERE run_id = $2 AND action_index = $1;
-- name: take_turn
-- The counter row's lock (ON CONFLICT DO UPDATE) serialises two workers drawing for one rule.
WITH counted AS (
    INSERT INTO automation_counters (rule_id, action_index, turns) VALUES ($1, $2, 1)
    ON CONFLICT (rule_id, action_index) DO UPDATE SET turns = automation_counters.turns + 1
    RETURNING turns - 1 AS turn
)
INSERT INTO automation_turns (run_id, action_index, turn) SELECT $3, $2, turn FROM counted
ON CONFLICT (run_id, action_index) DO NOTHING
RETURNING turn;
-- name: known_events
SELECT event_key FROM automation_runs WHERE rule_id = $1 AND event_key = ANY($2::text[]);
-- name: idle_deals
-- A deal's last change: its last card event (created, moved, value, status; its creation time if
-- history has none) or the last activity done on it. One pass over the board's history and done
-- activities each (grouped), not a lookup per deal.
WITH history AS (
    SELECT card_id, max(at) AS at FROM card_events WHERE board_id = $1 GROUP BY card_id
), done AS (
    SELECT card_id, max(done_at) AS at FROM activities
    WHERE board_id = $1 AND done AND card_id IS NOT NULL GROUP BY card_id
), quiet AS (
    SELECT d.card_id, greatest(coalesce(h.at, d.created_at), a.at) AS since
    FROM deals d
    LEFT JOIN history h ON h.card_id = d.card_id
    LEFT JOIN done a ON a.card_id = d.card_id
    WHERE d.board_id = $1 AND d.status = 'open'
)
SELECT card_id, since FROM quiet WHERE since <= $2 ORDER BY since, card_id;
-- name: due_activities
-- Due: a timed activity at its start; an all-day one at the start of its day, or (overdue, $4) at its end,
-- in the zone it was planned in.
SELECT activity_id, card_id, type, title, assignee_id, due FROM (
    SELECT activity_id, card_id, type, title, assignee_id,
           coalesce(starts_at, due_at,
                    (due_date + CASE WHEN $4::boolean THEN 1 ELSE 0 END)::timestamp
                        AT TIME ZONE coalesce(time_zone, 'UTC')) AS due
    FROM activities
    WHERE board_id = $1 AND NOT done AND (due_date IS NOT NULL OR due_at IS NOT NULL OR starts_at IS NOT NULL)
) planned
WHERE due > $2 AND due <= $3 ORDER BY due, activity_id;
-- name: team_members
-- The team's row (no rows: not a team of this workspace), then one row per member still in the
-- workspace, in the team's order (a team with none answers one row with a null user).
SELECT m.user_id
FROM teams t
LEFT JOIN team_members m ON m.team_id = t.id
  AND EXISTS (SELECT 1 FROM memberships w WHERE w.workspace_id = t.workspace_id AND w.user_id = m.user_id)
WHERE t.id = $1 AND t.workspace_id = $2
ORDER BY m.position, m.user_id;
