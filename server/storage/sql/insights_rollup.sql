-- The funnel over its rollups (issue 19; migrations 0036_insights_funnel_*, per owner since
-- 0040_insights_refresh_job*): what server/storage/insights.py reads, with or without owners
-- (the board's rows, per_owner false, without; with a set of owners — a rep, a team — their rows,
-- added up, and their duration arrays merged for the median). The raw statement it must agree with
-- is funnel_cte + funnel_cte_end + funnel in insights.sql (tests/integration/test_insights_rollup.py).

-- name: funnel_days
-- The funnel (same answer as funnel_cte + funnel) over the rollups (migrations
-- 0036_insights_funnel_*): whole UTC months [$9, $10) from funnel_months, the other whole UTC days
-- [$7, $8) from funnel_days, and from stage_visits the partial days at either end ([$2, $5) and
-- [$6, $3); $5, $6 are $7, $8 as instants) and the days the rollups have not caught up with yet
-- (funnel_days_stale; NULL day: the whole board; a month with a stale day is read by its days).
-- A rolled-up visit with a prior visit to the stage is a first entry when the prior began
-- before $2 (width_bucket counts the sorted priors at or before an instant), a lost one is the
-- last when its next visit begins at or after $3. Medians: the durations binned (the months'
-- bins added up, over every owner of $4 too), then only those in the bins of the middle ranks
-- sorted (see funnel_bin): exact for a team as for one owner.
WITH st AS MATERIALIZED (
    SELECT s.board_id, s.stage_id, s.kind, row_number() OVER () AS n,
           ARRAY(SELECT f.stage_id FROM board_stages f
                 WHERE f.board_id = s.board_id AND f.position > s.position AND f.kind <> 'lost') AS further,
           ARRAY(SELECT o.stage_id FROM board_stages o WHERE o.board_id = s.board_id AND o.kind = 'open') AS open
    FROM board_stages s WHERE s.board_id = ANY($1::uuid[])
), stale AS MATERIALIZED (
    SELECT DISTINCT board_id, day FROM funnel_days_stale WHERE board_id = ANY($1::uuid[])
), stale_months AS MATERIALIZED (
    SELECT DISTINCT board_id, date_trunc('month', day::timestamp)::date AS month FROM stale
    WHERE day >= $9::date AND day < $10::date
), ranges AS MATERIALIZED (
    SELECT b AS board_id, $2::timestamptz AS lo, $5::timestamptz AS hi FROM unnest($1::uuid[]) b
    UNION ALL SELECT b, $6::timestamptz, $3::timestamptz FROM unnest($1::uuid[]) b
    UNION ALL SELECT board_id, $5::timestamptz, $6::timestamptz FROM stale WHERE day IS NULL
    UNION ALL
    SELECT s.board_id, s.day::timestamp AT TIME ZONE 'UTC', (s.day + 1)::timestamp AT TIME ZONE 'UTC'
    FROM stale s
    WHERE s.day >= $7::date AND s.day < $8::date
      AND NOT EXISTS (SELECT 1 FROM stale w WHERE w.board_id = s.board_id AND w.day IS NULL)
), visits AS MATERIALIZED (
    SELECT st.n, (extract(epoch FROM v.left_at - v.entered_at) / 86400)::double precision AS days,
           v.prior_visit_at IS NULL OR v.prior_visit_at < $2 AS first_in_period,
           v.next_visit_at IS NULL OR v.next_visit_at >= $3 AS last_in_period,
           v.status = 'won' OR v.later_stages && st.further AS advanced,
           v.status = 'lost' AND st.kind = 'open' AND NOT v.later_stages && st.open AS lost
    FROM ranges r
    CROSS JOIN LATERAL (  -- one index range per row of ranges (OFFSET 0: not flattened into a hash join)
        SELECT * FROM stage_visits v
        WHERE v.board_id = r.board_id AND v.entered_at >= r.lo AND v.entered_at < r.hi OFFSET 0
    ) v
    JOIN st ON st.board_id = v.board_id AND st.stage_id = v.stage_id
    WHERE v.status IS NOT NULL AND ($4::uuid[] IS NULL OR v.owner_id = ANY($4::uuid[]))
), months AS MATERIALIZED (
    SELECT st.n, f.first_new, f.priors, f.advanced_new, f.advanced_priors, f.lost_last, f.lost_nexts, f.days,
           f.bins, f.counts
    FROM funnel_months f JOIN st ON st.board_id = f.board_id AND st.stage_id = f.stage_id
    WHERE f.board_id = ANY($1::uuid[]) AND f.month >= $9::date AND f.month < $10::date
      AND f.per_owner = ($4::uuid[] IS NOT NULL) AND ($4::uuid[] IS NULL OR f.owner_id = ANY($4::uuid[]))
      AND NOT EXISTS (SELECT 1 FROM stale s WHERE s.board_id = f.board_id AND s.day IS NULL)
      AND NOT EXISTS (SELECT 1 FROM stale_months s WHERE s.board_id = f.board_id AND s.month = f.month)
), days AS MATERIALIZED (
    SELECT st.n, f.first_new, f.priors, f.advanced_new, f.advanced_priors, f.lost_last, f.lost_nexts, f.days
    FROM (
        SELECT * FROM funnel_days WHERE board_id = ANY($1::uuid[]) AND per_owner = ($4::uuid[] IS NOT NULL)
            AND day >= $7::date AND day < $9::date
        UNION ALL
        SELECT * FROM funnel_days WHERE board_id = ANY($1::uuid[]) AND per_owner = ($4::uuid[] IS NOT NULL)
            AND day >= $10::date AND day < $8::date
        UNION ALL
        SELECT f.* FROM stale_months m
        JOIN funnel_days f ON f.board_id = m.board_id AND f.per_owner = ($4::uuid[] IS NOT NULL)
            AND f.day >= m.month AND f.day < (m.month + interval '1 month')
    ) f JOIN st ON st.board_id = f.board_id AND st.stage_id = f.stage_id
    WHERE ($4::uuid[] IS NULL OR f.owner_id = ANY($4::uuid[]))
      AND NOT EXISTS (SELECT 1 FROM stale s WHERE s.board_id = f.board_id AND (s.day IS NULL OR s.day = f.day))
), counts AS (
    SELECT n, sum(entered)::bigint AS entered, sum(advanced)::bigint AS advanced, sum(lost)::bigint AS lost
    FROM (
        SELECT n, count(*) FILTER (WHERE first_in_period) AS entered,
               count(*) FILTER (WHERE first_in_period AND advanced) AS advanced,
               count(*) FILTER (WHERE last_in_period AND lost) AS lost
        FROM visits GROUP BY n
        UNION ALL
        SELECT n, sum(first_new + coalesce(width_bucket($2 - interval '1 microsecond', priors), 0)),
               sum(advanced_new + coalesce(width_bucket($2 - interval '1 microsecond', advanced_priors), 0)),
               sum(lost_last + coalesce(cardinality(lost_nexts)
                                        - width_bucket($3 - interval '1 microsecond', lost_nexts), 0))
        FROM (SELECT n, first_new, priors, advanced_new, advanced_priors, lost_last, lost_nexts FROM months
              UNION ALL
              SELECT n, first_new, priors, advanced_new, advanced_priors, lost_last, lost_nexts FROM days) w
        GROUP BY n
    ) c GROUP BY n
), loose AS MATERIALIZED (  -- the durations counted one by one, with their bins
    SELECT n, d, funnel_bin(d) AS b
    FROM (SELECT n, days AS d FROM visits WHERE days IS NOT NULL UNION ALL SELECT n, unnest(days) FROM days) x
), binned AS (
    SELECT n, b, sum(c) AS c
    FROM (SELECT n, h.b, h.c FROM months, unnest(months.bins, months.counts) h(b, c)
          UNION ALL SELECT n, b, count(*) FROM loose GROUP BY n, b) x
    GROUP BY n, b
), wanted AS (  -- the bins of the middle ranks (0-based lo and hi, as percentile_cont(0.5) takes them)
    SELECT * FROM (
        SELECT n, b, c, sum(c) OVER (PARTITION BY n ORDER BY b) - c AS before, sum(c) OVER (PARTITION BY n) AS total
        FROM binned
    ) k
    WHERE floor(0.5 * (total - 1)) BETWEEN before AND before + c - 1
       OR ceil(0.5 * (total - 1)) BETWEEN before AND before + c - 1
), ranked AS (  -- the durations in those bins, ranked in the stage
    SELECT i.n, i.d, w.before + row_number() OVER (PARTITION BY i.n, i.b ORDER BY i.d) - 1 AS rank, w.total,
           floor(0.5 * (w.total - 1)) AS lo, ceil(0.5 * (w.total - 1)) AS hi
    FROM (
        SELECT l.n, l.b, l.d FROM wanted w JOIN loose l ON l.n = w.n AND l.b = w.b
        UNION ALL
        SELECT w.n, w.b,
               unnest(m.days[width_bucket((funnel_bounds())[w.b + 1], m.days) + 1
                             : width_bucket((funnel_bounds())[w.b + 2], m.days)])
        FROM wanted w JOIN months m ON m.n = w.n
    ) i JOIN wanted w ON w.n = i.n AND w.b = i.b
), medians AS (  -- percentile_cont's own arithmetic: lo + (fraction * (hi - lo))
    SELECT n, lo + ((0.5::double precision * (total - 1)::double precision
                     - floor(0.5::double precision * (total - 1)::double precision)) * (hi - lo)) AS median_days
    FROM (
        SELECT n, total, min(d) FILTER (WHERE rank = lo) AS lo, min(d) FILTER (WHERE rank = hi) AS hi
        FROM ranked WHERE rank = lo OR rank = hi GROUP BY n, total
    ) x
)
SELECT st.board_id, st.stage_id, c.entered, c.advanced, c.lost, m.median_days
FROM counts c JOIN st ON st.n = c.n LEFT JOIN medians m ON m.n = c.n;

-- name: funnel_days_refresh
-- Bring the rollup's stale days of boards $1 up to date, a board only when at most $2 of its days
-- are stale and not the whole board (NULL: everything; migration 0040_insights_refresh_job). A
-- board being refreshed by another transaction, or left for the job, is read from stage_visits.
SELECT funnel_days_refresh($1::uuid[], $2::integer);

-- name: closes_refresh
-- Bring deal_closes of boards $1 up to date, a board only when at most $2 of its cards are stale
-- (NULL: everything); a board skipped is read from the stale cards' events.
SELECT deal_closes_refresh($1::uuid[], $2::integer);

-- name: stale_boards
-- The boards with stale marks (the insights.refresh job's cron sweep).
SELECT board_id FROM funnel_days_stale UNION SELECT board_id FROM deal_closes_stale;

-- name: board_stale
-- Whether board $1 still has stale marks.
SELECT EXISTS (SELECT 1 FROM funnel_days_stale WHERE board_id = $1)
    OR EXISTS (SELECT 1 FROM deal_closes_stale WHERE board_id = $1);

-- name: closed_cte
-- closed_cte of insights.sql over deal_closes (the same deals, with their touches): deals with
-- one status change from the index, those with several and those whose row is stale from their
-- events, as insights.sql's closed_cte reads every deal.
WITH odd AS MATERIALIZED (
    SELECT board_id, card_id FROM deal_closes_stale WHERE board_id = ANY($1::uuid[])
    UNION
    SELECT board_id, card_id FROM deal_closes WHERE board_id = ANY($1::uuid[]) AND changes > 1
), closed AS (
    SELECT c.board_id, c.card_id, c.at, c.status, c.value, c.currency, c.owner_id, c.created_at, c.lost_reason,
           c.touches, c.emails
    FROM deal_closes c
    WHERE c.board_id = ANY($1::uuid[]) AND c.at >= $2 AND c.at < $3 AND c.changes = 1 AND c.closed
      AND ($4::uuid[] IS NULL OR c.owner_id = ANY($4::uuid[]))
      AND NOT EXISTS (SELECT 1 FROM odd o WHERE o.board_id = c.board_id AND o.card_id = c.card_id)
    UNION ALL
    SELECT o.board_id, o.card_id, e.at, d.status, d.value, d.currency, d.owner_id, d.created_at, d.lost_reason,
           t.touches, t.emails
    FROM odd o
    CROSS JOIN LATERAL (
        SELECT e.at, e.new_status FROM card_events e
        WHERE e.board_id = o.board_id AND e.card_id = o.card_id AND e.kind = 'status' AND e.at >= $2 AND e.at < $3
        ORDER BY e.at DESC, e.id DESC LIMIT 1
    ) e
    JOIN deals d ON d.board_id = o.board_id AND d.card_id = o.card_id AND d.status = e.new_status
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS touches, (count(*) FILTER (WHERE a.type = 'email'))::integer AS emails
        FROM activities a WHERE a.board_id = o.board_id AND a.card_id = o.card_id AND a.done
    ) t
    WHERE d.status IN ('won', 'lost') AND ($4::uuid[] IS NULL OR d.owner_id = ANY($4::uuid[]))
)

-- name: reps
-- reps of insights.sql with the touches closed carries.
SELECT owner_id, currency, GROUPING(currency) = 1 AS overall,
       count(*) FILTER (WHERE status = 'won') AS won, count(*) FILTER (WHERE status = 'lost') AS lost,
       sum(value) FILTER (WHERE status = 'won') AS won_value,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM at - created_at) / 86400)
           FILTER (WHERE status = 'won') AS median_cycle_days,
       coalesce(sum(touches::bigint) FILTER (WHERE status = 'won'), 0) AS touches,
       coalesce(sum(emails::bigint) FILTER (WHERE status = 'won'), 0) AS emails
FROM closed GROUP BY GROUPING SETS ((owner_id), (owner_id, currency));

-- name: drill_stuck
-- drill_stuck + deal_rows of insights.sql in one pass: the stuck deals are read once, with the
-- columns the answer shows, instead of being picked and then looked up again by key (most of a
-- drill-down over ~28,000 stuck deals). $2 the stage (NULL: all), $3 the owners.
WITH top AS (
    SELECT d.board_id, d.card_id, d.title, d.stage_id, d.owner_id, d.status, d.value, d.currency, d.expected_close,
           d.created_at, NULL::timestamptz AS closed_at, d.lost_reason, count(*) OVER () AS total
    FROM deals d JOIN board_stages s ON s.board_id = d.board_id AND s.stage_id = d.stage_id
    WHERE d.board_id = ANY($1::uuid[]) AND d.status = 'open' AND s.rot_days > 0
      AND d.moved_at < now() - make_interval(days => s.rot_days)
      AND ($2::uuid IS NULL OR d.stage_id = $2) AND ($3::uuid[] IS NULL OR d.owner_id = ANY($3::uuid[]))
    ORDER BY d.value DESC NULLS LAST, d.title, d.card_id LIMIT 1000
)
SELECT t.board_id, b.name AS board_name, t.card_id, t.title, t.stage_id, s.name AS stage_name, t.owner_id,
       u.name AS owner_name, t.status, t.value, t.currency, t.expected_close, t.created_at, t.closed_at,
       t.lost_reason, t.total
FROM top t JOIN boards b ON b.id = t.board_id
LEFT JOIN board_stages s ON s.board_id = t.board_id AND s.stage_id = t.stage_id
LEFT JOIN users u ON u.id = t.owner_id
ORDER BY t.value DESC NULLS LAST, t.title, t.card_id;
