-- In-app notifications (server/storage/notifications.py).
-- name: insert_notification
INSERT INTO notifications (id, user_id, workspace_id, message, board_id, card_id, kind, actor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO NOTHING;
-- name: notifications_of_user
SELECT id, user_id, workspace_id, message, board_id, card_id, created_at, read_at, kind, actor
FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2;
-- name: unread_of_user
SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL;
-- name: mark_read
UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $2 AND user_id = $1;
-- name: forget_of_member
DELETE FROM notifications WHERE workspace_id = $1 AND user_id = $2;
-- name: mark_all_read
UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL;
-- name: notification
SELECT id, user_id, workspace_id, message, board_id, card_id, created_at, read_at, kind, actor
FROM notifications WHERE id = $1;
-- name: unread_since
SELECT id, user_id, workspace_id, message, board_id, card_id, created_at, read_at, kind, actor
FROM notifications WHERE user_id = $1 AND read_at IS NULL AND ($2::timestamptz IS NULL OR created_at > $2)
ORDER BY created_at, id LIMIT $3;
