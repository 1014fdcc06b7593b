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
