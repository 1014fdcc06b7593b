-- Insights (issue 19): one statement per figure. Every statement takes the scope first:
-- $1 the pipeline boards (uuid[]), $2 and $3 the period [from, to) as instants, $4 the owners
-- (uuid[]; NULL: every owner; a team is its members, read at once so that medians stay exact).
-- Money comes back per currency (NULL: the deal names none).
-- Fragments whose name ends in _cte are prefixed to the statement after them by the adapter.

-- name: stages
SELECT s.board_id, b.name AS board_name, s.stage_id, s.name, s.kind, s.position, s.probability, s.rot_days
FROM board_stages s JOIN boards b ON b.id = s.board_id
WHERE s.board_id = ANY($1::uuid[])
ORDER BY b.created_at, b.id, s.position;

-- name: funnel_cte
-- The stage visits (stage_visits, migrations 0025_insights_visits*) that began in the period, each
-- with: whether it is the deal's first entry into that stage in the period (a deal counts once
-- per stage however often it came back) or its last; advanced (won, or it later entered a
-- further stage that is not a Lost one); lost (lost, with no open stage entered after this one:
-- the last open stage it was in). Of a deal's visits to one stage, the first has the most later
-- stages and the last the fewest, so "advanced" is read on the first and "lost" on the last.
WITH st AS MATERIALIZED (  -- each stage's arrays once, not once per visit
    SELECT s.board_id, s.stage_id, s.kind, row_number() OVER () AS n,
           ARRAY(SELECT f.stage_id FROM board_stages f
                 WHERE f.board_id = s.board_id AND f.position > s.position AND f.kind <> 'lost') AS further,
           ARRAY(SELECT o.stage_id FROM board_stages o WHERE o.board_id = s.board_id AND o.kind = 'open') AS open
    FROM board_stages s WHERE s.board_id = ANY($1::uuid[])
), visits AS (
    SELECT v.board_id, v.stage_id, st.n, v.card_id, extract(epoch FROM v.left_at - v.entered_at) / 86400 AS days,
           v.prior_visit_at IS NULL OR v.prior_visit_at < $2 AS first_in_period,
           v.next_visit_at IS NULL OR v.next_visit_at >= $3 AS last_in_period,
           v.status = 'won' OR v.later_stages && st.further AS advanced,
           v.status = 'lost' AND st.kind = 'open' AND NOT v.later_stages && st.open AS lost
    FROM stage_visits v JOIN st ON st.board_id = v.board_id AND st.stage_id = v.stage_id
    WHERE v.board_id = ANY($1::uuid[]) AND v.entered_at >= $2 AND v.entered_at < $3
      AND v.status IS NOT NULL AND ($4::uuid[] IS NULL OR v.owner_id = ANY($4::uuid[]))  -- status: the card is a deal

-- name: funnel_cte_end
-- Closes funnel_cte (drill_stage_filter may come between). A fence: the flags are computed in the
-- subquery, so the sort by stage carries no arrays.
    OFFSET 0
)

-- name: funnel
-- Deals that entered each stage, advanced and were lost from it; the median days a visit lasted
-- (visits not left yet count none). Grouped by the stage's number: sorting integers, not uuids.
SELECT st.board_id, st.stage_id, g.entered, g.advanced, g.lost, g.median_days
FROM (
    SELECT n, count(*) FILTER (WHERE first_in_period) AS entered,
           count(*) FILTER (WHERE first_in_period AND advanced) AS advanced,
           count(*) FILTER (WHERE last_in_period AND lost) AS lost,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
    FROM visits GROUP BY n
) g JOIN st ON st.n = g.n;

-- name: stuck
-- Open deals in each stage now, longer than its rotting days since they last moved; $2 the owners.
SELECT d.board_id, d.stage_id, count(*) AS stuck
FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND s.rot_days > 0
  AND d.moved_at < now() - make_interval(days => s.rot_days)
  AND ($2::uuid[] IS NULL OR d.owner_id = ANY($2::uuid[]))
GROUP BY d.board_id, d.stage_id;

-- name: closed_cte
-- Deals won or lost in the period: their last status change in it, if the deal still has that
-- status; with the deal's columns the figures read (so none joins deals again).
WITH closed AS (
    SELECT c.board_id, c.card_id, c.at, d.status, d.value, d.currency, d.owner_id, d.created_at, d.lost_reason
    FROM (
        SELECT DISTINCT ON (board_id, card_id) board_id, card_id, at, new_status FROM card_events
        WHERE board_id = ANY($1::uuid[]) AND kind = 'status' AND at >= $2 AND at < $3
        ORDER BY board_id, card_id, at DESC, id DESC
    ) c JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id AND d.status = c.new_status
    WHERE d.status IN ('won', 'lost') AND ($4::uuid[] IS NULL OR d.owner_id = ANY($4::uuid[]))
)

-- name: lost_reasons
-- $5: the workspace's listed reasons; any other text is grouped as other ('').
SELECT CASE WHEN coalesce(btrim(d.lost_reason), '') = '' THEN NULL
            WHEN d.lost_reason = ANY($5::text[]) THEN d.lost_reason ELSE '' END AS reason,
       d.currency, count(*) AS deals, sum(d.value) AS value
FROM closed d
WHERE d.status = 'lost'
GROUP BY 1, 2;

-- name: reps
-- Per owner (currency NULL in `overall` rows): won, lost, the median days from added to won,
-- and the activities done on won deals (touches; e-mails among them); per owner and currency
-- the value won.
, facts AS (
    SELECT d.owner_id, d.status, d.currency, d.value, extract(epoch FROM d.at - d.created_at) / 86400 AS cycle,
           t.touches, t.emails
    FROM closed d
    LEFT JOIN LATERAL (
        SELECT count(*) AS touches, count(*) FILTER (WHERE a.type = 'email') AS emails FROM activities a
        WHERE d.status = 'won' AND a.board_id = d.board_id AND a.card_id = d.card_id AND a.done  -- lost: no lookup
    ) t ON d.status = 'won'
)
SELECT owner_id, currency, GROUPING(currency) = 1 AS overall,
       count(*) FILTER (WHERE status = 'won') AS won, count(*) FILTER (WHERE status = 'lost') AS lost,
       sum(value) FILTER (WHERE status = 'won') AS won_value,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cycle) FILTER (WHERE status = 'won') AS median_cycle_days,
       coalesce(sum(touches), 0) AS touches, coalesce(sum(emails), 0) AS emails
FROM facts GROUP BY GROUPING SETS ((owner_id), (owner_id, currency));

-- name: won_by_period
-- $5 'month' or 'quarter', $6 the time zone the periods are counted in.
SELECT date_trunc($5, d.at AT TIME ZONE $6)::date AS period, d.currency, count(*) AS deals, sum(d.value) AS value
FROM closed d
WHERE d.status = 'won'
GROUP BY 1, 2;

-- name: open_by_period
-- Open deals by the period of their expected close ($2 <= expected_close < $3, dates here);
-- weighted by the deal's own probability (its `probability` field, 0-100; before migration 0035 a
-- number custom field `probability`, still read when the field is unset) or else its stage's;
-- best case leaves out deals whose forecast category is omitted, commit counts those whose
-- category is commit (the deal's `forecast_category`, else a custom field of that key). $4 the
-- owners, $5 'month' or 'quarter'.
SELECT date_trunc($5, d.expected_close::timestamp)::date AS period, d.currency, count(*) AS deals,
       sum(d.value) AS value, sum(d.value * p.chance) AS weighted, sum(p.chance) AS weighted_deals,
       sum(d.value) FILTER (WHERE p.category IS DISTINCT FROM 'omitted') AS best_case,
       count(*) FILTER (WHERE p.category IS DISTINCT FROM 'omitted') AS best_case_deals,
       sum(d.value) FILTER (WHERE p.category = 'commit') AS commit,
       count(*) FILTER (WHERE p.category = 'commit') AS commit_deals
FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
CROSS JOIN LATERAL (
    SELECT coalesce(d.probability,
                    CASE WHEN jsonb_typeof(d.fields -> 'probability') = 'number'
                         THEN least(greatest((d.fields ->> 'probability')::double precision, 0), 100) END,
                    s.probability, 0) / 100 AS chance,
           coalesce(d.forecast_category, d.fields ->> 'forecast_category') AS category
) p
WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND d.expected_close >= $2 AND d.expected_close < $3
  AND ($4::uuid[] IS NULL OR d.owner_id = ANY($4::uuid[]))
GROUP BY 1, 2;

-- name: deals_added
SELECT count(*) FROM deals
WHERE board_id = ANY($1::uuid[]) AND created_at >= $2 AND created_at < $3
  AND ($4::uuid[] IS NULL OR owner_id = ANY($4::uuid[]));

-- name: activities_done
SELECT count(*) FROM activities
WHERE board_id = ANY($1::uuid[]) AND done AND done_at >= $2 AND done_at < $3
  AND ($4::uuid[] IS NULL OR assignee_id = ANY($4::uuid[]));

-- name: deal_rows
-- The drill-down's answer over `picked` (board_id, card_id, closed_at): a drill_* fragment comes
-- first. The first 1,000 by value, then their names; `total` counts every deal picked.
, top AS (
    SELECT d.board_id, d.card_id, d.title, d.stage_id, d.owner_id, d.status, d.value, d.currency, d.expected_close,
           d.created_at, p.closed_at, d.lost_reason, count(*) OVER () AS total
    FROM picked p JOIN deals d ON d.board_id = p.board_id AND d.card_id = p.card_id
    ORDER BY d.value DESC NULLS LAST, d.title, d.card_id LIMIT 1000
)
SELECT t.board_id, b.name AS board_name, t.card_id, t.title, t.stage_id, s.name AS stage_name, t.owner_id,
       u.name AS owner_name, t.status, t.value, t.currency, t.expected_close, t.created_at, t.closed_at,
       t.lost_reason, t.total
FROM top t JOIN boards b ON b.id = t.board_id
LEFT JOIN board_stages s ON s.board_id = t.board_id AND s.stage_id = t.stage_id
LEFT JOIN users u ON u.id = t.owner_id
ORDER BY t.value DESC NULLS LAST, t.title, t.card_id;

-- name: drill_stage_filter
-- Between funnel_cte and funnel_cte_end: the visits of stage $5 only.
      AND v.stage_id = $5

-- name: drill_stage
-- $5 the stage, $6 entered, advanced or lost.
, picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM visits
    WHERE stage_id = $5 AND CASE $6 WHEN 'entered' THEN first_in_period WHEN 'advanced' THEN first_in_period AND advanced
                                    ELSE last_in_period AND lost END
)

-- name: drill_closed
-- $5 won or lost, $6 the lost reason ('' other, NULL any; see lost_reasons), $7 listed reasons,
-- $8 whether only deals without a reason.
, picked AS (
    SELECT d.board_id, d.card_id, d.at AS closed_at FROM closed d
    WHERE d.status = $5 AND (
        ($6::text IS NULL AND NOT $8) OR ($8 AND coalesce(btrim(d.lost_reason), '') = '')
        OR ($6 = '' AND coalesce(btrim(d.lost_reason), '') <> '' AND NOT d.lost_reason = ANY($7::text[]))
        OR ($6 <> '' AND d.lost_reason = $6))
)

-- name: drill_open
-- Open deals expected to close in [$2, $3) (dates) of owners $4, optionally in stage $5.
WITH picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM deals
    WHERE board_id = ANY($1::uuid[]) AND status = 'open' AND expected_close >= $2 AND expected_close < $3
      AND ($4::uuid[] IS NULL OR owner_id = ANY($4::uuid[])) AND ($5::uuid IS NULL OR stage_id = $5)
)

-- name: drill_stuck
-- $2 the stage (NULL: all), $3 the owners.
WITH picked AS (
    SELECT d.board_id, d.card_id, NULL::timestamptz AS closed_at
    FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
    WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND s.rot_days > 0
      AND d.moved_at < now() - make_interval(days => s.rot_days)
      AND ($2::uuid IS NULL OR d.stage_id = $2) AND ($3::uuid[] IS NULL OR d.owner_id = ANY($3::uuid[]))
)

-- name: drill_added
WITH picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM deals
    WHERE board_id = ANY($1::uuid[]) AND created_at >= $2 AND created_at < $3
      AND ($4::uuid[] IS NULL OR owner_id = ANY($4::uuid[]))
)

-- name: goals
SELECT g.id, g.workspace_id, g.user_id, g.metric, g.period, g.target, g.starts_on, g.created_by, g.created_at, g.team_id
FROM goals g WHERE g.workspace_id = $1 ORDER BY g.created_at, g.id;

-- name: goal
SELECT g.id, g.workspace_id, g.user_id, g.metric, g.period, g.target, g.starts_on, g.created_by, g.created_at, g.team_id
FROM goals g WHERE g.id = $1;

-- name: insert_goal
INSERT INTO goals (workspace_id, user_id, metric, period, target, starts_on, team_id, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id, workspace_id, user_id, metric, period, target, starts_on, created_by, created_at, team_id;

-- name: update_goal
UPDATE goals SET user_id = $2, metric = $3, period = $4, target = $5, starts_on = $6, team_id = $7 WHERE id = $1
RETURNING id, workspace_id, user_id, metric, period, target, starts_on, created_by, created_at, team_id;

-- name: delete_goal
DELETE FROM goals WHERE id = $1 RETURNING id;
