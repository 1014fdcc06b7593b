-- name: load_snapshot
SELECT state FROM document_snapshots_v1 WHERE document = $1;
-- name: load_log
SELECT id, update FROM document_updates_v1 WHERE document = $1 ORDER BY id;
-- name: append
INSERT INTO document_updates_v1 (document, update)
SELECT * FROM unnest($1::text[], $2::bytea[]);
-- name: lock_document
SELECT pg_advisory_xact_lock(hashtextextended($1, 0));
-- name: save_snapshot
INSERT INTO document_snapshots_v1 (document, state) VALUES ($1, $2)
ON CONFLICT (document) DO UPDATE SET state = EXCLUDED.state, updated_at = now();
-- name: delete_rows
DELETE FROM document_updates_v1 WHERE id = ANY($1::bigint[]);
-- name: documents_with_logs
SELECT document FROM document_updates_v1 GROUP BY document ORDER BY document;
