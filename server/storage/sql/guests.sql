-- Guest invitations by link (migration 0008): a board shared with an address that has no account yet.
-- name: replace_guest_invitation
DELETE FROM guest_invitations WHERE board_id = $1 AND email = $2 AND accepted_at IS NULL;
-- name: insert_guest_invitation
WITH added AS (
    INSERT INTO guest_invitations (token_hash, board_id, email, access, invited_by, expires_at)
    VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
    RETURNING id, board_id, email, access, invited_by, created_at, expires_at
)
SELECT a.id, a.board_id, b.workspace_id, b.name AS board_name, w.name AS workspace_name, a.email, a.access,
       a.invited_by, u.name AS inviter_name, a.created_at, a.expires_at
FROM added a JOIN boards b ON b.id = a.board_id JOIN workspaces w ON w.id = b.workspace_id
LEFT JOIN users u ON u.id = a.invited_by;
-- name: open_guest_invitations
SELECT i.id, i.board_id, b.workspace_id, b.name AS board_name, w.name AS workspace_name, i.email, i.access,
       i.invited_by, u.name AS inviter_name, i.created_at, i.expires_at
FROM guest_invitations i JOIN boards b ON b.id = i.board_id JOIN workspaces w ON w.id = b.workspace_id
LEFT JOIN users u ON u.id = i.invited_by
WHERE i.board_id = $1 AND i.accepted_at IS NULL AND i.expires_at > now()
ORDER BY i.created_at, i.email;
-- name: find_guest_invitation
SELECT i.id, i.board_id, b.workspace_id, b.name AS board_name, w.name AS workspace_name, i.email, i.access,
       i.invited_by, u.name AS inviter_name, i.created_at, i.expires_at
FROM guest_invitations i JOIN boards b ON b.id = i.board_id JOIN workspaces w ON w.id = b.workspace_id
LEFT JOIN users u ON u.id = i.invited_by
WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > now();
-- name: take_guest_invitation
WITH taken AS (
    UPDATE guest_invitations SET accepted_at = now(), accepted_by = $2
    WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()
    RETURNING id, board_id, email, access, invited_by, created_at, expires_at
)
SELECT t.id, t.board_id, b.workspace_id, b.name AS board_name, w.name AS workspace_name, t.email, t.access,
       t.invited_by, u.name AS inviter_name, t.created_at, t.expires_at
FROM taken t JOIN boards b ON b.id = t.board_id JOIN workspaces w ON w.id = b.workspace_id
LEFT JOIN users u ON u.id = t.invited_by;
-- name: revoke_guest_invitation
DELETE FROM guest_invitations WHERE board_id = $1 AND id = $2 AND accepted_at IS NULL RETURNING id;
