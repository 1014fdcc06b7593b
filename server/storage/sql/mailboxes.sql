-- Connected mailboxes and the e-mail they file (migration 0022; server/storage/mailboxes.py).
-- name: connect
INSERT INTO mailboxes (workspace_id, owner_id, address, auth_kind, imap_host, imap_port, imap_tls, smtp_host,
                       smtp_port, smtp_tls, username, secret, visibility)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (workspace_id, owner_id, address) DO NOTHING
RETURNING *;
-- name: get
SELECT * FROM mailboxes WHERE id = $1;
-- name: of_owner
SELECT * FROM mailboxes WHERE workspace_id = $1 AND owner_id = $2 ORDER BY created_at, id;
-- name: set_visibility
WITH m AS (UPDATE mailboxes SET visibility = $2 WHERE id = $1 RETURNING id)
UPDATE email_messages SET visibility = $2 WHERE mailbox_id IN (SELECT id FROM m);
-- name: disconnect
DELETE FROM mailboxes WHERE id = $1 RETURNING id;
-- name: all_ids
SELECT id FROM mailboxes ORDER BY id;
-- name: lease
-- Take the lease when it is free, lapsed, or already ours ($4: only renew ours); one statement, so
-- two takers never both win.
UPDATE mailboxes SET sync_holder = $2, sync_lease_until = now() + $3::interval
WHERE id = $1 AND (sync_holder = $2 OR (NOT $4 AND (sync_holder IS NULL OR sync_lease_until < now())))
RETURNING id;
-- name: release
UPDATE mailboxes SET sync_holder = NULL, sync_lease_until = NULL WHERE id = $1 AND sync_holder = $2;
-- name: advance
UPDATE mailboxes SET uidvalidity = $2, last_uid = $3, highestmodseq = $4, imported = imported + $5 WHERE id = $1;
-- name: succeeded
UPDATE mailboxes SET status = 'ok', last_attempt_at = $2, last_success_at = $2, last_error = NULL WHERE id = $1;
-- name: failed
UPDATE mailboxes SET status = 'failing', last_attempt_at = $2, last_error = $3 WHERE id = $1;
-- name: restart
UPDATE mailboxes SET uidvalidity = NULL, last_uid = 0, highestmodseq = NULL, sync_from = $2, sync_holder = NULL,
                     sync_lease_until = NULL
WHERE id = $1;
-- name: file
-- The message and where it is filed, in one round trip; nothing when the workspace holds its
-- Message-ID. Links only to records of the message's own workspace (deals: while projected).
WITH e AS (
    INSERT INTO email_messages (workspace_id, mailbox_id, owner_id, message_id, thread_id, in_reply_to, refs,
                                from_address, from_name, to_addresses, cc_addresses, subject, sent_at, snippet,
                                body_text, body_html, direction, visibility, imap_uid)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
    ON CONFLICT (workspace_id, message_id) DO NOTHING
    RETURNING id
), contact_links AS (
    INSERT INTO email_links (email_id, contact_id)
    SELECT e.id, c.id FROM e, contacts c WHERE c.id = ANY($20::uuid[]) AND c.workspace_id = $1
), organisation_links AS (
    INSERT INTO email_links (email_id, organisation_id)
    SELECT e.id, o.id FROM e, organisations o WHERE o.id = ANY($21::uuid[]) AND o.workspace_id = $1
), deal_links AS (
    INSERT INTO email_links (email_id, board_id, card_id)
    SELECT DISTINCT e.id, d.board_id, d.card_id
    FROM e, deals d JOIN unnest($22::uuid[], $23::uuid[]) AS t(board_id, card_id)
                      ON t.board_id = d.board_id AND t.card_id = d.card_id
    WHERE d.workspace_id = $1
)
SELECT id FROM e;
-- name: known
SELECT message_id, thread_id FROM email_messages WHERE workspace_id = $1 AND message_id = ANY($2::text[]);
-- name: filing_contacts
SELECT id, organisation_id FROM contacts
WHERE workspace_id = $1 AND deleted_at IS NULL AND emails && $2::text[] ORDER BY id;
-- name: filing_organisations
SELECT id FROM organisations WHERE workspace_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[]) ORDER BY id;
-- name: filing_deals
SELECT board_id, card_id FROM deals
WHERE workspace_id = $1 AND status = 'open' AND contact_id = ANY($2::uuid[])
ORDER BY board_id, card_id;
-- name: get_email
SELECT * FROM email_messages WHERE id = $1;
-- name: of_thread
SELECT * FROM email_messages WHERE workspace_id = $1 AND thread_id = $2 ORDER BY sent_at, id;
-- name: timeline
-- Messages filed under contacts $2 or organisation $3 of workspace $1, newest first; contact_id: which of $2.
SELECT 'email' AS kind, e.id, e.sent_at AS at, e.owner_id AS actor, e.subject AS title, NULL::uuid AS board_id,
       NULL::uuid AS card_id, NULL::text AS document,
       (SELECT l.contact_id FROM email_links l WHERE l.email_id = e.id AND l.contact_id = ANY($2::uuid[])
        ORDER BY l.contact_id LIMIT 1) AS contact_id,
       e.direction, e.from_address, e.from_name, e.to_addresses, e.visibility, e.snippet, e.thread_id, e.owner_id
FROM email_messages e
WHERE e.workspace_id = $1 AND EXISTS (SELECT 1 FROM email_links l WHERE l.email_id = e.id
                                       AND (l.contact_id = ANY($2::uuid[]) OR l.organisation_id = $3))
ORDER BY e.sent_at DESC, e.id LIMIT $4;
-- name: of_deal
SELECT e.* FROM email_messages e JOIN email_links l ON l.email_id = e.id
WHERE l.board_id = $1 AND l.card_id = $2 ORDER BY e.sent_at, e.id;
