-- Expertise tags and each member's tags (server/storage/expertise.py, migration 0052).
-- name: tags
SELECT id, name FROM expertise_tags WHERE workspace_id = $1 ORDER BY lower(name), id;
-- name: put_tag
INSERT INTO expertise_tags (id, workspace_id, name) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE expertise_tags.workspace_id = EXCLUDED.workspace_id;
-- name: name_taken
SELECT EXISTS (SELECT 1 FROM expertise_tags WHERE workspace_id = $1 AND lower(name) = lower($2) AND id <> $3);
-- name: remove_tag
DELETE FROM expertise_tags WHERE workspace_id = $1 AND id = $2;
-- name: of_members
SELECT user_id, array_agg(tag_id) FROM member_expertise WHERE workspace_id = $1 GROUP BY user_id;
-- name: clear_member
DELETE FROM member_expertise WHERE workspace_id = $1 AND user_id = $2;
-- name: add_member_tags
INSERT INTO member_expertise (workspace_id, user_id, tag_id)
SELECT $1, $2, t.id FROM expertise_tags t WHERE t.workspace_id = $1 AND t.id = ANY($3::uuid[])
ON CONFLICT DO NOTHING;
