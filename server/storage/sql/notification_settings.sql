-- Notification settings, followed deals, seen @mentions (server/storage/notification_settings.py).
-- name: settings_of_user
SELECT channels, digest, digest_hour, time_zone FROM notification_settings WHERE user_id = $1;
-- name: put_settings
INSERT INTO notification_settings (user_id, channels, digest, digest_hour, time_zone)
VALUES ($1, $2::jsonb, $3, $4, $5)
ON CONFLICT (user_id) DO UPDATE SET channels = EXCLUDED.channels, digest = EXCLUDED.digest,
    digest_hour = EXCLUDED.digest_hour, time_zone = EXCLUDED.time_zone;
-- name: digesting
SELECT user_id, channels, digest, digest_hour, time_zone, last_period, last_digest_at
FROM notification_settings WHERE digest <> 'off' ORDER BY user_id;
-- name: mark_digested
UPDATE notification_settings SET last_period = $2, last_digest_at = $3
WHERE user_id = $1 AND last_period IS DISTINCT FROM $2;
-- name: set_follow
INSERT INTO deal_follows (board_id, card_id, user_id, follows) VALUES ($1, $2, $3, $4)
ON CONFLICT (board_id, card_id, user_id) DO UPDATE SET follows = EXCLUDED.follows;
-- name: follow_choices
SELECT user_id, follows FROM deal_follows WHERE board_id = $1 AND card_id = $2;
-- name: seen_mentions
SELECT user_id FROM note_mentions WHERE document = $1;
-- name: add_mentions
INSERT INTO note_mentions (document, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING;
