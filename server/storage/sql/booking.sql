-- Booking links and bookings (server/storage/booking.py, issue 18 item 6).
-- name: of_user
SELECT id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours, team_id, approval, title
FROM booking_links WHERE user_id = $1 AND team_id IS NULL;
-- name: links_of
SELECT id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours, team_id, approval, title
FROM booking_links WHERE user_id = $1 ORDER BY team_id IS NOT NULL, lower(title), slug;
-- name: by_id
SELECT id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours, team_id, approval, title
FROM booking_links WHERE id = $1;
-- name: remove
DELETE FROM booking_links WHERE id = $1 AND user_id = $2 RETURNING id;
-- name: by_slug
SELECT id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours, team_id, approval, title
FROM booking_links WHERE slug = $1;
-- name: by_slug_locked
SELECT id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before, buffer_after,
       min_notice, window_days, hours, team_id, approval, title
FROM booking_links WHERE slug = $1 FOR UPDATE;
-- name: put
-- A slug another link holds changes nothing (the unique slug is checked, not raised); nor does an id
-- that is another user's link.
INSERT INTO booking_links (id, user_id, workspace_id, board_id, slug, enabled, time_zone, durations, buffer_before,
                           buffer_after, min_notice, window_days, hours, team_id, approval, title)
SELECT $15, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16
WHERE NOT EXISTS (SELECT 1 FROM booking_links WHERE slug = $4 AND id <> $15)
ON CONFLICT (id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, board_id = EXCLUDED.board_id,
    slug = EXCLUDED.slug, enabled = EXCLUDED.enabled, time_zone = EXCLUDED.time_zone,
    durations = EXCLUDED.durations, buffer_before = EXCLUDED.buffer_before, buffer_after = EXCLUDED.buffer_after,
    min_notice = EXCLUDED.min_notice, window_days = EXCLUDED.window_days, hours = EXCLUDED.hours,
    team_id = EXCLUDED.team_id, approval = EXCLUDED.approval, title = EXCLUDED.title, updated_at = now()
    WHERE booking_links.user_id = EXCLUDED.user_id
RETURNING id;
-- name: busy
-- Timed activities assigned to the user on boards not archived (a 30-minute one without an end),
-- and the bookings they hold (the activity a booking made is also one of them: overlap is fine).
-- A booking made before $4 holds only while its meeting is still at its start (not moved, not
-- deleted); a newer one holds regardless (its meeting may not be projected yet), and so does one
-- waiting for the host's approval. $5: a booking being rescheduled (neither it nor its meeting counts).
SELECT starts_at, coalesce(ends_at, starts_at + interval '30 minutes') AS ends_at
FROM activities a JOIN boards b ON b.id = a.board_id
WHERE a.assignee_id = $1 AND NOT a.all_day AND a.starts_at IS NOT NULL AND b.archived_at IS NULL
  AND a.starts_at < $3 AND coalesce(a.ends_at, a.starts_at + interval '30 minutes') > $2
  AND NOT EXISTS (SELECT 1 FROM bookings x WHERE x.id = $5::uuid AND x.activity_id = a.activity_id)
UNION ALL
SELECT k.held_from, k.held_until FROM bookings k
WHERE k.host_id = $1 AND k.held_from < $3 AND k.held_until > $2 AND k.id IS DISTINCT FROM $5::uuid
  AND (k.created_at >= $4 OR k.status = 'requested' OR EXISTS (SELECT 1 FROM activities a WHERE a.activity_id = k.activity_id
                                     AND a.starts_at = k.starts_at AND a.assignee_id = k.host_id))
ORDER BY 1, 2;
-- name: drop_stale
-- A hold at this start that no longer holds (see busy), so the time can be booked again.
DELETE FROM bookings k
WHERE k.host_id = $1 AND k.starts_at = $2 AND k.created_at < $3 AND k.status <> 'requested'
  AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.activity_id = k.activity_id
                  AND a.starts_at = k.starts_at AND a.assignee_id = k.host_id);
-- name: hold
INSERT INTO bookings (id, host_id, starts_at, ends_at, held_from, held_until, guest_name, guest_email, note,
                      link_user, status, guest_key, link_id, guest_locale)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (host_id, starts_at) DO NOTHING;
-- name: booked
UPDATE bookings SET activity_id = $2, contact_id = $3 WHERE id = $1;
-- name: lock_host
-- One booking decision per host at a time, whichever link (their own or a team's) it comes through.
SELECT pg_advisory_xact_lock(hashtextextended('booking_host:' || $1::uuid::text, 0));
-- name: members
SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id
WHERE m.team_id = $1 AND t.workspace_id = $2
  AND EXISTS (SELECT 1 FROM memberships w WHERE w.workspace_id = $2 AND w.user_id = m.user_id)  -- still in it
ORDER BY m.position, m.user_id;
-- name: tally
-- Per member: how many bookings this link gave them, and the latest one's time (round robin).
SELECT host_id, count(*) AS n, max(created_at) AS latest FROM bookings WHERE link_id = $1 GROUP BY host_id;
-- name: get
SELECT id, host_id, starts_at, ends_at, held_from, held_until, guest_name, guest_email, note, link_user, status,
       activity_id, guest_key, link_id, guest_locale
FROM bookings WHERE id = $1;
-- name: requests
SELECT id, host_id, starts_at, ends_at, held_from, held_until, guest_name, guest_email, note, link_user, status,
       activity_id, guest_key, link_id, guest_locale
FROM bookings WHERE host_id = $1 AND status = 'requested' ORDER BY starts_at;
-- name: confirm
UPDATE bookings SET status = 'confirmed', created_at = now() WHERE id = $1 AND status = 'requested' RETURNING id;
-- name: drop
DELETE FROM bookings WHERE id = $1 RETURNING id;
-- name: move
UPDATE bookings SET starts_at = $2, ends_at = $3, held_from = $4, held_until = $5, created_at = now()
WHERE id = $1 RETURNING id;
