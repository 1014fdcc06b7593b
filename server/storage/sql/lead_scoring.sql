-- Lead scoring (server/storage/lead_scoring.py, docs/lead-scoring.md).
-- name: rules
SELECT rules FROM lead_score_rules WHERE workspace_id = $1;
-- name: put_rules
INSERT INTO lead_score_rules (workspace_id, rules, updated_by) VALUES ($1, $2::jsonb, $3)
ON CONFLICT (workspace_id) DO UPDATE SET rules = EXCLUDED.rules, updated_by = EXCLUDED.updated_by, updated_at = now();
-- name: forget_rules
DELETE FROM lead_score_rules WHERE workspace_id = $1;
-- name: put_scores
INSERT INTO lead_scores (subject_kind, subject_id, workspace_id, score, explanation, computed_at)
SELECT $2, s.id, $1, s.score, s.explanation::jsonb, $3
FROM unnest($4::uuid[], $5::smallint[], $6::text[]) AS s(id, score, explanation)
ON CONFLICT (subject_kind, subject_id) DO UPDATE
    SET score = EXCLUDED.score, explanation = EXCLUDED.explanation, computed_at = EXCLUDED.computed_at;
-- name: scores_of
SELECT * FROM lead_scores WHERE subject_kind = $1 AND subject_id = ANY($2::uuid[]);
-- name: ranked
SELECT * FROM lead_scores WHERE workspace_id = $1 AND subject_kind = $2 AND score >= $3
ORDER BY score DESC, subject_id LIMIT $4;
-- name: lead_fields
-- A lead's own fields and those of its contact (the one it became, else the oldest with its address;
-- the addresses are looked up at once through the contacts' e-mail index).
WITH l AS (SELECT * FROM leads WHERE workspace_id = $1 AND id = ANY($2::uuid[])),
by_email AS (
    SELECT DISTINCT ON (e) e AS email, c.id
    FROM contacts c CROSS JOIN unnest(c.emails) e
    WHERE c.workspace_id = $1 AND c.deleted_at IS NULL
      AND c.emails && ARRAY(SELECT lower(email) FROM l WHERE email <> '')
    ORDER BY e, c.created_at
)
SELECT l.id, l.created_at, l.source, l.status, l.labels, lower(l.email) AS email, l.organisation_name, l.value,
       l.title, c.id AS contact_id, c.job_title, c.address, c.fields AS contact_fields, o.fields AS org_fields
FROM l
LEFT JOIN by_email b ON b.email = lower(l.email)
LEFT JOIN contacts c ON c.id = coalesce(l.contact_id, b.id)
LEFT JOIN organisations o ON o.id = c.organisation_id;
-- name: contact_fields
SELECT c.id, c.created_at, NULL::text AS source, NULL::text AS status, c.labels, c.emails[1] AS email,
       coalesce(o.name, '') AS organisation_name, NULL::double precision AS value, NULL::text AS title,
       c.id AS contact_id, c.job_title, c.address, c.fields AS contact_fields, o.fields AS org_fields, c.emails
FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[]) AND c.deleted_at IS NULL;
-- name: events
-- $2, $3, $4: one row per subject and address (subject, lower-cased address or '', its contact or NULL);
-- $5: the earliest moment a rule looks at. Each event once per subject (key), however many addresses met it.
WITH s AS (SELECT * FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS s(subject, email, contact)),
e AS (
    SELECT s.subject, ev.kind::text || 'ed' AS kind, ev.at, 'e' || ev.id AS key
    FROM email_messages m CROSS JOIN unnest(m.to_addresses) a
    JOIN s ON s.email = lower(a)
    JOIN email_events ev ON ev.email_id = m.id AND NOT ev.proxy AND ev.at >= $5
    WHERE m.workspace_id = $1 AND m.direction = 'out'
    UNION ALL
    SELECT s.subject, 'replied', m.sent_at, 'm' || m.id FROM email_messages m
    JOIN s ON s.email = lower(m.from_address)
    WHERE m.workspace_id = $1 AND m.direction = 'in' AND m.sent_at >= $5
    UNION ALL
    SELECT s.subject, 'replied', m.sent_at, 'm' || m.id FROM s
    JOIN email_links k ON k.contact_id = s.contact
    JOIN email_messages m ON m.id = k.email_id AND m.direction = 'in' AND m.sent_at >= $5
    UNION ALL
    SELECT s.subject, 'booked', b.created_at, 'b' || b.id FROM bookings b
    JOIN booking_links bl ON bl.id = b.link_id AND bl.workspace_id = $1
    JOIN s ON s.email = lower(b.guest_email) OR s.contact = b.contact_id
    WHERE b.created_at >= $5
    UNION ALL
    SELECT s.subject, 'form', l.created_at, 'l' || l.id FROM leads l
    JOIN s ON s.email <> '' AND s.email = lower(l.email)
    WHERE l.workspace_id = $1 AND l.form_id IS NOT NULL AND l.created_at >= $5
    UNION ALL
    SELECT s.subject, 'form', l.created_at, 'l' || l.id FROM leads l
    JOIN s ON s.subject = l.id
    WHERE l.workspace_id = $1 AND l.form_id IS NOT NULL AND l.created_at >= $5
    UNION ALL
    SELECT s.subject, 'activity', a.done_at, 'a' || a.activity_id FROM s
    JOIN activities a ON a.contact_id = s.contact AND a.done AND a.done_at >= $5
    WHERE a.workspace_id = $1
)
SELECT DISTINCT ON (subject, kind, key) subject, kind, at FROM e;
-- name: page_leads
SELECT id FROM leads WHERE workspace_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3;
-- name: page_contacts
SELECT id FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR id > $2)
ORDER BY id LIMIT $3;
-- name: marks
SELECT id, lead_id, contact_id, email FROM lead_score_marks WHERE workspace_id = $1 ORDER BY id LIMIT $2;
-- name: marked_leads
-- The leads a set of marks names: by id, by address, by the contact they became.
SELECT id FROM leads WHERE workspace_id = $1
    AND (id = ANY($2::uuid[]) OR lower(email) = ANY($3::text[]) OR contact_id = ANY($4::uuid[]));
-- name: marked_contacts
SELECT id FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL
    AND (id = ANY($2::uuid[]) OR emails && $3::text[]);
-- name: unmark
DELETE FROM lead_score_marks WHERE id = ANY($1::bigint[]);
-- name: marked_workspaces
SELECT DISTINCT workspace_id FROM lead_score_marks;
-- name: all_workspaces
SELECT id FROM workspaces ORDER BY id;
-- name: closed_deals
SELECT d.status = 'won' AS won, c.id, c.created_at, NULL::text AS source, NULL::text AS status, c.labels,
       c.emails[1] AS email, coalesce(o.name, '') AS organisation_name, d.value, NULL::text AS title,
       c.id AS contact_id, c.job_title, c.address, c.fields AS contact_fields, o.fields AS org_fields
FROM deals d
LEFT JOIN contacts c ON c.id = d.contact_id
LEFT JOIN organisations o ON o.id = coalesce(c.organisation_id, d.organisation_id)
WHERE d.workspace_id = $1 AND d.status IN ('won', 'lost');
