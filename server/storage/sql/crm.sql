-- Board projections (stages, deals, work items, activities, card history), notes, and the
-- queries the CRM API answers from them. Column order of each table's `*_rows` select is the
-- order of the tuples server/storage/crm.py builds, so rows compare as tuples.
-- name: lock_projection
SELECT pg_advisory_xact_lock(hashtextextended($1::text, 3));
-- name: stored_updates
SELECT u FROM (
    SELECT state AS u, 0 AS part, 0::bigint AS id FROM document_snapshots_v1 WHERE document = $1
    UNION ALL
    SELECT update, 1, id FROM document_updates_v1 WHERE document = $1
) stored ORDER BY part, id;
-- name: projected_document
SELECT d.name, d.kind, d.workspace_id, d.board_id, b.kind AS board_kind
FROM documents d JOIN boards b ON b.id = d.board_id WHERE d.name = $1;
-- name: projected_documents
SELECT name FROM documents WHERE kind IN ('board', 'note') ORDER BY name;
-- name: seed_document
INSERT INTO document_updates_v1 (document, update) VALUES ($1, $2);
-- name: stage_rows
SELECT stage_id, name, rank, position, probability, rot_days, kind FROM board_stages WHERE board_id = $1;
-- name: upsert_stage
INSERT INTO board_stages (board_id, stage_id, name, rank, position, probability, rot_days, kind)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (board_id, stage_id) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank,
    position = EXCLUDED.position, probability = EXCLUDED.probability, rot_days = EXCLUDED.rot_days,
    kind = EXCLUDED.kind;
-- name: delete_stages
DELETE FROM board_stages WHERE board_id = $1 AND stage_id = ANY($2::uuid[]);
-- name: delete_all_board_stages
DELETE FROM board_stages WHERE board_id = $1;
-- name: delete_all_deals
DELETE FROM deals WHERE board_id = $1;
-- name: delete_all_work_items
DELETE FROM work_items WHERE board_id = $1;
-- name: delete_all_activities
DELETE FROM activities WHERE board_id = $1;
-- name: deal_rows
SELECT card_id, title, value, currency, owner_id, contact_id, organisation_id, expected_close, status,
       lost_reason, labels, fields::text, stage_id, rank, created_at, created_by, updated_at, moved_at,
       probability, forecast_category
FROM deals WHERE board_id = $1;
-- name: upsert_deal
INSERT INTO deals (board_id, workspace_id, card_id, title, value, currency, owner_id, contact_id,
                   organisation_id, expected_close, status, lost_reason, labels, fields, stage_id, rank,
                   created_at, created_by, updated_at, moved_at, probability, forecast_category)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15, $16, $17, $18, $19, $20,
        $21, $22)
ON CONFLICT (board_id, card_id) DO UPDATE SET title = EXCLUDED.title, value = EXCLUDED.value,
    currency = EXCLUDED.currency, owner_id = EXCLUDED.owner_id, contact_id = EXCLUDED.contact_id,
    organisation_id = EXCLUDED.organisation_id, expected_close = EXCLUDED.expected_close,
    status = EXCLUDED.status, lost_reason = EXCLUDED.lost_reason, labels = EXCLUDED.labels,
    fields = EXCLUDED.fields, stage_id = EXCLUDED.stage_id, rank = EXCLUDED.rank,
    created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by, updated_at = EXCLUDED.updated_at,
    moved_at = EXCLUDED.moved_at, probability = EXCLUDED.probability,
    forecast_category = EXCLUDED.forecast_category;
-- name: delete_deals
DELETE FROM deals WHERE board_id = $1 AND card_id = ANY($2::uuid[]);
-- name: work_item_rows
SELECT card_id, title, description, assignee_id, due, status, stage_id, rank, created_at, created_by, updated_at
FROM work_items WHERE board_id = $1;
-- name: upsert_work_item
INSERT INTO work_items (board_id, workspace_id, card_id, title, description, assignee_id, due, status, stage_id,
                        rank, created_at, created_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (board_id, card_id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
    assignee_id = EXCLUDED.assignee_id, due = EXCLUDED.due, status = EXCLUDED.status,
    stage_id = EXCLUDED.stage_id, rank = EXCLUDED.rank, created_at = EXCLUDED.created_at,
    created_by = EXCLUDED.created_by, updated_at = EXCLUDED.updated_at;
-- name: delete_work_items
DELETE FROM work_items WHERE board_id = $1 AND card_id = ANY($2::uuid[]);
-- name: activity_rows
SELECT activity_id, type, title, assignee_id, due_date, due_at, done, done_at, card_id, contact_id, note,
       created_at, created_by, starts_at, ends_at, all_day, time_zone, location, outcome, reminders, recurrence
FROM activities WHERE board_id = $1;
-- name: upsert_activity
INSERT INTO activities (board_id, workspace_id, activity_id, type, title, assignee_id, due_date, due_at, done,
                        done_at, card_id, contact_id, note, created_at, created_by, starts_at, ends_at, all_day,
                        time_zone, location, outcome, reminders, recurrence)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
        $23)
ON CONFLICT (board_id, activity_id) DO UPDATE SET type = EXCLUDED.type, title = EXCLUDED.title,
    assignee_id = EXCLUDED.assignee_id, due_date = EXCLUDED.due_date, due_at = EXCLUDED.due_at,
    done = EXCLUDED.done, done_at = EXCLUDED.done_at, card_id = EXCLUDED.card_id,
    contact_id = EXCLUDED.contact_id, note = EXCLUDED.note, created_at = EXCLUDED.created_at,
    created_by = EXCLUDED.created_by, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
    all_day = EXCLUDED.all_day, time_zone = EXCLUDED.time_zone, location = EXCLUDED.location,
    outcome = EXCLUDED.outcome, reminders = EXCLUDED.reminders, recurrence = EXCLUDED.recurrence;
-- name: delete_activities
DELETE FROM activities WHERE board_id = $1 AND activity_id = ANY($2::uuid[]);
-- name: insert_event
INSERT INTO card_events (board_id, card_id, kind, at, author_id, from_stage, to_stage, old_value, new_value,
                         currency, old_status, new_status, reconciled)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
-- name: card_events
SELECT card_id, kind, at, author_id, from_stage, to_stage, old_value, new_value, currency, old_status,
       new_status, reconciled
FROM card_events WHERE board_id = $1 ORDER BY at, id;
-- name: insert_note
INSERT INTO notes (id, document, workspace_id, board_id, subject_kind, subject_id, title, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);
-- name: note
SELECT id, document, workspace_id, board_id, subject_kind, subject_id, title, created_by, created_at
FROM notes WHERE id = $1;
-- name: note_title
SELECT title FROM notes WHERE document = $1;
-- name: set_note_title
UPDATE notes SET title = $2 WHERE document = $1 AND title IS DISTINCT FROM $2;
-- name: visible_board_ids
-- Boards `$1` reaches: every board of a workspace they are a member of, and boards shared with them;
-- archived boards are left out (lists, My tasks and reports skip them; a direct link still opens them).
SELECT b.id FROM boards b JOIN memberships m ON m.workspace_id = b.workspace_id AND m.user_id = $1
WHERE b.archived_at IS NULL
UNION
SELECT s.board_id FROM board_shares s JOIN boards b ON b.id = s.board_id
WHERE s.user_id = $1 AND b.archived_at IS NULL;
-- name: my_activities
-- The contact only if it is one of the board's workspace (a document may name any id) and the
-- caller is a member there: a guest sees no ids of records outside what was shared.
SELECT a.activity_id AS id, a.board_id, b.name AS board_name, b.workspace_id, a.type, a.title, a.due_date,
       a.due_at, a.done, a.done_at, a.card_id, coalesce(d.title, w.title) AS card_title, c.id AS contact_id
FROM activities a JOIN boards b ON b.id = a.board_id
LEFT JOIN contacts c ON c.id = a.contact_id AND c.workspace_id = b.workspace_id
    AND EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = b.workspace_id AND m.user_id = $1)
LEFT JOIN deals d ON d.board_id = a.board_id AND d.card_id = a.card_id
LEFT JOIN work_items w ON w.board_id = a.board_id AND w.card_id = a.card_id
WHERE a.assignee_id = $1 AND a.board_id = ANY($2::uuid[]) AND ($3 OR NOT a.done)
ORDER BY a.due_date NULLS LAST, a.due_at NULLS LAST, a.title, a.activity_id;
-- name: my_work_items
SELECT w.card_id AS id, w.board_id, b.name AS board_name, b.workspace_id, w.title, w.due, w.status,
       s.name AS stage_name
FROM work_items w JOIN boards b ON b.id = w.board_id
LEFT JOIN board_stages s ON s.board_id = w.board_id AND s.stage_id = w.stage_id
WHERE w.assignee_id = $1 AND w.board_id = ANY($2::uuid[]) AND ($3 OR w.status <> 'done')
ORDER BY w.due NULLS LAST, w.title, w.card_id;
-- name: workspace_deals
-- Contacts and organisations only of the deal's own workspace (a document may name any id).
SELECT d.board_id, b.name AS board_name, d.card_id, d.title, d.value, d.currency, d.owner_id, c.id AS contact_id,
       o.id AS organisation_id, d.expected_close, d.status, d.lost_reason, d.labels, d.fields::text AS fields,
       d.stage_id, s.name AS stage_name, s.probability, d.rank, d.created_at, d.created_by, d.updated_at,
       d.moved_at, s.rot_days
FROM deals d JOIN boards b ON b.id = d.board_id
LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
LEFT JOIN contacts c ON c.id = d.contact_id AND c.workspace_id = d.workspace_id
LEFT JOIN organisations o ON o.id = d.organisation_id AND o.workspace_id = d.workspace_id
WHERE d.workspace_id = $1 AND d.board_id = ANY($2::uuid[])
  AND ($3::uuid IS NULL OR d.owner_id = $3) AND ($4::uuid IS NULL OR d.stage_id = $4)
  AND ($5::text IS NULL OR d.status = $5) AND ($6::uuid IS NULL OR d.board_id = $6)
ORDER BY b.created_at, b.id, s.position NULLS LAST, d.rank, d.card_id
LIMIT $7;
-- name: board_stages
SELECT stage_id, name, rank, position, probability, rot_days, kind FROM board_stages
WHERE board_id = $1 ORDER BY position;
-- name: board_deals
SELECT card_id, title, value, currency, owner_id, expected_close, status, stage_id, created_at, moved_at
FROM deals WHERE board_id = $1;
-- name: deal
SELECT d.card_id, d.title, d.value, d.currency, d.owner_id, d.status, d.lost_reason, d.stage_id,
       s.name AS stage_name, d.created_at, d.created_by, u.name AS created_by_name
FROM deals d
LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
LEFT JOIN users u ON u.id = d.created_by
WHERE d.board_id = $1 AND d.card_id = $2;
-- name: deal_history
SELECT e.kind, e.at, e.author_id, u.name AS author_name, e.from_stage, fs.name AS from_stage_name,
       e.to_stage, ts.name AS to_stage_name, e.old_value, e.new_value, e.currency, e.old_status, e.new_status
FROM card_events e
LEFT JOIN users u ON u.id = e.author_id
LEFT JOIN board_stages fs ON fs.board_id = e.board_id AND fs.stage_id = e.from_stage
LEFT JOIN board_stages ts ON ts.board_id = e.board_id AND ts.stage_id = e.to_stage
WHERE e.board_id = $1 AND e.card_id = $2 AND e.kind <> 'created'
ORDER BY e.at, e.id;
-- name: deal_tasks_done
SELECT a.activity_id, a.type, a.title, a.done_at, a.assignee_id, u.name AS assignee_name
FROM activities a LEFT JOIN users u ON u.id = a.assignee_id
WHERE a.board_id = $1 AND a.card_id = $2 AND a.done
ORDER BY a.done_at NULLS LAST, a.activity_id;
-- name: deal_notes
SELECT n.id, n.document, n.title, n.created_at, n.created_by, u.name AS created_by_name
FROM notes n LEFT JOIN users u ON u.id = n.created_by
WHERE n.board_id = $1 AND n.subject_kind = 'deal' AND n.subject_id = $2
ORDER BY n.created_at, n.id;
-- name: reaches_board
SELECT EXISTS (SELECT 1 FROM boards b JOIN memberships m ON m.workspace_id = b.workspace_id
               WHERE b.id = $1 AND m.user_id = $2)
    OR EXISTS (SELECT 1 FROM board_shares WHERE board_id = $1 AND user_id = $2);
