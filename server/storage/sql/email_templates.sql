-- name: all
SELECT id, workspace_id, name, locale, subject, body, created_at, updated_at
FROM email_templates WHERE workspace_id = $1 ORDER BY lower(name), locale, id;

-- name: get
SELECT id, workspace_id, name, locale, subject, body, created_at, updated_at
FROM email_templates WHERE workspace_id = $1 AND id = $2;

-- name: add
INSERT INTO email_templates (workspace_id, name, locale, subject, body, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (workspace_id, name, locale) DO NOTHING
RETURNING id, workspace_id, name, locale, subject, body, created_at, updated_at;

-- name: update
UPDATE email_templates t SET name = $3, locale = $4, subject = $5, body = $6, updated_at = clock_timestamp()
WHERE t.workspace_id = $1 AND t.id = $2
  AND NOT EXISTS (SELECT 1 FROM email_templates o
                  WHERE o.workspace_id = $1 AND o.name = $3 AND o.locale = $4 AND o.id <> $2)
RETURNING id, workspace_id, name, locale, subject, body, created_at, updated_at;

-- name: remove
DELETE FROM email_templates WHERE workspace_id = $1 AND id = $2 RETURNING id;

-- name: first_seeding
UPDATE workspaces SET email_templates_seeded = true
WHERE id = $1 AND NOT email_templates_seeded RETURNING id;

-- name: track
INSERT INTO email_tracking (email_id, workspace_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: record_event
INSERT INTO email_events (email_id, kind, url, proxy, user_agent)
SELECT email_id, $2, $3, $4, $5 FROM email_tracking WHERE email_id = $1
RETURNING id;

-- name: is_tracked
SELECT 1 FROM email_tracking WHERE email_id = $1;

-- name: events
SELECT kind, url, proxy, user_agent, at FROM email_events WHERE email_id = $1 ORDER BY at, id;
