-- Exceptions to repeating activities (server/storage/series.py, issue 18).
-- name: add
INSERT INTO activity_exceptions (board_id, activity_id, workspace_id, day, replaced_by)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING;
-- name: days
SELECT day, replaced_by FROM activity_exceptions WHERE board_id = $1 AND activity_id = $2 ORDER BY day;
-- name: of_boards
SELECT board_id, activity_id, array_agg(day ORDER BY day) FROM activity_exceptions
WHERE board_id = ANY($1::uuid[]) GROUP BY board_id, activity_id;
-- name: rows
SELECT board_id, activity_id, day, replaced_by FROM activity_exceptions
WHERE board_id = ANY($1::uuid[]) ORDER BY board_id, activity_id, day;
-- name: remove
DELETE FROM activity_exceptions WHERE board_id = $1 AND activity_id = $2 AND day = $3;
