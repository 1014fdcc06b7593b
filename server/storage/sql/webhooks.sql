-- Webhook subscriptions and their delivery attempts (migration 0015; server/storage/webhooks.py).
-- name: insert
-- clock_timestamp(), not now(): two subscriptions made in one transaction list in the order made
INSERT INTO webhooks (workspace_id, url, events, secret, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, clock_timestamp())
RETURNING id, workspace_id, url, events, secret, enabled, failures, disabled_reason, created_at;
-- name: get
SELECT id, workspace_id, url, events, secret, enabled, failures, disabled_reason, created_at
FROM webhooks WHERE id = $1;
-- name: of_workspace
SELECT id, workspace_id, url, events, secret, enabled, failures, disabled_reason, created_at
FROM webhooks WHERE workspace_id = $1 ORDER BY created_at, id;
-- name: update
-- Enabling again ($4 true) starts the count of failures in a row afresh and clears the reason.
UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events), enabled = coalesce($4, enabled),
       failures = CASE WHEN $4 THEN 0 ELSE failures END,
       disabled_reason = CASE WHEN $4 THEN NULL ELSE disabled_reason END
WHERE id = $1
RETURNING id, workspace_id, url, events, secret, enabled, failures, disabled_reason, created_at;
-- name: delete
DELETE FROM webhooks WHERE id = $1 RETURNING true;
-- name: log
INSERT INTO webhook_attempts (webhook_id, delivery, event, attempt, status, duration_ms, error, response, delivered)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);
-- name: count
UPDATE webhooks SET failures = CASE WHEN $2 THEN 0 ELSE failures + 1 END WHERE id = $1;
-- name: disable
UPDATE webhooks SET enabled = false, disabled_reason = $2 WHERE id = $1;
-- name: attempts
SELECT id, webhook_id, delivery, event, attempt, at, status, duration_ms, error, response, delivered
FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2;
