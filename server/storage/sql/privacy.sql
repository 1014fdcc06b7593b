-- Permissions an admin sets (migration 0006) and erasure of a contact's personal data.
-- name: permissions
SELECT delete_level, export_level, updated_by, updated_at FROM workspace_permissions WHERE workspace_id = $1;
-- name: set_permissions
INSERT INTO workspace_permissions (workspace_id, delete_level, export_level, updated_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id) DO UPDATE
SET delete_level = $2, export_level = $3, updated_by = $4, updated_at = now();
-- name: contact_for_erasure
-- Deleted and merged contacts too: a soft-deleted row still holds personal data.
SELECT id, workspace_id, first_name, last_name, emails, phones, phone_digits
FROM contacts WHERE id = $1 FOR UPDATE;
-- name: merged_into_transitively
-- Every contact merged into $1, directly or through other merges: the same person's older rows.
WITH RECURSIVE merged(id) AS (
    SELECT id FROM contacts WHERE merged_into = $1
    UNION SELECT c.id FROM contacts c JOIN merged m ON c.merged_into = m.id
)
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits
FROM contacts c JOIN merged m ON m.id = c.id ORDER BY c.id FOR UPDATE OF c;
-- name: erase_contacts
-- Blank every personal field, keep the id (and who owned and made it) as a tombstone; forget the
-- values an import's update replaced (kept for its undo); delete the e-mail filed under them (issue 17:
-- a synced message holds their address and words).
WITH forgotten AS (UPDATE import_changes SET before = NULL WHERE record_id = ANY($1::uuid[]) AND before IS NOT NULL),
     mail AS (DELETE FROM email_messages e USING email_links l WHERE l.email_id = e.id AND l.contact_id = ANY($1::uuid[]))
UPDATE contacts SET first_name = '', last_name = '', emails = '{}', phones = '{}', phone_digits = '{}',
                    organisation_id = NULL, job_title = '', labels = '{}', address = '{}', fields = '{}',
                    sort_name = '', search = ''::tsvector, updated_at = now(),
                    deleted_at = coalesce(deleted_at, now()), erased_at = now()
WHERE id = ANY($1::uuid[]);
-- name: notes_about
SELECT document FROM notes WHERE subject_kind = 'contact' AND subject_id = ANY($1::uuid[]) ORDER BY document;
-- name: board_documents_naming
-- Boards whose projected deals or activities name one of the contacts.
SELECT DISTINCT board_id FROM deals WHERE contact_id = ANY($1::uuid[])
UNION SELECT DISTINCT board_id FROM activities WHERE contact_id = ANY($1::uuid[])
ORDER BY board_id;
