-- Attendees of activities (server/storage/attendees.py, issue 18).
-- name: of_activity
SELECT user_id, contact_id FROM activity_attendees WHERE board_id = $1 AND activity_id = $2
ORDER BY added_at, user_id NULLS LAST, contact_id;
-- name: of_board
SELECT activity_id, user_id, contact_id FROM activity_attendees WHERE board_id = $1
ORDER BY activity_id, added_at, user_id NULLS LAST, contact_id;
-- name: drop_others
-- Those no longer named ($3 users, $4 contacts) go; the others keep when they were added.
DELETE FROM activity_attendees WHERE board_id = $1 AND activity_id = $2
  AND NOT (coalesce(user_id = ANY($3::uuid[]), false) OR coalesce(contact_id = ANY($4::uuid[]), false));
-- name: add_users
INSERT INTO activity_attendees (board_id, activity_id, workspace_id, user_id, added_at)
SELECT $1, $2, $3, u, clock_timestamp() FROM unnest($4::uuid[]) WITH ORDINALITY AS t(u, i) ORDER BY i
ON CONFLICT (board_id, activity_id, user_id) WHERE user_id IS NOT NULL DO NOTHING;
-- name: add_contacts
INSERT INTO activity_attendees (board_id, activity_id, workspace_id, contact_id, added_at)
SELECT $1, $2, $3, c, clock_timestamp() FROM unnest($4::uuid[]) WITH ORDINALITY AS t(c, i) ORDER BY i
ON CONFLICT (board_id, activity_id, contact_id) WHERE contact_id IS NOT NULL DO NOTHING;
-- name: attending
SELECT board_id, activity_id FROM activity_attendees WHERE user_id = $1 AND board_id = ANY($2::uuid[])
ORDER BY board_id, activity_id;
