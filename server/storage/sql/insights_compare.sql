-- The rep comparison's own figures (issue 19, docs/insights.md "Comparing reps"); the rest of the
-- comparison reuses insights.sql and insights_rollup.sql (the funnel, reps and lost reasons per
-- owner). The scope as there: $1 the pipeline boards, $2 and $3 the period, $4 the owners (NULL:
-- every owner). Each answers a row per owner and one with overall true for them all.

-- name: activity_mix
-- After a closed_cte (insights.sql's or the rollup's): the deals won in the period and the deals
-- open now, per owner, with the activities done on them by kind (tasks: to-dos and deadlines).
-- One row per deal and one per activity, counted together: one merge join of the deals with the
-- done activities' index (activities_done_card INCLUDE type), not a lookup per deal (a quarter
-- more CPU at 30,000 open deals; bench/insights.py --only compare).
, picked AS MATERIALIZED (
    SELECT 'won' AS kind, owner_id, board_id, card_id FROM closed WHERE status = 'won'
    UNION ALL
    SELECT 'open', owner_id, board_id, card_id FROM deals
    WHERE board_id = ANY($1::uuid[]) AND status = 'open' AND ($4::uuid[] IS NULL OR owner_id = ANY($4::uuid[]))
), counted AS (
    SELECT kind, owner_id, NULL::text AS type FROM picked
    UNION ALL
    SELECT p.kind, p.owner_id, a.type
    FROM picked p JOIN activities a ON a.board_id = p.board_id AND a.card_id = p.card_id AND a.done
    WHERE a.board_id = ANY($1::uuid[])
), per_owner AS (  -- hashed per owner, then added up: no sort of the rows
    SELECT kind, owner_id, count(*) FILTER (WHERE type IS NULL) AS deals,
           count(*) FILTER (WHERE type = 'call') AS calls, count(*) FILTER (WHERE type = 'meeting') AS meetings,
           count(*) FILTER (WHERE type = 'email') AS emails,
           count(*) FILTER (WHERE type IN ('todo', 'deadline')) AS tasks
    FROM counted GROUP BY kind, owner_id
)
SELECT kind, owner_id, false AS overall, deals, calls, meetings, emails, tasks FROM per_owner
UNION ALL
SELECT kind, NULL, true, sum(deals)::bigint, sum(calls)::bigint, sum(meetings)::bigint, sum(emails)::bigint,
       sum(tasks)::bigint
FROM per_owner GROUP BY kind;

-- name: activity_mix_rollup
-- activity_mix over deal_activity_mix (migration 0056, kept exact by triggers): a row per picked
-- deal joined to its counts instead of every done activity (bench/insights.py --only "activity mix").
, picked AS (
    SELECT 'won' AS kind, owner_id, board_id, card_id FROM closed WHERE status = 'won'
    UNION ALL
    SELECT 'open', owner_id, board_id, card_id FROM deals
    WHERE board_id = ANY($1::uuid[]) AND status = 'open' AND ($4::uuid[] IS NULL OR owner_id = ANY($4::uuid[]))
), per_owner AS (
    SELECT p.kind, p.owner_id, count(*) AS deals, coalesce(sum(m.calls), 0)::bigint AS calls,
           coalesce(sum(m.meetings), 0)::bigint AS meetings, coalesce(sum(m.emails), 0)::bigint AS emails,
           coalesce(sum(m.todos + m.deadlines), 0)::bigint AS tasks
    FROM picked p LEFT JOIN deal_activity_mix m ON m.board_id = p.board_id AND m.card_id = p.card_id
    GROUP BY p.kind, p.owner_id
)
SELECT kind, owner_id, false AS overall, deals, calls, meetings, emails, tasks FROM per_owner
UNION ALL
SELECT kind, NULL, true, sum(deals)::bigint, sum(calls)::bigint, sum(meetings)::bigint, sum(emails)::bigint,
       sum(tasks)::bigint
FROM per_owner GROUP BY kind;

-- name: first_activity
-- Deals added in the period per owner: how many, how many have an activity, and the median hours
-- from the deal's creation to its first activity's (never below 0: one logged with the deal).
SELECT d.owner_id, GROUPING(d.owner_id) = 1 AS overall, count(*) AS deals, count(f.first_at) AS touched,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY greatest(extract(epoch FROM f.first_at - d.created_at) / 3600, 0)  -- greatest: NULLs skipped
       ) FILTER (WHERE f.first_at IS NOT NULL) AS median_hours
FROM deals d
CROSS JOIN LATERAL (
    SELECT min(a.created_at) AS first_at FROM activities a WHERE a.board_id = d.board_id AND a.card_id = d.card_id
) f
WHERE d.board_id = ANY($1::uuid[]) AND d.created_at >= $2 AND d.created_at < $3
  AND ($4::uuid[] IS NULL OR d.owner_id = ANY($4::uuid[]))
GROUP BY GROUPING SETS ((d.owner_id), ());

-- name: drill_open_now
-- The drill-down behind activities per open deal: the deals of owners $2 open now.
WITH picked AS (
    SELECT board_id, card_id, NULL::timestamptz AS closed_at FROM deals
    WHERE board_id = ANY($1::uuid[]) AND status = 'open' AND ($2::uuid[] IS NULL OR owner_id = ANY($2::uuid[]))
)
