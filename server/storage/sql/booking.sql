-- Booking links and bookings (server/storage/booking.py, issue 18 item 6).
-- name: of_user
SELECT user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours
FROM booking_links WHERE user_id = $1;
-- name: by_slug
SELECT user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours
FROM booking_links WHERE slug = $1;
-- name: by_slug_locked
SELECT user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours
FROM booking_links WHERE slug = $1 FOR UPDATE;
-- name: put
-- A slug another user holds changes nothing (the unique slug is checked, not raised).
INSERT INTO booking_links (user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before,
                           buffer_after, min_notice, window_days, hours)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
WHERE NOT EXISTS (SELECT 1 FROM booking_links WHERE slug = $4 AND user_id <> $1)
ON CONFLICT (user_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, board_id = EXCLUDED.board_id,
    slug = EXCLUDED.slug, enabled = EXCLUDED.enabled, time_zone = EXCLUDED.time_zone,
    durations = EXCLUDED.durations, buffer_before = EXCLUDED.buffer_before, buffer_after = EXCLUDED.buffer_after,
    min_notice = EXCLUDED.min_notice, window_days = EXCLUDED.window_days, hours = EXCLUDED.hours, updated_at = now()
RETURNING user_id;
-- name: busy
-- Timed activities assigned to the user on boards not archived (a 30-minute one without an end),
-- and the bookings they hold (the activity a booking made is also one of them: overlap is fine).
-- A booking made before $4 holds only while its meeting is still at its start (not moved, not
-- deleted); a newer one holds regardless (its meeting may not be projected yet).
SELECT starts_at, coalesce(ends_at, starts_at + interval '30 minutes') AS ends_at
FROM activities a JOIN boards b ON b.id = a.board_id
WHERE a.assignee_id = $1 AND NOT a.all_day AND a.starts_at IS NOT NULL AND b.archived_at IS NULL
  AND a.starts_at < $3 AND coalesce(a.ends_at, a.starts_at + interval '30 minutes') > $2
UNION ALL
SELECT k.held_from, k.held_until FROM bookings k
WHERE k.host_id = $1 AND k.held_from < $3 AND k.held_until > $2
  AND (k.created_at >= $4 OR EXISTS (SELECT 1 FROM activities a WHERE a.activity_id = k.activity_id
                                     AND a.starts_at = k.starts_at AND a.assignee_id = k.host_id))
ORDER BY 1, 2;
-- name: drop_stale
-- A hold at this start that no longer holds (see busy), so the time can be booked again.
DELETE FROM bookings k
WHERE k.host_id = $1 AND k.starts_at = $2 AND k.created_at < $3
  AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.activity_id = k.activity_id
                  AND a.starts_at = k.starts_at AND a.assignee_id = k.host_id);
-- name: hold
INSERT INTO bookings (id, host_id, starts_at, ends_at, held_from, held_until, guest_name, guest_email, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (host_id, starts_at) DO NOTHING;
-- name: booked
UPDATE bookings SET activity_id = $2, contact_id = $3 WHERE id = $1;
