-- Forecast history and teams (issue 19 items 2 and 3; migration 0035, docs/forecast.md).

-- name: take_week
-- The week's snapshot row of a workspace; nothing (no row back) if it has one already.
INSERT INTO forecast_snapshot_weeks (workspace_id, week, taken_at, deals) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, week) DO NOTHING RETURNING week;

-- name: take_deals
INSERT INTO forecast_snapshots (workspace_id, week, board_id, card_id, title, owner_id, value, currency,
                                expected_close, stage_id, probability, category)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: weeks
SELECT workspace_id, week, taken_at, deals FROM forecast_snapshot_weeks
WHERE workspace_id = $1 ORDER BY week DESC;

-- name: snapshot
SELECT board_id, card_id, title, owner_id, value, currency, expected_close, stage_id, probability, category
FROM forecast_snapshots WHERE workspace_id = $1 AND week = $2 ORDER BY board_id, card_id;

-- name: workspaces_without
SELECT w.id FROM workspaces w
WHERE NOT EXISTS (SELECT 1 FROM forecast_snapshot_weeks s WHERE s.workspace_id = w.id AND s.week = $1)
ORDER BY w.id;

-- name: deal_now_cte
-- A deal's forecast columns: its own probability, else its stage's; its category (pipeline
-- when unset; before migration 0035 a custom field of that key).
WITH facts AS (
    SELECT d.board_id, d.card_id, d.title, d.owner_id, d.status, d.value, d.currency, d.expected_close,
           d.stage_id, coalesce(d.probability, s.probability) AS probability,
           coalesce(d.forecast_category, CASE WHEN d.fields ->> 'forecast_category' IN
               ('pipeline', 'best_case', 'commit', 'omitted') THEN d.fields ->> 'forecast_category' END,
               'pipeline') AS category
    FROM deals d LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id

-- name: open_deals
    JOIN boards b ON b.id = d.board_id AND b.kind = 'pipeline' AND b.archived_at IS NULL
    WHERE d.workspace_id = $1 AND d.status = 'open'
)
SELECT board_id, card_id, title, owner_id, value, currency, expected_close, stage_id, probability, category
FROM facts ORDER BY board_id, card_id;

-- name: deals_now
-- The deals as they are now, of boards $1: open ones expected to close in [$2, $3) (dates), and
-- those the snapshot of workspace $4, week $5 expected to close then (whatever they are now). A
-- union of two index ranges (deals_open_close, forecast_snapshots_close), not a scan of every deal.
WITH keys AS (
    SELECT d.board_id, d.card_id FROM deals d
    WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND d.expected_close >= $2 AND d.expected_close < $3
    UNION
    SELECT s.board_id, s.card_id FROM forecast_snapshots s
    WHERE s.workspace_id = $4 AND s.week = $5 AND s.board_id = ANY($1::uuid[])
      AND s.expected_close >= $2 AND s.expected_close < $3
)
SELECT d.board_id, d.card_id, d.title, d.owner_id, d.status, d.value, d.currency, d.expected_close, d.stage_id,
       coalesce(d.probability, st.probability) AS probability,
       coalesce(d.forecast_category, CASE WHEN d.fields ->> 'forecast_category' IN
           ('pipeline', 'best_case', 'commit', 'omitted') THEN d.fields ->> 'forecast_category' END,
           'pipeline') AS category,
       coalesce(p.pushes, 0) AS pushes
FROM keys k JOIN deals d ON d.board_id = k.board_id AND d.card_id = k.card_id
LEFT JOIN board_stages st ON st.board_id = d.board_id AND st.stage_id = d.stage_id
LEFT JOIN deal_close_pushes p ON p.board_id = d.board_id AND p.card_id = d.card_id;

-- name: snapshot_near
-- The snapshot rows (workspace $1, week $2, boards $3) that matter for the period [$4, $5): those
-- expected to close in it then, and those of deals open and expected to close in it now (pulled in).
SELECT s.board_id, s.card_id, s.title, s.owner_id, s.value, s.currency, s.expected_close, s.stage_id, s.probability,
       s.category
FROM forecast_snapshots s
WHERE s.workspace_id = $1 AND s.week = $2 AND s.board_id = ANY($3::uuid[]) AND s.expected_close >= $4
  AND s.expected_close < $5
UNION ALL
SELECT s.board_id, s.card_id, s.title, s.owner_id, s.value, s.currency, s.expected_close, s.stage_id, s.probability,
       s.category
FROM deals d JOIN forecast_snapshots s ON s.workspace_id = $1 AND s.week = $2 AND s.board_id = d.board_id
                                      AND s.card_id = d.card_id
WHERE d.board_id = ANY($3::uuid[]) AND d.status = 'open' AND d.expected_close >= $4 AND d.expected_close < $5
  AND (s.expected_close IS NULL OR s.expected_close < $4 OR s.expected_close >= $5);

-- name: pushes
SELECT pushes, last_pushed_at FROM deal_close_pushes WHERE board_id = $1 AND card_id = $2;

-- name: teams
SELECT t.id, t.workspace_id, t.name,
       ARRAY(SELECT m.user_id FROM team_members m WHERE m.team_id = t.id ORDER BY m.position) AS members, t.created_at
FROM teams t WHERE t.workspace_id = $1 ORDER BY lower(t.name), t.id;

-- name: team
SELECT t.id, t.workspace_id, t.name,
       ARRAY(SELECT m.user_id FROM team_members m WHERE m.team_id = t.id ORDER BY m.position) AS members, t.created_at
FROM teams t WHERE t.id = $1;

-- name: insert_team
INSERT INTO teams (workspace_id, name) VALUES ($1, $2) ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id;

-- name: rename_team
UPDATE teams SET name = $2 WHERE id = $1 RETURNING id;

-- name: clear_members
DELETE FROM team_members WHERE team_id = $1;

-- name: add_members
INSERT INTO team_members (team_id, user_id, position)
SELECT $1, u, n FROM unnest($2::uuid[]) WITH ORDINALITY AS m(u, n) ON CONFLICT DO NOTHING;

-- name: delete_team
DELETE FROM teams WHERE id = $1 RETURNING id;
