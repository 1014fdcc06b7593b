-- Import batches and remembered column mappings (server/storage/imports.py).
-- name: start_batch
INSERT INTO import_batches (workspace_id, kind, board_id, created_by) VALUES ($1, $2, $3, $4) RETURNING id;
-- name: count_batch
UPDATE import_batches SET created = $2, updated = $3, skipped = $4 WHERE id = $1;
-- name: insert_change
INSERT INTO import_changes (batch_id, position, record_kind, record_id, action, before)
VALUES ($1, $2, $3, $4, $5, $6::jsonb);
-- name: recent_batches
SELECT id, workspace_id, kind, board_id, created_by, created_at, created, updated, skipped, undone_at
FROM import_batches WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2;
-- name: batch_changes
SELECT record_kind, record_id, action, before::text AS before FROM import_changes WHERE batch_id = $1 ORDER BY position;
-- name: mark_undone
UPDATE import_batches SET undone_at = now() WHERE id = $1 AND undone_at IS NULL RETURNING id;
-- name: find_mapping
SELECT mapping::text FROM import_mappings WHERE workspace_id = $1 AND kind = $2 AND header_key = $3;
-- name: remember_mapping
INSERT INTO import_mappings (workspace_id, kind, header_key, mapping) VALUES ($1, $2, $3, $4::jsonb)
ON CONFLICT (workspace_id, kind, header_key) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now();
