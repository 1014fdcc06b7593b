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
