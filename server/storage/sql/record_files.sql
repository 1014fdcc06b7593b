-- name: add
INSERT INTO record_files (id, workspace_id, record_kind, record_id, board_id, name, content_type, size, sha256,
                          uploaded_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: get
SELECT f.*, u.name AS uploaded_by_name
FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by
WHERE f.id = $1;

-- name: of_record
SELECT f.*, u.name AS uploaded_by_name
FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by
WHERE f.workspace_id = $1 AND f.record_kind = $2 AND f.record_id = $3 AND f.board_id IS NOT DISTINCT FROM $4
ORDER BY f.created_at DESC, f.id;

-- name: remove
DELETE FROM record_files f WHERE f.id = $1
RETURNING f.*, (SELECT u.name FROM users u WHERE u.id = f.uploaded_by) AS uploaded_by_name;

-- name: on_records
SELECT f.*, u.name AS uploaded_by_name
FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by
WHERE f.workspace_id = $1
  AND ((f.record_kind = 'contact' AND f.record_id = ANY($2::uuid[]))
       OR (f.record_kind = 'organisation' AND f.record_id = $3))
ORDER BY f.created_at DESC, f.id
LIMIT $4;

-- name: remove_on
DELETE FROM record_files f
WHERE f.workspace_id = $1 AND f.record_kind = $2 AND f.record_id = ANY($3::uuid[])
  AND f.board_id IS NOT DISTINCT FROM $4
RETURNING f.*, NULL::text AS uploaded_by_name;

-- name: remove_on_board
DELETE FROM record_files f WHERE f.board_id = $1
RETURNING f.*, NULL::text AS uploaded_by_name;

-- name: present
SELECT id FROM record_files WHERE id = ANY($1::uuid[]);
