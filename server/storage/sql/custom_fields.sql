-- Custom field definitions (server/storage/custom_fields.py).
-- name: custom_fields
SELECT id, workspace_id, entity, key, label, type, options, created_at, position
FROM custom_fields WHERE workspace_id = $1 AND ($2::text IS NULL OR entity = $2)
ORDER BY entity, position, created_at, key;
-- name: insert_field
INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, position)
VALUES ($1, $2, $3, $4, $5, $6,
        (SELECT coalesce(max(position) + 1, 0) FROM custom_fields WHERE workspace_id = $1 AND entity = $2))
ON CONFLICT (workspace_id, entity, key) DO NOTHING
RETURNING id, workspace_id, entity, key, label, type, options, created_at, position;
-- name: field_by_id
SELECT id, workspace_id, entity, key, label, type, options, created_at, position FROM custom_fields WHERE id = $1;
-- name: update_field
UPDATE custom_fields SET label = $2, options = $3 WHERE id = $1
RETURNING id, workspace_id, entity, key, label, type, options, created_at, position;
-- name: reorder_fields
UPDATE custom_fields f SET position = o.ord
FROM unnest($3::uuid[]) WITH ORDINALITY AS o(id, ord)
WHERE f.id = o.id AND f.workspace_id = $1 AND f.entity = $2;
-- name: delete_field
DELETE FROM custom_fields WHERE id = $1;
-- name: strip_contact_values
UPDATE contacts SET fields = fields - $2::text WHERE workspace_id = $1 AND fields ? $2::text;
-- name: strip_organisation_values
UPDATE organisations SET fields = fields - $2::text WHERE workspace_id = $1 AND fields ? $2::text;
