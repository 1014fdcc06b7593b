-- Each person's working week (server/storage/work_weeks.py, migration 0047).
-- name: hours
SELECT user_id, weekly_hours::float8 FROM work_weeks WHERE user_id = ANY($1::uuid[]);
-- name: set
INSERT INTO work_weeks (user_id, weekly_hours) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET weekly_hours = EXCLUDED.weekly_hours, updated_at = now();
