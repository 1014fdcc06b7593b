-- name: all
SELECT id, workspace_id, name, steps, window_start, window_end, weekdays, time_zone, created_at, updated_at
FROM sequences WHERE workspace_id = $1 ORDER BY lower(name), id;

-- name: get
SELECT id, workspace_id, name, steps, window_start, window_end, weekdays, time_zone, created_at, updated_at
FROM sequences WHERE workspace_id = $1 AND id = $2;

-- name: add
INSERT INTO sequences (workspace_id, name, steps, window_start, window_end, weekdays, time_zone, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workspace_id, name) DO NOTHING
RETURNING id, workspace_id, name, steps, window_start, window_end, weekdays, time_zone, created_at, updated_at;

-- name: update
UPDATE sequences s SET name = $3, steps = $4, window_start = $5, window_end = $6, weekdays = $7, time_zone = $8,
                       updated_at = clock_timestamp()
WHERE s.workspace_id = $1 AND s.id = $2
  AND NOT EXISTS (SELECT 1 FROM sequences o WHERE o.workspace_id = $1 AND o.name = $3 AND o.id <> $2)
RETURNING id, workspace_id, name, steps, window_start, window_end, weekdays, time_zone, created_at, updated_at;

-- name: remove
DELETE FROM sequences WHERE workspace_id = $1 AND id = $2 RETURNING id;

-- name: enrol
INSERT INTO sequence_enrolments (sequence_id, workspace_id, contact_id, board_id, card_id, enrolled_by, address,
                                 state, next_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)
ON CONFLICT (sequence_id, contact_id) WHERE state IN ('active', 'paused') DO NOTHING
RETURNING *;

-- name: get_enrolment
SELECT * FROM sequence_enrolments WHERE id = $1;

-- name: lock_enrolment
SELECT * FROM sequence_enrolments WHERE id = $1 FOR UPDATE;

-- name: listed
SELECT * FROM sequence_enrolments
WHERE workspace_id = $1 AND ($2::uuid IS NULL OR sequence_id = $2) AND ($3::uuid IS NULL OR contact_id = $3)
ORDER BY created_at DESC, id;

-- name: any_running
SELECT 1 FROM sequence_enrolments WHERE workspace_id = $1 AND state IN ('active', 'paused') LIMIT 1;

-- name: save
UPDATE sequence_enrolments
SET state = $2, step = $3, next_at = $4, reason = $5, detail = $6, thread = $7, first_subject = $8,
    updated_at = clock_timestamp()
WHERE id = $1;

-- name: stop_running
UPDATE sequence_enrolments
SET state = 'stopped', reason = $2, next_at = NULL, updated_at = clock_timestamp()
WHERE workspace_id = $1 AND state IN ('active', 'paused')
  AND (thread && $3::text[]
       OR (lower(address) = ANY($4::text[]) AND ($6::timestamptz IS NULL OR created_at <= $6))
       OR contact_id = $5)
RETURNING id;

-- name: forget_contacts
DELETE FROM sequence_enrolments WHERE contact_id = ANY($1::uuid[]);

-- name: lock_mailbox
SELECT pg_advisory_xact_lock(hashtextextended('sequence_sends:' || $1::text, 0));

-- name: sends_in_hour
SELECT count(*) AS sent, min(sent_at) AS oldest FROM sequence_sends
WHERE mailbox_id = $1 AND sent_at > $2::timestamptz - interval '1 hour' AND sent_at <= $2::timestamptz;

-- name: nth_send_in_hour
SELECT sent_at FROM sequence_sends
WHERE mailbox_id = $1 AND sent_at > $2::timestamptz - interval '1 hour' AND sent_at <= $2::timestamptz
ORDER BY sent_at OFFSET $3 LIMIT 1;

-- name: record_send
INSERT INTO sequence_sends (mailbox_id, sent_at) VALUES ($1, $2);

-- name: forget_sends
DELETE FROM sequence_sends WHERE mailbox_id = $1 AND sent_at < $2::timestamptz - interval '1 day';

-- name: cap
SELECT per_hour FROM sequence_mailbox_caps WHERE mailbox_id = $1;

-- name: set_cap
INSERT INTO sequence_mailbox_caps (mailbox_id, per_hour) VALUES ($1, $2)
ON CONFLICT (mailbox_id) DO UPDATE SET per_hour = EXCLUDED.per_hour;

-- name: drop_cap
DELETE FROM sequence_mailbox_caps WHERE mailbox_id = $1;

-- name: unsubscribe
INSERT INTO sequence_unsubscribes (workspace_id, address) VALUES ($1, lower($2)) ON CONFLICT DO NOTHING;

-- name: unsubscribed
SELECT address FROM sequence_unsubscribes WHERE workspace_id = $1 AND address = ANY($2::text[]);
