-- Contacts and organisations (server/storage/contacts.py).
-- Optional filters are `$n IS NULL OR ...`; the adapter runs them with plan_cache_mode =
-- force_custom_plan, so each execution is planned with its values and keeps its indexes.
-- name: custom_plans
SET LOCAL plan_cache_mode = force_custom_plan;
-- name: contacts_by_id
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits, c.organisation_id,
       o.name AS organisation_name, c.job_title, c.owner_id, c.labels, c.address::text AS address,
       c.fields::text AS fields, c.created_at, c.updated_at, c.deleted_at, c.merged_into, c.sort_name
FROM contacts c LEFT JOIN organisations o
    ON o.id = c.organisation_id AND o.workspace_id = c.workspace_id AND o.deleted_at IS NULL
WHERE c.id = ANY($1::uuid[]);
-- name: insert_contact
INSERT INTO contacts (workspace_id, first_name, last_name, emails, phones, phone_digits, organisation_id,
                      job_title, owner_id, labels, address, fields, sort_name, search, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, array_to_tsvector($14::text[]), $15)
RETURNING id;
-- name: rename_label
-- One statement for the whole workspace: the label keeps its place, a second copy of the new name goes.
UPDATE contacts c SET labels = renamed.labels, updated_at = now()
FROM (SELECT id, ARRAY(SELECT l FROM (SELECT DISTINCT ON (l) l, n FROM (
          SELECT CASE WHEN lower(label) = lower($2) THEN $3 ELSE label END AS l, n
          FROM unnest(labels) WITH ORDINALITY AS t(label, n)) x ORDER BY l, n) y ORDER BY n) AS labels
      FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND lower($2) = ANY(SELECT lower(unnest(labels)))) renamed
WHERE c.id = renamed.id;
-- name: update_contact
UPDATE contacts SET first_name = $2, last_name = $3, emails = $4, phones = $5, phone_digits = $6,
       organisation_id = $7, job_title = $8, owner_id = $9, labels = $10, address = $11::jsonb,
       fields = $12::jsonb, sort_name = $13, search = array_to_tsvector($14::text[]), updated_at = now()
WHERE id = $1;
-- name: lock_contacts
SELECT id, workspace_id FROM contacts WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE;
-- name: delete_contact
UPDATE contacts SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id;
-- name: merge_contacts
UPDATE contacts SET deleted_at = now(), updated_at = now(), merged_into = $2 WHERE id = ANY($1::uuid[]);
-- name: repoint_merged
UPDATE contacts SET merged_into = $2 WHERE merged_into = ANY($1::uuid[]);
-- name: contact_workspace
SELECT workspace_id, deleted_at, merged_into FROM contacts WHERE id = $1;
-- name: list_contacts
-- Without search words: walk the workspace in list order and stop at the page ($2 is unused).
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits, c.organisation_id,
       o.name AS organisation_name, c.job_title, c.owner_id, c.labels, c.address::text AS address,
       c.fields::text AS fields, c.created_at, c.updated_at, c.deleted_at, c.merged_into, c.sort_name
FROM contacts c LEFT JOIN organisations o
    ON o.id = c.organisation_id AND o.workspace_id = c.workspace_id AND o.deleted_at IS NULL
WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND $2::tsquery IS NULL
  AND ($3::uuid IS NULL OR c.owner_id = $3)
  AND ($4::text[] IS NULL OR c.labels @> $4::text[])
  AND ($5::uuid IS NULL OR c.organisation_id = $5)
  AND ($6::timestamptz IS NULL OR c.created_at >= $6)
  AND ($7::jsonb IS NULL OR c.fields @> $7::jsonb)
ORDER BY c.sort_name, c.id
LIMIT $8 OFFSET $9;
-- name: search_contacts
-- With search words: collect every match from the GIN index first, then sort. (Walking the list
-- order and filtering looks cheaper to the planner, but matches for a name cluster in that order:
-- "lovelace" meant scanning ~40% of 100,000 rows before the first hit.)
WITH hits AS MATERIALIZED (
    SELECT c.id, c.sort_name FROM contacts c
    WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.search @@ $2::tsquery
      AND ($3::uuid IS NULL OR c.owner_id = $3)
      AND ($4::text[] IS NULL OR c.labels @> $4::text[])
      AND ($5::uuid IS NULL OR c.organisation_id = $5)
      AND ($6::timestamptz IS NULL OR c.created_at >= $6)
      AND ($7::jsonb IS NULL OR c.fields @> $7::jsonb)
), page AS (
    SELECT id, sort_name FROM hits ORDER BY sort_name, id LIMIT $8 OFFSET $9
)
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits, c.organisation_id,
       o.name AS organisation_name, c.job_title, c.owner_id, c.labels, c.address::text AS address,
       c.fields::text AS fields, c.created_at, c.updated_at, c.deleted_at, c.merged_into, c.sort_name
FROM page p JOIN contacts c ON c.id = p.id
LEFT JOIN organisations o
    ON o.id = c.organisation_id AND o.workspace_id = c.workspace_id AND o.deleted_at IS NULL
ORDER BY p.sort_name, p.id;
-- name: contacts_page
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits, c.organisation_id,
       o.name AS organisation_name, c.job_title, c.owner_id, c.labels, c.address::text AS address,
       c.fields::text AS fields, c.created_at, c.updated_at, c.deleted_at, c.merged_into, c.sort_name
FROM contacts c LEFT JOIN organisations o
    ON o.id = c.organisation_id AND o.workspace_id = c.workspace_id AND o.deleted_at IS NULL
WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND (c.sort_name, c.id) > ($2, $3)
ORDER BY c.sort_name, c.id LIMIT $4;
-- name: contacts_of_organisation
SELECT c.id, c.workspace_id, c.first_name, c.last_name, c.emails, c.phones, c.phone_digits, c.organisation_id,
       o.name AS organisation_name, c.job_title, c.owner_id, c.labels, c.address::text AS address,
       c.fields::text AS fields, c.created_at, c.updated_at, c.deleted_at, c.merged_into, c.sort_name
FROM contacts c JOIN organisations o ON o.id = c.organisation_id AND o.workspace_id = c.workspace_id
WHERE c.organisation_id = $1 AND c.deleted_at IS NULL;
-- name: set_contact_search
UPDATE contacts c SET search = array_to_tsvector(string_to_array(s.lexemes, ' '))
FROM unnest($1::uuid[], $2::text[]) AS s(id, lexemes)
WHERE c.id = s.id;
-- name: duplicates_of
SELECT id, organisation_id, first_name, last_name, emails, phone_digits FROM contacts
WHERE workspace_id = $1 AND deleted_at IS NULL AND id <> $2
  AND (emails && $3::text[] OR phone_digits && $4::text[] OR ($5::uuid IS NOT NULL AND organisation_id = $5));
-- name: duplicate_candidates
WITH live AS (
    SELECT id, organisation_id, first_name, last_name, emails, phone_digits
    FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL
), shared_emails AS (
    SELECT e FROM live, unnest(emails) e GROUP BY e HAVING count(*) > 1
), shared_phones AS (
    SELECT p FROM live, unnest(phone_digits) p GROUP BY p HAVING count(*) > 1
), crowded AS (
    SELECT organisation_id FROM live WHERE organisation_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1
)
SELECT * FROM live l
WHERE l.emails && ARRAY(SELECT e FROM shared_emails)
   OR l.phone_digits && ARRAY(SELECT p FROM shared_phones)
   OR l.organisation_id IN (SELECT organisation_id FROM crowded);
-- name: organisations_by_id
SELECT o.id, o.workspace_id, o.name, o.website, o.emails, o.phones, o.phone_digits, o.owner_id, o.labels,
       o.address::text AS address, o.fields::text AS fields, o.created_at, o.updated_at, o.deleted_at,
       (SELECT count(*) FROM contacts c
        WHERE c.organisation_id = o.id AND c.workspace_id = o.workspace_id AND c.deleted_at IS NULL) AS contacts_count,
       o.sort_name
FROM organisations o
WHERE o.id = ANY($1::uuid[]);
-- name: insert_organisation
INSERT INTO organisations (workspace_id, name, website, emails, phones, phone_digits, owner_id, labels, address,
                           fields, sort_name, search, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, array_to_tsvector($12::text[]), $13)
RETURNING id;
-- name: update_organisation
UPDATE organisations SET name = $2, website = $3, emails = $4, phones = $5, phone_digits = $6, owner_id = $7,
       labels = $8, address = $9::jsonb, fields = $10::jsonb, sort_name = $11,
       search = array_to_tsvector($12::text[]), updated_at = now()
WHERE id = $1;
-- name: lock_organisation
SELECT id, workspace_id FROM organisations WHERE id = $1 AND deleted_at IS NULL FOR UPDATE;
-- name: delete_organisation
UPDATE organisations SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id;
-- name: organisation_workspace
SELECT workspace_id, deleted_at FROM organisations WHERE id = $1;
-- name: organisations_by_name
SELECT id, name FROM organisations
WHERE workspace_id = $1 AND deleted_at IS NULL AND lower(name) = ANY($2::text[]);
-- name: list_organisations
SELECT o.id, o.workspace_id, o.name, o.website, o.emails, o.phones, o.phone_digits, o.owner_id, o.labels,
       o.address::text AS address, o.fields::text AS fields, o.created_at, o.updated_at, o.deleted_at,
       (SELECT count(*) FROM contacts c
        WHERE c.organisation_id = o.id AND c.workspace_id = o.workspace_id AND c.deleted_at IS NULL) AS contacts_count,
       o.sort_name
FROM organisations o
WHERE o.workspace_id = $1 AND o.deleted_at IS NULL AND $2::tsquery IS NULL
  AND ($3::uuid IS NULL OR o.owner_id = $3)
  AND ($4::text[] IS NULL OR o.labels @> $4::text[])
  AND ($5::timestamptz IS NULL OR o.created_at >= $5)
  AND ($6::jsonb IS NULL OR o.fields @> $6::jsonb)
ORDER BY o.sort_name, o.id
LIMIT $7 OFFSET $8;
-- name: search_organisations
WITH hits AS MATERIALIZED (
    SELECT o.id, o.sort_name FROM organisations o
    WHERE o.workspace_id = $1 AND o.deleted_at IS NULL AND o.search @@ $2::tsquery
      AND ($3::uuid IS NULL OR o.owner_id = $3)
      AND ($4::text[] IS NULL OR o.labels @> $4::text[])
      AND ($5::timestamptz IS NULL OR o.created_at >= $5)
      AND ($6::jsonb IS NULL OR o.fields @> $6::jsonb)
), page AS (
    SELECT id, sort_name FROM hits ORDER BY sort_name, id LIMIT $7 OFFSET $8
)
SELECT o.id, o.workspace_id, o.name, o.website, o.emails, o.phones, o.phone_digits, o.owner_id, o.labels,
       o.address::text AS address, o.fields::text AS fields, o.created_at, o.updated_at, o.deleted_at,
       (SELECT count(*) FROM contacts c
        WHERE c.organisation_id = o.id AND c.workspace_id = o.workspace_id AND c.deleted_at IS NULL) AS contacts_count,
       o.sort_name
FROM page p JOIN organisations o ON o.id = p.id
ORDER BY p.sort_name, p.id;
-- name: organisations_page
SELECT o.id, o.workspace_id, o.name, o.website, o.emails, o.phones, o.phone_digits, o.owner_id, o.labels,
       o.address::text AS address, o.fields::text AS fields, o.created_at, o.updated_at, o.deleted_at,
       (SELECT count(*) FROM contacts c
        WHERE c.organisation_id = o.id AND c.workspace_id = o.workspace_id AND c.deleted_at IS NULL) AS contacts_count,
       o.sort_name
FROM organisations o
WHERE o.workspace_id = $1 AND o.deleted_at IS NULL AND (o.sort_name, o.id) > ($2, $3)
ORDER BY o.sort_name, o.id LIMIT $4;
-- name: unlink_organisation
UPDATE contacts c SET organisation_id = NULL, updated_at = now()
FROM organisations o
WHERE c.organisation_id = $1 AND c.deleted_at IS NULL AND o.id = c.organisation_id AND o.workspace_id = c.workspace_id;
-- name: contacts_by_email
SELECT id, emails FROM contacts
WHERE workspace_id = $1 AND deleted_at IS NULL AND emails && $2::text[] ORDER BY created_at, id;
-- name: live_contact_ids
SELECT id FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[]);
-- name: records_in_workspace
-- Which of the contact ids $2, organisation ids $3 and user ids $4 are live contacts,
-- live organisations and members of workspace $1: every reference of a write, checked at once.
SELECT 'contact' AS kind, id FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[])
UNION ALL
SELECT 'organisation', id FROM organisations WHERE workspace_id = $1 AND deleted_at IS NULL AND id = ANY($3::uuid[])
UNION ALL
SELECT 'member', user_id FROM memberships WHERE workspace_id = $1 AND user_id = ANY($4::uuid[]);
