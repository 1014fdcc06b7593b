-- Links from deals and activities to contacts and organisations (migration 0011). Writes take
-- the board document's projection lock (the key of crm.sql's lock_projection), then update the
-- projected row too, so a projection running at the same moment never writes a stale link back.
-- name: lock_board
SELECT pg_advisory_xact_lock(hashtextextended('board:' || $1::uuid::text, 3));
-- name: of_board
SELECT board_id, entry_kind, entry_id, contact_id, organisation_id FROM record_links WHERE board_id = $1;
-- name: get
SELECT board_id, entry_kind, entry_id, contact_id, organisation_id FROM record_links
WHERE board_id = $1 AND entry_kind = $2 AND entry_id = $3;
-- name: upsert
INSERT INTO record_links (board_id, entry_kind, entry_id, workspace_id, contact_id, organisation_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (board_id, entry_kind, entry_id) DO UPDATE SET contact_id = EXCLUDED.contact_id,
    organisation_id = EXCLUDED.organisation_id;
-- name: insert_missing
INSERT INTO record_links (board_id, entry_kind, entry_id, workspace_id, contact_id, organisation_id)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING;
-- name: remove
DELETE FROM record_links WHERE board_id = $1 AND entry_kind = $2 AND entry_id = $3;
-- name: set_deal_row
UPDATE deals SET contact_id = $3, organisation_id = $4 WHERE board_id = $1 AND card_id = $2;
-- name: set_activity_row
UPDATE activities SET contact_id = $3 WHERE board_id = $1 AND activity_id = $2;
-- name: boards_naming
SELECT DISTINCT board_id FROM record_links WHERE contact_id = ANY($1::uuid[]) ORDER BY board_id;
-- name: repoint
-- The links naming contacts $1 name $2 instead, and so do their projected rows.
WITH changed AS (UPDATE record_links SET contact_id = $2 WHERE contact_id = ANY($1::uuid[])
                 RETURNING board_id, entry_kind, entry_id),
     d AS (UPDATE deals SET contact_id = $2 FROM changed c
           WHERE c.entry_kind = 'card' AND deals.board_id = c.board_id AND deals.card_id = c.entry_id RETURNING 1),
     a AS (UPDATE activities SET contact_id = $2 FROM changed c
           WHERE c.entry_kind = 'activity' AND activities.board_id = c.board_id
             AND activities.activity_id = c.entry_id RETURNING 1)
SELECT count(*) FROM changed;
-- name: unlink_contacts
WITH old AS (SELECT board_id, entry_kind, entry_id, contact_id, organisation_id FROM record_links
             WHERE contact_id = ANY($1::uuid[]) FOR UPDATE),
     changed AS (UPDATE record_links l SET contact_id = NULL FROM old
                 WHERE l.board_id = old.board_id AND l.entry_kind = old.entry_kind AND l.entry_id = old.entry_id)
SELECT * FROM old ORDER BY board_id, entry_kind, entry_id;
-- name: drop_empty
DELETE FROM record_links WHERE board_id = ANY($1::uuid[]) AND contact_id IS NULL AND organisation_id IS NULL;
-- name: unlink_rows
WITH d AS (UPDATE deals SET contact_id = NULL WHERE contact_id = ANY($1::uuid[]) RETURNING 1)
UPDATE activities SET contact_id = NULL WHERE contact_id = ANY($1::uuid[]);
-- name: moved
SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1);
-- name: mark_moved
INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT DO NOTHING;
