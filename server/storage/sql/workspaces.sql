-- Workspaces, memberships, invitations, boards, shares, documents and the access lookups.
-- name: insert_workspace
INSERT INTO workspaces (name, time_zone) VALUES ($1, $2) RETURNING id, name, created_at;
-- name: workspace_settings
SELECT id, name, time_zone FROM workspaces WHERE id = $1;
-- name: change_workspace_settings
UPDATE workspaces SET name = $2, time_zone = $3 WHERE id = $1;
-- name: insert_member
INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, user_id) DO NOTHING
RETURNING role;
-- name: workspaces_of
SELECT w.id, w.name, m.role
FROM workspaces w JOIN memberships m ON m.workspace_id = w.id AND m.user_id = $1
UNION ALL
SELECT DISTINCT w.id, w.name, NULL
FROM workspaces w JOIN boards b ON b.workspace_id = w.id
JOIN board_shares s ON s.board_id = b.id AND s.user_id = $1
WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id AND m.user_id = $1)
ORDER BY name, id;
-- name: workspace_view
SELECT w.id, w.name,
       (SELECT role FROM memberships WHERE workspace_id = w.id AND user_id = $2) AS role,
       EXISTS (SELECT 1 FROM boards b JOIN board_shares s ON s.board_id = b.id
               WHERE b.workspace_id = w.id AND s.user_id = $2) AS guest
FROM workspaces w WHERE w.id = $1;
-- name: members
SELECT u.id, u.email, u.name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email;
-- name: member_role
SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2 FOR UPDATE;
-- name: count_owners
SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner';
-- name: set_role
UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2;
-- name: delete_member
DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2;
-- name: lock_workspace
SELECT pg_advisory_xact_lock(hashtextextended($1::text, 1));
-- name: insert_invitation
INSERT INTO invitations (token_hash, workspace_id, email, role, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
RETURNING id, workspace_id, email, role, expires_at;
-- name: take_invitation
UPDATE invitations SET accepted_at = now(), accepted_by = $2
WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()
RETURNING id, workspace_id, email, role, expires_at;
-- name: insert_board
INSERT INTO boards (workspace_id, name, kind, created_by) VALUES ($1, $2, $3, $4)
RETURNING id, workspace_id, name, kind, created_at;
-- name: insert_document
INSERT INTO documents (name, workspace_id, board_id, kind) VALUES ($1, $2, $3, $4);
-- name: visible_boards
SELECT b.id, b.workspace_id, b.name, b.kind, b.created_at, d.name AS document, m.role, s.access AS share, b.archived_at
FROM boards b
JOIN documents d ON d.board_id = b.id AND d.kind = 'board'
LEFT JOIN memberships m ON m.workspace_id = b.workspace_id AND m.user_id = $2
LEFT JOIN board_shares s ON s.board_id = b.id AND s.user_id = $2
WHERE b.workspace_id = $1 AND (m.role IS NOT NULL OR s.access IS NOT NULL)
ORDER BY b.created_at, b.id;
-- name: board_grant
SELECT b.id, b.workspace_id, b.name, b.kind, b.created_at, d.name AS document, m.role, s.access AS share, b.archived_at
FROM boards b
JOIN documents d ON d.board_id = b.id AND d.kind = 'board'
LEFT JOIN memberships m ON m.workspace_id = b.workspace_id AND m.user_id = $2
LEFT JOIN board_shares s ON s.board_id = b.id AND s.user_id = $2
WHERE b.id = $1;
-- name: document_grant
SELECT d.name, d.workspace_id, d.board_id, d.kind, m.role, s.access AS share
FROM documents d
LEFT JOIN memberships m ON m.workspace_id = d.workspace_id AND m.user_id = $2
LEFT JOIN board_shares s ON s.board_id = d.board_id AND s.user_id = $2
WHERE d.name = $1;
-- name: upsert_share
INSERT INTO board_shares (board_id, user_id, access, shared_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (board_id, user_id) DO UPDATE SET access = EXCLUDED.access, shared_by = EXCLUDED.shared_by;
-- name: delete_share
DELETE FROM board_shares WHERE board_id = $1 AND user_id = $2 RETURNING user_id;
-- name: shares
SELECT u.id, u.email, u.name, s.access, s.created_at
FROM board_shares s JOIN users u ON u.id = s.user_id
WHERE s.board_id = $1 ORDER BY s.created_at, u.email;
-- name: rename_board
UPDATE boards SET name = $2 WHERE id = $1;
-- name: archive_board
UPDATE boards SET archived_at = CASE WHEN $2 THEN coalesce(archived_at, now()) END WHERE id = $1;
-- name: delete_board
DELETE FROM boards WHERE id = $1;
