-- Leads from e-mail (server/storage/lead_mail.py, migration 0053).
-- name: sealed
SELECT sealed FROM lead_addresses WHERE workspace_id = $1;
-- name: add
INSERT INTO lead_addresses (workspace_id, token_hash, sealed) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO NOTHING RETURNING workspace_id;
-- name: replace
INSERT INTO lead_addresses (workspace_id, token_hash, sealed) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO UPDATE SET token_hash = excluded.token_hash, sealed = excluded.sealed,
                                         created_at = now()
RETURNING workspace_id;
-- name: owner
SELECT owner_id FROM lead_addresses WHERE workspace_id = $1;
-- name: set_owner
UPDATE lead_addresses SET owner_id = $2 WHERE workspace_id = $1 RETURNING workspace_id;
-- name: workspace_of
SELECT workspace_id FROM lead_addresses WHERE token_hash = $1;
-- name: lead_of
SELECT m.lead_id FROM lead_mail m, unnest($2::text[]) WITH ORDINALITY AS wanted(id, n)
WHERE m.workspace_id = $1 AND m.message_id = wanted.id
ORDER BY wanted.n LIMIT 1;
-- name: remember
INSERT INTO lead_mail (workspace_id, message_id, lead_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING lead_id;
