-- Service requests, their conversations and service settings (server/storage/service_requests.py, docs/service.md).
-- name: add
INSERT INTO service_requests (id, workspace_id, subject, contact_id, organisation_id, channel, status, priority,
                              assignee_id, created_at, due_at, updated_at, board_id, deal_id, mailbox_id,
                              first_response_at, solved_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17);
-- name: get
SELECT * FROM service_requests WHERE id = $1;
-- name: get_locked
SELECT * FROM service_requests WHERE id = $1 FOR UPDATE;
-- name: list
-- $2 status (NULL: new, open and waiting; $3 true: every status), $4 assignee, $5 unassigned only, $6 priority,
-- $7 overdue at this time, $8 contact, $9 organisation. The same conditions as domain.service_requests.fits.
SELECT * FROM service_requests
WHERE workspace_id = $1
  AND ($3 OR (CASE WHEN $2::text IS NULL THEN status IN ('new', 'open', 'waiting') ELSE status = $2 END))
  AND ($4::uuid IS NULL OR assignee_id = $4) AND (NOT $5 OR assignee_id IS NULL)
  AND ($6::text IS NULL OR priority = $6)
  AND ($7::timestamptz IS NULL OR (first_response_at IS NULL AND status NOT IN ('solved', 'closed') AND due_at < $7))
  AND ($8::uuid IS NULL OR contact_id = $8) AND ($9::uuid IS NULL OR organisation_id = $9)
ORDER BY due_at, created_at, id
LIMIT $10 OFFSET $11;
-- name: counts
SELECT status, count(*)::int AS n FROM service_requests
WHERE workspace_id = $1
  AND ($2::uuid IS NULL OR assignee_id = $2) AND (NOT $3 OR assignee_id IS NULL)
  AND ($4::text IS NULL OR priority = $4)
  AND ($5::timestamptz IS NULL OR (first_response_at IS NULL AND status NOT IN ('solved', 'closed') AND due_at < $5))
  AND ($6::uuid IS NULL OR contact_id = $6) AND ($7::uuid IS NULL OR organisation_id = $7)
GROUP BY status;
-- name: put
UPDATE service_requests SET subject = $2, contact_id = $3, organisation_id = $4, status = $5, priority = $6,
    assignee_id = $7, due_at = $8, updated_at = $9, board_id = $10, deal_id = $11, first_response_at = $12,
    solved_at = $13
WHERE id = $1;
-- name: on_records
SELECT * FROM service_requests
WHERE workspace_id = $1 AND (contact_id = ANY($2::uuid[]) OR organisation_id = $3)
ORDER BY created_at DESC, id
LIMIT $4;
-- name: add_message
INSERT INTO service_request_messages (id, request_id, workspace_id, kind, author_id, sender, body, created_at,
                                      message_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (workspace_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
RETURNING id;
-- name: messages_of
SELECT * FROM service_request_messages WHERE request_id = $1 ORDER BY created_at, id;
-- name: request_of
SELECT request_id FROM service_request_messages
WHERE workspace_id = $1 AND message_id = ANY($2::text[])
ORDER BY created_at DESC, id LIMIT 1;
-- name: settings
SELECT targets, support_mailboxes FROM service_settings WHERE workspace_id = $1;
-- name: put_settings
INSERT INTO service_settings (workspace_id, targets, support_mailboxes) VALUES ($1, $2::jsonb, $3)
ON CONFLICT (workspace_id) DO UPDATE SET targets = EXCLUDED.targets, support_mailboxes = EXCLUDED.support_mailboxes;
-- name: support_workspace
SELECT workspace_id FROM service_settings WHERE $1 = ANY(support_mailboxes) LIMIT 1;
