-- Insights (issue 19): one statement per figure. Every statement takes the scope first:
-- $1 the pipeline boards (uuid[]), $2 and $3 the period [from, to) as instants, $4 the owner
-- (NULL: every owner). Money comes back per currency (NULL: the deal names none).
-- Fragments whose name ends in _cte are prefixed to the statement after them by the adapter.

-- name: stages
SELECT s.board_id, b.name AS board_name, s.stage_id, s.name, s.kind, s.position, s.probability, s.rot_days
FROM board_stages s JOIN boards b ON b.id = s.board_id
WHERE s.board_id = ANY($1::uuid[])
ORDER BY b.created_at, b.id, s.position;

-- name: funnel_cte
-- Every stage visit of the deals that entered a stage in the period, with when it was left and
-- whether the deal later reached a further stage (not a lost one) or another open stage; then
-- per deal and stage visited in the period: advanced (won, or moved on further), lost (lost
-- with this as the last open stage it was in), and the days it spent there before moving on.
WITH touched AS (
    SELECT DISTINCT board_id, card_id FROM card_events
    WHERE board_id = ANY($1::uuid[]) AND kind IN ('created', 'moved') AND at >= $2 AND at < $3
), visits AS (
    SELECT e.board_id, e.card_id, e.to_stage AS stage_id, e.at, s.kind, s.position,
           lead(e.at) OVER later AS left_at,
           max(CASE WHEN s.kind <> 'lost' THEN s.position END) OVER onward AS onward_position,
           coalesce(bool_or(s.kind = 'open') OVER onward, false) AS open_later
    FROM touched t
    JOIN card_events e ON e.board_id = t.board_id AND e.card_id = t.card_id AND e.kind IN ('created', 'moved')
    JOIN board_stages s ON s.board_id = e.board_id AND s.stage_id = e.to_stage
    WINDOW later AS (PARTITION BY e.board_id, e.card_id ORDER BY e.at, e.id),
           onward AS (PARTITION BY e.board_id, e.card_id ORDER BY e.at, e.id
                      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
), per_deal AS (
    SELECT v.board_id, v.stage_id, v.card_id,
           bool_or(d.status = 'won' OR v.onward_position > v.position) AS advanced,
           bool_or(d.status = 'lost' AND v.kind = 'open' AND NOT v.open_later) AS lost,
           sum(extract(epoch FROM v.left_at - v.at)) / 86400 AS days
    FROM visits v JOIN deals d ON d.board_id = v.board_id AND d.card_id = v.card_id
    WHERE v.at >= $2 AND v.at < $3 AND ($4::uuid IS NULL OR d.owner_id = $4)
    GROUP BY v.board_id, v.stage_id, v.card_id
)

-- name: funnel
SELECT board_id, stage_id, count(*) AS entered, count(*) FILTER (WHERE advanced) AS advanced,
       count(*) FILTER (WHERE lost) AS lost,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
FROM per_deal GROUP BY board_id, stage_id;

-- name: stuck
-- Open deals in each stage now, longer than its rotting days since they last moved.
SELECT d.board_id, d.stage_id, count(*) AS stuck
FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND s.rot_days > 0
  AND d.moved_at < now() - make_interval(days => s.rot_days) AND ($2::uuid IS NULL OR d.owner_id = $2)
GROUP BY d.board_id, d.stage_id;

-- name: closed_cte
-- Deals won or lost in the period: their last status change in it, if the deal still has that status.
WITH closed AS (
    SELECT c.board_id, c.card_id, c.at FROM (
        SELECT DISTINCT ON (board_id, card_id) board_id, card_id, at, new_status FROM card_events
        WHERE board_id = ANY($1::uuid[]) AND kind = 'status' AND at >= $2 AND at < $3
        ORDER BY board_id, card_id, at DESC, id DESC
    ) c JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id AND d.status = c.new_status
    WHERE d.status IN ('won', 'lost') AND ($4::uuid IS NULL OR d.owner_id = $4)
)

-- name: lost_reasons
-- $5: the workspace's listed reasons; any other text is grouped as other ('').
SELECT CASE WHEN coalesce(btrim(d.lost_reason), '') = '' THEN NULL
            WHEN d.lost_reason = ANY($5::text[]) THEN d.lost_reason ELSE '' END AS reason,
       d.currency, count(*) AS deals, sum(d.value) AS value
FROM closed c JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id
WHERE d.status = 'lost'
GROUP BY 1, 2;

-- name: reps
-- Per owner (currency NULL in `overall` rows): won, lost, the median days from added to won,
-- and the activities done on won deals (touches; e-mails among them); per owner and currency
-- the value won.
, facts AS (
    SELECT d.owner_id, d.status, d.currency, d.value, extract(epoch FROM c.at - d.created_at) / 86400 AS cycle,
           t.touches, t.emails
    FROM closed c JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id
    LEFT JOIN LATERAL (
        SELECT count(*) AS touches, count(*) FILTER (WHERE a.type = 'email') AS emails FROM activities a
        WHERE a.board_id = d.board_id AND a.card_id = d.card_id AND a.done
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
SELECT date_trunc($5, c.at AT TIME ZONE $6)::date AS period, d.currency, count(*) AS deals, sum(d.value) AS value
FROM closed c JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id
WHERE d.status = 'won'
GROUP BY 1, 2;

-- name: open_by_period
-- Open deals by the period of their expected close ($2 <= expected_close < $3, dates here);
-- weighted by the deal's own probability (a number custom field `probability`, 0-100) or else
-- its stage's; best case leaves out deals whose `forecast_category` is omitted, commit counts
-- those whose category is commit. $5 'month' or 'quarter'.
SELECT date_trunc($5, d.expected_close::timestamp)::date AS period, d.currency, count(*) AS deals,
       sum(d.value) AS value, sum(d.value * p.chance) AS weighted, sum(p.chance) AS weighted_deals,
       sum(d.value) FILTER (WHERE NOT p.omitted) AS best_case, count(*) FILTER (WHERE NOT p.omitted) AS best_case_deals,
       sum(d.value) FILTER (WHERE d.fields ->> 'forecast_category' = 'commit') AS commit,
       count(*) FILTER (WHERE d.fields ->> 'forecast_category' = 'commit') AS commit_deals
FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
CROSS JOIN LATERAL (
    SELECT coalesce(CASE WHEN jsonb_typeof(d.fields -> 'probability') = 'number'
                         THEN least(greatest((d.fields ->> 'probability')::double precision, 0), 100) END,
                    s.probability, 0) / 100 AS chance,
           coalesce(d.fields ->> 'forecast_category', '') = 'omitted' AS omitted
) p
WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND d.expected_close >= $2 AND d.expected_close < $3
  AND ($4::uuid IS NULL OR d.owner_id = $4)
GROUP BY 1, 2;

-- name: deals_added
SELECT count(*) FROM deals
WHERE board_id = ANY($1::uuid[]) AND created_at >= $2 AND created_at < $3 AND ($4::uuid IS NULL OR owner_id = $4);

-- name: activities_done
SELECT count(*) FROM activities
WHERE board_id = ANY($1::uuid[]) AND done AND done_at >= $2 AND done_at < $3
  AND ($4::uuid IS NULL OR assignee_id = $4);

-- name: deal_rows
-- The drill-down's answer columns, over `picked` (board_id, card_id, closed_at): a drill_* fragment comes first.
, rows AS (
    SELECT d.board_id, b.name AS board_name, d.card_id, d.title, d.stage_id, s.name AS stage_name, d.owner_id,
           u.name AS owner_name, d.status, d.value, d.currency, d.expected_close, d.created_at, p.closed_at,
           d.lost_reason
    FROM picked p JOIN deals d ON d.board_id = p.board_id AND d.card_id = p.card_id
    JOIN boards b ON b.id = d.board_id
    LEFT JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
    LEFT JOIN users u ON u.id = d.owner_id
)
SELECT * FROM rows ORDER BY value DESC NULLS LAST, title, card_id LIMIT 1000;

-- name: drill_stage
-- $5 the stage, $6 entered, advanced or lost.
, picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM per_deal
    WHERE stage_id = $5 AND ($6 = 'entered' OR ($6 = 'advanced' AND advanced) OR ($6 = 'lost' AND lost))
)

-- name: drill_closed
-- $5 won or lost, $6 the lost reason ('' other, NULL any; see lost_reasons), $7 listed reasons,
-- $8 whether only deals without a reason.
, picked AS (
    SELECT c.board_id, c.card_id, c.at AS closed_at FROM closed c
    JOIN deals d ON d.board_id = c.board_id AND d.card_id = c.card_id
    WHERE d.status = $5 AND (
        ($6::text IS NULL AND NOT $8) OR ($8 AND coalesce(btrim(d.lost_reason), '') = '')
        OR ($6 = '' AND coalesce(btrim(d.lost_reason), '') <> '' AND NOT d.lost_reason = ANY($7::text[]))
        OR ($6 <> '' AND d.lost_reason = $6))
)

-- name: drill_open
-- Open deals expected to close in [$2, $3) (dates), optionally in stage $5.
WITH picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM deals
    WHERE board_id = ANY($1::uuid[]) AND status = 'open' AND expected_close >= $2 AND expected_close < $3
      AND ($4::uuid IS NULL OR owner_id = $4) AND ($5::uuid IS NULL OR stage_id = $5)
)

-- name: drill_stuck
-- $2 the stage (NULL: all), $3 the owner.
WITH picked AS (
    SELECT d.board_id, d.card_id, NULL::timestamptz AS closed_at
    FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
    WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND s.rot_days > 0
      AND d.moved_at < now() - make_interval(days => s.rot_days)
      AND ($2::uuid IS NULL OR d.stage_id = $2) AND ($3::uuid IS NULL OR d.owner_id = $3)
)

-- name: drill_added
WITH picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM deals
    WHERE board_id = ANY($1::uuid[]) AND created_at >= $2 AND created_at < $3 AND ($4::uuid IS NULL OR owner_id = $4)
)

-- name: goals
SELECT g.id, g.workspace_id, g.user_id, g.metric, g.period, g.target, g.starts_on, g.created_by, g.created_at
FROM goals g WHERE g.workspace_id = $1 ORDER BY g.created_at, g.id;

-- name: goal
SELECT g.id, g.workspace_id, g.user_id, g.metric, g.period, g.target, g.starts_on, g.created_by, g.created_at
FROM goals g WHERE g.id = $1;

-- name: insert_goal
INSERT INTO goals (workspace_id, user_id, metric, period, target, starts_on, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, workspace_id, user_id, metric, period, target, starts_on, created_by, created_at;

-- name: update_goal
UPDATE goals SET user_id = $2, metric = $3, period = $4, target = $5, starts_on = $6 WHERE id = $1
RETURNING id, workspace_id, user_id, metric, period, target, starts_on, created_by, created_at;

-- name: delete_goal
DELETE FROM goals WHERE id = $1 RETURNING id;
