-- Leads and lead forms (server/storage/leads.py, docs/leads.md).
-- name: add
INSERT INTO leads (id, workspace_id, title, person_name, email, phone, organisation_name, value, currency, source,
                   owner_id, labels, note, status, created_at, form_id, restore_to, contact_id, organisation_id,
                   board_id, deal_id, converted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22);
-- name: get
SELECT * FROM leads WHERE id = $1;
-- name: get_locked
SELECT * FROM leads WHERE id = $1 FOR UPDATE;
-- name: list
-- $2 status (NULL: the inbox, new and qualified), $3 owner, $4 source, $5 a text fragment, $6 contact, $7 deal,
-- $8 the least score (docs/lead-scoring.md; unscored: 0), $9 the highest score first.
SELECT leads.* FROM leads
LEFT JOIN lead_scores s ON s.subject_kind = 'lead' AND s.subject_id = leads.id
WHERE leads.workspace_id = $1
  AND (CASE WHEN $2::text IS NULL THEN status IN ('new', 'qualified') ELSE status = $2 END)
  AND ($3::uuid IS NULL OR owner_id = $3) AND ($4::text IS NULL OR source = $4)
  AND ($5::text IS NULL OR strpos(lower(title || ' ' || person_name || ' ' || email || ' ' || organisation_name),
                                  lower($5)) > 0)
  AND ($6::uuid IS NULL OR contact_id = $6) AND ($7::uuid IS NULL OR deal_id = $7)
  AND ($8::int IS NULL OR coalesce(s.score, 0) >= $8)
ORDER BY CASE WHEN $9::bool THEN coalesce(s.score, -1) END DESC NULLS LAST, leads.created_at DESC, leads.id
LIMIT $10 OFFSET $11;
-- name: counts
SELECT status, count(*)::int AS n FROM leads
LEFT JOIN lead_scores s ON s.subject_kind = 'lead' AND s.subject_id = leads.id
WHERE leads.workspace_id = $1
  AND ($2::uuid IS NULL OR owner_id = $2) AND ($3::text IS NULL OR source = $3)
  AND ($4::text IS NULL OR strpos(lower(title || ' ' || person_name || ' ' || email || ' ' || organisation_name),
                                  lower($4)) > 0)
  AND ($5::uuid IS NULL OR contact_id = $5) AND ($6::uuid IS NULL OR deal_id = $6)
  AND ($7::int IS NULL OR coalesce(s.score, 0) >= $7)
GROUP BY status;
-- name: put
UPDATE leads SET title = $2, person_name = $3, email = $4, phone = $5, organisation_name = $6, value = $7,
    currency = $8, owner_id = $9, labels = $10, note = $11, status = $12, restore_to = $13, contact_id = $14,
    organisation_id = $15, board_id = $16, deal_id = $17, converted_at = $18
WHERE id = $1;
-- name: archive
UPDATE leads SET status = 'archived', restore_to = status
WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND status IN ('new', 'qualified')
RETURNING id;
-- name: restore
UPDATE leads SET status = coalesce(restore_to, 'new'), restore_to = NULL
WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND status = 'archived'
RETURNING id;
-- name: delete
DELETE FROM leads WHERE id = $1 RETURNING id;
-- name: add_form
INSERT INTO lead_forms (id, workspace_id, name, fields, owner_id, redirect_url, key, created_at, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);
-- name: get_form
SELECT * FROM lead_forms WHERE id = $1;
-- name: forms_of
SELECT * FROM lead_forms WHERE workspace_id = $1 ORDER BY created_at, id;
-- name: put_form
UPDATE lead_forms SET name = $2, fields = $3, owner_id = $4, redirect_url = $5, language = $6 WHERE id = $1;
-- name: delete_form
DELETE FROM lead_forms WHERE id = $1 RETURNING id;
