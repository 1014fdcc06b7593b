-- The calendar (server/storage/calendar.py, issue 18).
-- name: entries_between
-- Assigned to or attended by one of $2; the deal's title only from the same board; by day, then start.
SELECT a.activity_id, a.board_id, b.name, b.workspace_id, a.type, a.title, a.assignee_id, a.due_date, a.starts_at,
       a.ends_at, a.all_day, a.time_zone, a.location, a.done, a.card_id, coalesce(d.title, w.title), a.note,
       a.outcome, a.created_at, a.recurrence
FROM activities a JOIN boards b ON b.id = a.board_id
LEFT JOIN deals d ON d.board_id = a.board_id AND d.card_id = a.card_id
LEFT JOIN work_items w ON w.board_id = a.board_id AND w.card_id = a.card_id
WHERE a.board_id = ANY($1::uuid[])
  AND (a.assignee_id = ANY($2::uuid[])
       OR EXISTS (SELECT 1 FROM activity_attendees t  -- or one of them attends it (0034)
                  WHERE t.board_id = a.board_id AND t.activity_id = a.activity_id AND t.user_id = ANY($2::uuid[])))
  AND (a.due_date BETWEEN $3 AND $4 OR (a.recurrence IS NOT NULL AND a.due_date <= $4))
ORDER BY a.due_date, a.all_day DESC, a.starts_at NULLS FIRST, a.title, a.activity_id;
-- name: upcoming
-- Every open activity someone has, due in the days $1-$2 or repeating (the hourly reminder sweep).
SELECT a.workspace_id, a.board_id, a.activity_id, a.type, a.title, a.assignee_id, a.due_date, a.due_at, a.done,
       a.done_at, a.card_id, a.contact_id, a.note, a.created_at, a.created_by, a.starts_at, a.ends_at, a.all_day,
       a.time_zone, a.location, a.outcome, a.reminders, a.recurrence
FROM activities a JOIN boards b ON b.id = a.board_id
WHERE NOT a.done AND a.assignee_id IS NOT NULL AND b.archived_at IS NULL
  AND (a.due_date BETWEEN $1 AND $2 OR a.recurrence IS NOT NULL)
ORDER BY a.board_id, a.activity_id;
-- name: tasks
-- The team to-do list (issue 18): every activity of the boards, open ones unless $2, archived boards left out.
SELECT a.activity_id, a.board_id, b.name, b.workspace_id, a.type, a.title, a.assignee_id, a.due_date, a.starts_at,
       a.ends_at, a.all_day, a.time_zone, a.done, a.card_id, coalesce(d.title, w.title), a.recurrence
FROM activities a JOIN boards b ON b.id = a.board_id
LEFT JOIN deals d ON d.board_id = a.board_id AND d.card_id = a.card_id
LEFT JOIN work_items w ON w.board_id = a.board_id AND w.card_id = a.card_id
WHERE a.board_id = ANY($1::uuid[]) AND b.archived_at IS NULL AND ($2 OR NOT a.done)
ORDER BY a.due_date NULLS LAST, a.starts_at NULLS FIRST, a.title, a.activity_id;
-- name: put_feed
INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now();
-- name: feed_user
SELECT user_id FROM calendar_feeds WHERE token_hash = $1;
-- name: feed_created
SELECT created_at FROM calendar_feeds WHERE user_id = $1;
-- name: drop_feed
DELETE FROM calendar_feeds WHERE user_id = $1;
