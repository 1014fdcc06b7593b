-- The cursors of a mailbox's folders besides INBOX (migration 0038; server/storage/mailbox_folders.py).
-- name: get
SELECT name, uidvalidity, last_uid, imported FROM mailbox_folders WHERE mailbox_id = $1 AND role = $2;
-- name: advance
INSERT INTO mailbox_folders (mailbox_id, role, name, uidvalidity, last_uid, imported)
SELECT $1, $2, $3, $4, $5, $6 FROM mailboxes WHERE id = $1
ON CONFLICT (mailbox_id, role) DO UPDATE
SET name = EXCLUDED.name, uidvalidity = EXCLUDED.uidvalidity, last_uid = EXCLUDED.last_uid,
    imported = mailbox_folders.imported + EXCLUDED.imported;
-- name: restart
DELETE FROM mailbox_folders WHERE mailbox_id = $1;
