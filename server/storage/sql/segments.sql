-- Saved segments (server/storage/segments.py).
-- name: segments
SELECT id, workspace_id, entity, name, filter::text AS filter, created_by, created_at, updated_at
FROM segments WHERE workspace_id = $1 ORDER BY entity, name;
-- name: segment_by_id
SELECT id, workspace_id, entity, name, filter::text AS filter, created_by, created_at, updated_at
FROM segments WHERE id = $1;
-- name: insert_segment
INSERT INTO segments (workspace_id, entity, name, filter, created_by) VALUES ($1, $2, $3, $4::jsonb, $5)
ON CONFLICT (workspace_id, entity, name) DO NOTHING
RETURNING id, workspace_id, entity, name, filter::text AS filter, created_by, created_at, updated_at;
-- name: update_segment
UPDATE segments SET name = $2, filter = $3::jsonb, updated_at = now() WHERE id = $1
RETURNING id, workspace_id, entity, name, filter::text AS filter, created_by, created_at, updated_at;
-- name: delete_segment
DELETE FROM segments WHERE id = $1;
