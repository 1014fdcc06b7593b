-- name: facts
-- The mail, the live contacts it is filed under in the order its addresses name them (From, To, Cc),
-- the deals it is filed under, and the rule that sent it (automation_emails), if one did.
SELECT e.id, e.workspace_id, e.direction, e.subject, e.from_address,
       ARRAY(SELECT c.id FROM email_links l JOIN contacts c ON c.id = l.contact_id
             WHERE l.email_id = e.id AND c.deleted_at IS NULL
             ORDER BY (SELECT min(array_position(ARRAY[e.from_address] || e.to_addresses || e.cc_addresses, a))
                       FROM unnest(c.emails) a) NULLS LAST, c.id) AS contacts,
       ARRAY(SELECT l.board_id FROM email_links l WHERE l.email_id = e.id AND l.card_id IS NOT NULL
             ORDER BY l.board_id, l.card_id) AS boards,
       ARRAY(SELECT l.card_id FROM email_links l WHERE l.email_id = e.id AND l.card_id IS NOT NULL
             ORDER BY l.board_id, l.card_id) AS cards,
       s.rule_id, s.run_id, s.depth
FROM email_messages e LEFT JOIN automation_emails s ON s.email_id = e.id
WHERE e.id = $1;

-- name: sent_among
SELECT id FROM email_messages
WHERE workspace_id = $1 AND message_id = ANY($2::text[]) AND direction = 'out'
ORDER BY sent_at, id;

-- name: mark_sent
INSERT INTO automation_emails (email_id, rule_id, run_id, action_index, depth) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING RETURNING email_id;

-- name: bcc_sealed
SELECT sealed FROM workspace_bcc WHERE workspace_id = $1;

-- name: bcc_add
INSERT INTO workspace_bcc (workspace_id, token_hash, sealed) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO NOTHING RETURNING workspace_id;

-- name: bcc_replace
INSERT INTO workspace_bcc (workspace_id, token_hash, sealed) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO UPDATE SET token_hash = excluded.token_hash, sealed = excluded.sealed,
                                         created_at = now()
RETURNING workspace_id;

-- name: bcc_workspace
SELECT workspace_id FROM workspace_bcc WHERE token_hash = $1;
