-- Leaving Tandem (server/storage/workspace_lifecycle.py, docs/workspace-lifecycle.md).

-- name: add_export
INSERT INTO workspace_exports (id, workspace_id, requested_by) VALUES ($1, $2, $3)
RETURNING id, workspace_id, requested_by, status, created_at, size, error, ready_at, expires_at;

-- name: export
SELECT id, workspace_id, requested_by, status, created_at, size, error, ready_at, expires_at
FROM workspace_exports WHERE id = $1;

-- name: latest_export
SELECT id, workspace_id, requested_by, status, created_at, size, error, ready_at, expires_at
FROM workspace_exports WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: set_export
UPDATE workspace_exports SET status = $2, size = coalesce($3, size), error = $4,
       ready_at = coalesce($5, ready_at), expires_at = coalesce($6, expires_at)
WHERE id = $1;

-- name: export_contacts
SELECT c.id, c.first_name, c.last_name, array_to_string(c.emails, '; ') AS emails,
       array_to_string(c.phones, '; ') AS phones, o.name AS organisation, c.organisation_id, c.job_title,
       c.address, array_to_string(c.labels, '; ') AS labels, c.fields, c.owner_id, c.created_at, c.updated_at,
       c.merged_into
FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
WHERE c.workspace_id = $1 AND c.deleted_at IS NULL ORDER BY c.created_at, c.id;

-- name: export_organisations
SELECT id, name, website, array_to_string(emails, '; ') AS emails, array_to_string(phones, '; ') AS phones,
       address, array_to_string(labels, '; ') AS labels, fields, owner_id, created_at, updated_at
FROM organisations WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY created_at, id;

-- name: export_deals
SELECT d.card_id AS id, b.name AS board, d.title, s.name AS stage, d.status, d.value, d.currency,
       d.probability, d.expected_close, d.lost_reason, d.contact_id, d.organisation_id, d.owner_id,
       array_to_string(d.labels, '; ') AS labels, d.fields, d.created_at, d.updated_at
FROM deals d JOIN boards b ON b.id = d.board_id
LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
WHERE d.workspace_id = $1 ORDER BY b.name, d.created_at, d.card_id;

-- name: export_activities
SELECT a.activity_id AS id, b.name AS board, a.type, a.title, a.done, a.due_date, a.due_at, a.starts_at,
       a.ends_at, a.all_day, a.location, a.outcome, a.note, a.assignee_id, a.card_id AS deal_id, a.contact_id,
       a.created_at
FROM activities a JOIN boards b ON b.id = a.board_id
WHERE a.workspace_id = $1 ORDER BY a.created_at, a.activity_id;

-- name: export_leads
SELECT id, title, person_name, email, phone, organisation_name, value, currency, source, status,
       array_to_string(labels, '; ') AS labels, note, owner_id, contact_id, organisation_id, deal_id,
       converted_at, created_at
FROM leads WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: export_service_requests
SELECT id, subject, channel, status, priority, contact_id, organisation_id, assignee_id, deal_id, created_at,
       due_at, first_response_at, solved_at, updated_at
FROM service_requests WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: export_notes
SELECT id, document, title, subject_kind, subject_id, created_at
FROM notes WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: export_emails
SELECT id, message_id, in_reply_to, refs, from_address, from_name, to_addresses, cc_addresses, subject,
       sent_at, body_text, body_html, direction
FROM email_messages WHERE workspace_id = $1 ORDER BY sent_at, id;

-- name: export_files
SELECT id, workspace_id, record_kind, record_id, name, content_type, size
FROM record_files WHERE workspace_id = $1 ORDER BY record_kind, record_id, created_at, id;

-- name: users_with_access
SELECT user_id FROM memberships WHERE workspace_id = $1
UNION SELECT s.user_id FROM board_shares s JOIN boards b ON b.id = s.board_id WHERE b.workspace_id = $1;

-- name: start_deletion
WITH marked AS (UPDATE workspaces SET deleting_since = coalesce(deleting_since, now()) WHERE id = $1),
     shares AS (DELETE FROM board_shares WHERE board_id IN (SELECT id FROM boards WHERE workspace_id = $1)),
     guests AS (DELETE FROM guest_invitations WHERE board_id IN (SELECT id FROM boards WHERE workspace_id = $1)),
     invited AS (DELETE FROM invitations WHERE workspace_id = $1)
DELETE FROM memberships WHERE workspace_id = $1;

-- name: deleting
SELECT deleting_since IS NOT NULL FROM workspaces WHERE id = $1;

-- name: file_batch
SELECT id FROM record_files WHERE workspace_id = $1 LIMIT $2;

-- name: export_keys
SELECT id FROM workspace_exports WHERE workspace_id = $1;

-- name: document_batch
SELECT name FROM documents WHERE workspace_id = $1 ORDER BY name LIMIT $2;

-- name: drop_document_bytes
WITH updates AS (DELETE FROM document_updates_v1 WHERE document = ANY($1::text[]))
DELETE FROM document_snapshots_v1 WHERE document = ANY($1::text[]);

-- name: workspace_tables
SELECT c.table_name FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND c.column_name = 'workspace_id' AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name;
