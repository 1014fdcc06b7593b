-- Custom field definitions (server/storage/custom_fields.py).
-- name: custom_fields
SELECT id, workspace_id, entity, key, label, type, options, created_at
FROM custom_fields WHERE workspace_id = $1 AND ($2::text IS NULL OR entity = $2)
ORDER BY entity, created_at, key;
-- name: insert_field
INSERT INTO custom_fields (workspace_id, entity, key, label, type, options) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (workspace_id, entity, key) DO NOTHING
RETURNING id, workspace_id, entity, key, label, type, options, created_at;
-- name: field_by_id
SELECT id, workspace_id, entity, key, label, type, options, created_at FROM custom_fields WHERE id = $1;
-- name: update_field
UPDATE custom_fields SET label = $2, options = $3 WHERE id = $1
RETURNING id, workspace_id, entity, key, label, type, options, created_at;
-- name: delete_field
DELETE FROM custom_fields WHERE id = $1;
-- name: strip_contact_values
UPDATE contacts SET fields = fields - $2::text WHERE workspace_id = $1 AND fields ? $2::text;
-- name: strip_organisation_values
UPDATE organisations SET fields = fields - $2::text WHERE workspace_id = $1 AND fields ? $2::text;
