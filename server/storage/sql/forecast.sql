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

-- name: workspace_zones
-- Every workspace with its time zone (NULL: the server's default) and which of the weeks $1 it has a snapshot of.
SELECT w.id, w.time_zone,
       ARRAY(SELECT s.week FROM forecast_snapshot_weeks s WHERE s.workspace_id = w.id AND s.week = ANY($1::date[]))
FROM workspaces w ORDER BY w.id;

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

-- name: compare_cte
-- The snapshot (workspace $1, week $2) against the deals now, over boards $3 and the period
-- [$4, $5) of expected close (dates); $6 the owners kept (NULL: all; a snapshot row by its owner
-- then, a deal by its owner now). First narrow: two index-only ranges of key, owner and money
-- (`snap_in`: the snapshot's rows expected to close in the period, forecast_snapshots_cover;
-- `cur_in`: the deals open in it now, deals_open_cover; migration 0041), joined by key (`keys`),
-- keep only the keys that can have changed — on one side only, or owner or money differing (a
-- pair in the period on both sides with the same owner and money is no change, whatever the
-- owner filter). Then wide: for those keys alone, the snapshot row and the deal by primary key
-- (`both_sides`). A key has one snapshot row and one deal at most, so the owner filter can drop a
-- side after the join (`s_ok`, `c_ok`; a deal without an owner is kept by no owner filter). The classification is server/domain/forecast.py's
-- `classify`, row by row.
WITH pairs AS MATERIALIZED (
    SELECT s.board_id AS s_board, s.card_id AS s_card, s.owner_id AS s_owner, s.value AS s_value,
           s.currency AS s_currency, c.board_id, c.card_id, c.owner_id, c.value, c.currency
    FROM (SELECT board_id, card_id, owner_id, value, currency FROM forecast_snapshots
          WHERE workspace_id = $1 AND week = $2 AND board_id = ANY($3::uuid[])
            AND expected_close >= $4 AND expected_close < $5) s
    FULL JOIN (SELECT board_id, card_id, owner_id, value, currency FROM deals
               WHERE board_id = ANY($3::uuid[]) AND status = 'open' AND expected_close >= $4
                 AND expected_close < $5) c ON c.board_id = s.board_id AND c.card_id = s.card_id
), keys AS MATERIALIZED (
    SELECT coalesce(s_board, board_id) AS board_id, coalesce(s_card, card_id) AS card_id FROM pairs
    WHERE s_card IS NULL OR card_id IS NULL OR s_owner IS DISTINCT FROM owner_id
       OR (coalesce(s_value, 0), s_currency) IS DISTINCT FROM (coalesce(value, 0), currency)
), both_sides AS (
    SELECT s.board_id AS s_board, s.card_id AS s_card, s.title AS s_title, s.owner_id AS s_owner, s.value AS s_value,
           s.currency AS s_currency, s.expected_close AS s_close, s.stage_id AS s_stage,
           s.probability AS s_probability, s.category AS s_category,
           d.board_id, d.card_id, d.title, d.owner_id, d.status, d.value, d.currency, d.expected_close, d.stage_id,
           d.probability, d.forecast_category, d.fields ->> 'forecast_category' AS field_category
    FROM keys k
    LEFT JOIN LATERAL (  -- primary-key lookups (OFFSET 0: not a hash of the whole table)
        SELECT * FROM forecast_snapshots s WHERE s.workspace_id = $1 AND s.week = $2 AND s.board_id = k.board_id
                                             AND s.card_id = k.card_id OFFSET 0) s ON true
    LEFT JOIN LATERAL (
        SELECT * FROM deals d WHERE d.board_id = k.board_id AND d.card_id = k.card_id OFFSET 0) d ON true
), kept AS (
    SELECT b.*,
           b.s_card IS NOT NULL AND ($6::uuid[] IS NULL OR coalesce(b.s_owner = ANY($6::uuid[]), false)) AS s_ok,
           b.card_id IS NOT NULL AND ($6::uuid[] IS NULL OR coalesce(b.owner_id = ANY($6::uuid[]), false)) AS c_ok
    FROM both_sides b
)

-- name: compare
-- The changed deals (kind: a change), then per side and currency the deals and money expected to
-- close in the period then and now (kind `before` / `now`: currency in s_currency, money in
-- s_value, the count in pushes) — one statement, so the snapshot and the deals are read once.
, changed AS (
    SELECT k.kind, b.* FROM kept b
    CROSS JOIN LATERAL (SELECT CASE
        WHEN b.s_ok AND b.s_close >= $4 AND b.s_close < $5 THEN CASE
            WHEN NOT b.c_ok THEN 'removed'
            WHEN b.status IN ('lost', 'won') THEN b.status
            WHEN b.expected_close IS NULL OR b.expected_close < $4 OR b.expected_close >= $5 THEN 'slipped'
            WHEN (coalesce(b.value, 0), b.currency) IS DISTINCT FROM (coalesce(b.s_value, 0), b.s_currency)
                THEN 'value_changed'
        END
        WHEN b.c_ok AND b.status = 'open' AND b.expected_close >= $4 AND b.expected_close < $5 THEN
            CASE WHEN NOT b.s_ok THEN 'added' ELSE 'pulled_in' END
    END AS kind) k
    WHERE k.kind IS NOT NULL
)
SELECT c.kind,  -- a side the owner filter dropped comes back without its key (NULL: no such side)
       c.s_board, CASE WHEN c.s_ok THEN c.s_card END AS s_card, c.s_title, c.s_owner, c.s_value, c.s_currency, c.s_close,
       c.s_stage, c.s_probability, c.s_category,
       c.board_id, CASE WHEN c.c_ok THEN c.card_id END AS card_id, c.title, c.owner_id, c.status, c.value,
       c.currency, c.expected_close, c.stage_id,
       coalesce(c.probability, st.probability) AS probability,
       coalesce(c.forecast_category, CASE WHEN c.field_category IN
           ('pipeline', 'best_case', 'commit', 'omitted') THEN c.field_category END, 'pipeline') AS category,
       coalesce(p.pushes, 0)::bigint AS pushes
FROM changed c
LEFT JOIN board_stages st ON st.board_id = c.board_id AND st.stage_id = c.stage_id
LEFT JOIN deal_close_pushes p ON p.board_id = c.board_id AND p.card_id = c.card_id
UNION ALL
SELECT 'before', NULL, NULL, NULL, NULL, sum(coalesce(s_value, 0)), s_currency, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*)
FROM pairs WHERE s_card IS NOT NULL AND ($6::uuid[] IS NULL OR s_owner = ANY($6::uuid[])) GROUP BY s_currency
UNION ALL
SELECT 'now', NULL, NULL, NULL, NULL, sum(coalesce(value, 0)), currency, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*)
FROM pairs WHERE card_id IS NOT NULL AND ($6::uuid[] IS NULL OR owner_id = ANY($6::uuid[])) GROUP BY currency;
