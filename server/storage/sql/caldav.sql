-- CalDAV sync (server/storage/caldav.py, migration 0032, issue 18 item 5).
-- name: get
SELECT user_id, workspace_id, board_id, url, username, secret, sync_token, created_at, last_attempt, last_success,
       last_error, pushed, pulled, removed, linked
FROM caldav_links WHERE user_id = $1;
-- name: put
-- A new connection starts over: no token, no items, no status.
WITH gone AS (DELETE FROM caldav_items WHERE user_id = $1)
INSERT INTO caldav_links (user_id, workspace_id, board_id, url, username, secret) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, board_id = EXCLUDED.board_id,
    url = EXCLUDED.url, username = EXCLUDED.username, secret = EXCLUDED.secret, sync_token = NULL,
    created_at = now(), last_attempt = NULL, last_success = NULL, last_error = NULL, pushed = 0, pulled = 0,
    removed = 0, linked = 0, lease_holder = NULL, lease_until = NULL;
-- name: drop
DELETE FROM caldav_links WHERE user_id = $1;
-- name: all_users
SELECT user_id FROM caldav_links ORDER BY user_id;
-- name: lease
-- Free, lapsed or ours; one statement, so two takers never both win.
UPDATE caldav_links SET lease_holder = $2, lease_until = now() + $3::interval, last_attempt = now()
WHERE user_id = $1 AND (lease_holder IS NULL OR lease_holder = $2 OR lease_until < now())
RETURNING user_id;
-- name: finished
UPDATE caldav_links SET sync_token = $3, pushed = $4, pulled = $5, removed = $6, last_success = $7, last_error = $8,
    linked = (SELECT count(*) FROM caldav_items WHERE user_id = $1), lease_holder = NULL, lease_until = NULL
WHERE user_id = $1 AND lease_holder = $2;
-- name: failed
UPDATE caldav_links SET last_error = $3, last_attempt = $4, lease_holder = NULL, lease_until = NULL
WHERE user_id = $1 AND lease_holder = $2;
-- name: set_token
UPDATE caldav_links SET sync_token = $2 WHERE user_id = $1;
-- name: items
SELECT href, activity_id, board_id, etag, digest, remote_stamp, ical FROM caldav_items WHERE user_id = $1 ORDER BY href;
-- name: drop_item_of_activity
DELETE FROM caldav_items WHERE user_id = $1 AND activity_id = $2 AND href <> $3;
-- name: put_item
INSERT INTO caldav_items (user_id, href, activity_id, board_id, etag, digest, remote_stamp, ical)
SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM caldav_links WHERE user_id = $1)
ON CONFLICT (user_id, href) DO UPDATE SET activity_id = EXCLUDED.activity_id, board_id = EXCLUDED.board_id,
    etag = EXCLUDED.etag, digest = EXCLUDED.digest, remote_stamp = EXCLUDED.remote_stamp, ical = EXCLUDED.ical;
-- name: drop_item
DELETE FROM caldav_items WHERE user_id = $1 AND href = $2;
-- name: activities
-- The user's activities with a day on boards not archived (the caller passes the boards they reach).
SELECT a.activity_id, a.board_id, a.title, a.due_date, a.starts_at, a.ends_at, a.all_day, a.time_zone, a.location,
       a.note, a.recurrence, a.done, a.changed_at
FROM activities a JOIN boards b ON b.id = a.board_id
WHERE a.assignee_id = $1 AND a.board_id = ANY($2::uuid[]) AND b.archived_at IS NULL AND a.due_date IS NOT NULL
ORDER BY a.activity_id;
