-- What hangs off contacts and organisations, read from the board projection (migration 0003):
-- deals and activities name a contact_id, notes a subject. A board document can be edited to name
-- any id, so every join here also requires the record's own workspace (issue 13): another
-- workspace's board that names a contact is not one of its links, and never resolves it.
-- name: merged_ids
-- The contacts merged into $1: their links are its links.
SELECT id FROM contacts WHERE merged_into = $1;
-- name: deals_of
SELECT d.board_id, d.card_id, d.title, d.status, d.value, d.currency, d.stage_id, d.contact_id, d.owner_id,
       d.expected_close, d.updated_at
FROM deals d JOIN contacts c ON c.id = d.contact_id AND c.workspace_id = d.workspace_id
WHERE d.contact_id = ANY($1::uuid[]) ORDER BY d.updated_at DESC NULLS LAST, d.card_id;
-- name: activities_of
SELECT a.board_id, a.activity_id, a.type, a.title, a.done, a.due_date, a.due_at, a.assignee_id, a.card_id,
       a.contact_id
FROM activities a JOIN contacts c ON c.id = a.contact_id AND c.workspace_id = a.workspace_id
WHERE a.contact_id = ANY($1::uuid[])
ORDER BY a.done, a.due_date NULLS LAST, a.due_at NULLS LAST, a.activity_id;
-- name: notes_of
SELECT n.id, n.document, n.board_id, n.title, n.subject_id, n.created_by, n.created_at
FROM notes n WHERE n.subject_kind = $1 AND n.subject_id = ANY($2::uuid[]) AND n.workspace_id = (
    SELECT workspace_id FROM contacts WHERE id = n.subject_id AND $1 = 'contact'
    UNION ALL SELECT workspace_id FROM organisations WHERE id = n.subject_id AND $1 = 'organisation')
ORDER BY n.created_at DESC, n.id;
-- name: notes_count
SELECT n.subject_id, count(*) AS notes
FROM notes n WHERE n.subject_kind = $1 AND n.subject_id = ANY($2::uuid[]) AND n.workspace_id = (
    SELECT workspace_id FROM contacts WHERE id = n.subject_id AND $1 = 'contact'
    UNION ALL SELECT workspace_id FROM organisations WHERE id = n.subject_id AND $1 = 'organisation')
GROUP BY n.subject_id;
-- name: deals_of_board
SELECT d.card_id, d.title, s.name AS stage, d.value, d.currency, u.email AS owner, c.emails[1] AS contact,
       o.name AS organisation, d.expected_close, d.labels, d.fields::text AS fields, d.status, d.created_at,
       d.updated_at
FROM deals d
LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
LEFT JOIN users u ON u.id = d.owner_id
LEFT JOIN contacts c ON c.id = d.contact_id AND c.workspace_id = d.workspace_id
LEFT JOIN organisations o ON o.id = d.organisation_id AND o.workspace_id = d.workspace_id
WHERE d.board_id = $1
ORDER BY s.position NULLS LAST, d.rank, d.card_id;
-- name: organisation_deals
-- Deals of organisation $1, or naming one of its live contacts; all of its own workspace.
SELECT d.board_id, d.card_id, d.title, d.status, d.value, d.currency, d.stage_id, d.contact_id, d.owner_id,
       d.expected_close, d.updated_at
FROM deals d JOIN organisations o ON o.id = $1 AND o.workspace_id = d.workspace_id
WHERE d.organisation_id = $1 OR d.contact_id IN (
    SELECT c.id FROM contacts c WHERE c.organisation_id = $1 AND c.workspace_id = o.workspace_id AND c.deleted_at IS NULL)
ORDER BY d.updated_at DESC NULLS LAST, d.card_id;
-- name: timeline
-- What touched contacts $2 or organisation $3 of workspace $1, newest first (domain/timeline.py):
-- their deals, the activities naming them or on those deals, notes about them or those deals.
-- Every row is of workspace $1, so another workspace's board that names the ids adds nothing.
WITH d AS (
    SELECT * FROM deals WHERE workspace_id = $1 AND (contact_id = ANY($2::uuid[]) OR organisation_id = $3)
), entries AS (
    SELECT 'deal' AS kind, d.card_id AS id, coalesce(d.created_at, d.updated_at) AS at, d.created_by AS actor,
           d.title, d.board_id, d.card_id, NULL::text AS document, d.contact_id, d.status, NULL::text AS type,
           d.value, d.currency, NULL::date AS due_date
    FROM d
    UNION ALL
    SELECT 'activity', a.activity_id, CASE WHEN a.done THEN coalesce(a.done_at, a.created_at) ELSE a.created_at END,
           a.created_by, a.title, a.board_id, a.card_id, NULL, a.contact_id,
           CASE WHEN a.done THEN 'done' ELSE 'open' END, a.type, NULL, NULL, a.due_date
    FROM activities a
    WHERE a.workspace_id = $1 AND (a.contact_id = ANY($2::uuid[])
          OR EXISTS (SELECT 1 FROM d WHERE d.board_id = a.board_id AND d.card_id = a.card_id)
          OR EXISTS (SELECT 1 FROM record_links l  -- an activity on the organisation (issue 18)
                     WHERE l.board_id = a.board_id AND l.entry_kind = 'activity' AND l.entry_id = a.activity_id
                       AND l.organisation_id = $3))
    UNION ALL
    SELECT 'note', n.id, n.created_at, n.created_by, n.title, n.board_id,
           CASE WHEN n.subject_kind = 'deal' THEN n.subject_id END, n.document,
           CASE WHEN n.subject_kind = 'contact' THEN n.subject_id END, NULL, NULL, NULL, NULL, NULL
    FROM notes n
    WHERE n.workspace_id = $1 AND ((n.subject_kind = 'contact' AND n.subject_id = ANY($2::uuid[]))
          OR (n.subject_kind = 'organisation' AND n.subject_id = $3)
          OR (n.subject_kind = 'deal' AND EXISTS (SELECT 1 FROM d WHERE d.board_id = n.board_id
                                                                    AND d.card_id = n.subject_id)))
)
SELECT * FROM entries ORDER BY at DESC NULLS LAST, kind, id LIMIT $4 OFFSET $5;
