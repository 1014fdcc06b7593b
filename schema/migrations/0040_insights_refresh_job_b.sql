-- The funnel rollups keep the board's totals beside the per-owner rows (issue 19, after
-- 0040_insights_refresh_job): with the owner alone in the key, the funnel of every owner added up
-- 20 times as many rows (bench/insights.py: a year's funnel 70-100 -> 190-250 ms of CPU), and the
-- month rows, built by a lookup per (month, stage, owner), took a board's refresh from ~2 to ~10 s.
-- Now each day and month has the rows of the whole board (`per_owner` false, owner_id NULL) and
-- one per owner (`per_owner` true), both from one pass over the visits (GROUPING SETS); the funnel
-- reads the first without an owner and the owner's rows with one. Month rows are built from the
-- day rows in one grouped pass (their arrays concatenated, then sorted).
ALTER TABLE funnel_days ADD COLUMN per_owner boolean NOT NULL DEFAULT true;
DROP INDEX funnel_days_key;
CREATE UNIQUE INDEX funnel_days_key ON funnel_days (board_id, per_owner, day, stage_id, owner_id) NULLS NOT DISTINCT;
ALTER TABLE funnel_months ADD COLUMN per_owner boolean NOT NULL DEFAULT true;
DROP INDEX funnel_months_key;
CREATE UNIQUE INDEX funnel_months_key ON funnel_months (board_id, per_owner, month, stage_id, owner_id)
    NULLS NOT DISTINCT;

CREATE AGGREGATE funnel_array_cat(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray);

CREATE OR REPLACE FUNCTION funnel_days_compute(board uuid, days date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_days (board_id, day, stage_id, per_owner, owner_id, first_new, priors, advanced_new,
                             advanced_priors, lost_last, lost_nexts, days)
    SELECT board, f.day, f.stage_id, GROUPING(f.owner_id) = 0, f.owner_id,
           count(*) FILTER (WHERE f.prior_visit_at IS NULL),
           array_agg(f.prior_visit_at ORDER BY f.prior_visit_at) FILTER (WHERE f.prior_visit_at IS NOT NULL),
           count(*) FILTER (WHERE f.prior_visit_at IS NULL AND f.advanced),
           array_agg(f.prior_visit_at ORDER BY f.prior_visit_at)
               FILTER (WHERE f.prior_visit_at IS NOT NULL AND f.advanced),
           count(*) FILTER (WHERE f.next_visit_at IS NULL AND f.lost),
           array_agg(f.next_visit_at ORDER BY f.next_visit_at) FILTER (WHERE f.next_visit_at IS NOT NULL AND f.lost),
           array_agg(f.days ORDER BY f.days) FILTER (WHERE f.days IS NOT NULL)
    FROM (
        SELECT v.stage_id, v.owner_id, (v.entered_at AT TIME ZONE 'UTC')::date AS day, v.prior_visit_at,
               v.next_visit_at, extract(epoch FROM v.left_at - v.entered_at) / 86400 AS days,
               v.status = 'won' OR v.later_stages && st.further AS advanced,
               v.status = 'lost' AND st.kind = 'open' AND NOT v.later_stages && st.open AS lost
        FROM (
            SELECT s.stage_id, s.kind,
                   ARRAY(SELECT f.stage_id FROM board_stages f
                         WHERE f.board_id = s.board_id AND f.position > s.position AND f.kind <> 'lost') AS further,
                   ARRAY(SELECT o.stage_id FROM board_stages o WHERE o.board_id = s.board_id AND o.kind = 'open') AS open
            FROM board_stages s WHERE s.board_id = board
        ) st
        JOIN (
            SELECT v.* FROM stage_visits v WHERE days IS NULL AND v.board_id = board
            UNION ALL
            SELECT v.* FROM unnest(days) d JOIN stage_visits v ON v.board_id = board
                AND v.entered_at >= (d::timestamp AT TIME ZONE 'UTC')
                AND v.entered_at < ((d + 1)::timestamp AT TIME ZONE 'UTC')
        ) v ON v.stage_id = st.stage_id
        WHERE v.status IS NOT NULL
    ) f
    GROUP BY GROUPING SETS ((f.day, f.stage_id), (f.day, f.stage_id, f.owner_id));
$$;

CREATE OR REPLACE FUNCTION funnel_months_compute(board uuid, months date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_months (board_id, month, stage_id, per_owner, owner_id, first_new, priors, advanced_new,
                               advanced_priors, lost_last, lost_nexts, days, bins, counts)
    SELECT board, g.month, g.stage_id, g.per_owner, g.owner_id, g.first_new,
           ARRAY(SELECT x FROM unnest(g.priors) x ORDER BY x), g.advanced_new,
           ARRAY(SELECT x FROM unnest(g.advanced_priors) x ORDER BY x), g.lost_last,
           ARRAY(SELECT x FROM unnest(g.lost_nexts) x ORDER BY x),
           ARRAY(SELECT x FROM unnest(g.days) x ORDER BY x), h.bins, h.counts
    FROM (
        SELECT date_trunc('month', f.day::timestamp)::date AS month, f.stage_id, f.per_owner, f.owner_id,
               sum(f.first_new)::integer AS first_new, sum(f.advanced_new)::integer AS advanced_new,
               sum(f.lost_last)::integer AS lost_last, funnel_array_cat(f.priors) AS priors,
               funnel_array_cat(f.advanced_priors) AS advanced_priors, funnel_array_cat(f.lost_nexts) AS lost_nexts,
               funnel_array_cat(f.days) AS days
        FROM funnel_days f
        WHERE f.board_id = board AND (months IS NULL OR date_trunc('month', f.day::timestamp)::date = ANY(months))
        GROUP BY 1, 2, 3, 4
    ) g
    CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(b ORDER BY b), '{}') AS bins, coalesce(array_agg(c ORDER BY b), '{}') AS counts
        FROM (SELECT funnel_bin(x) AS b, count(*)::integer AS c FROM unnest(g.days) x GROUP BY 1) k
    ) h;
$$;

-- The rollups again, with the totals.
DELETE FROM funnel_days;
DELETE FROM funnel_months;
DELETE FROM funnel_days_stale;
SELECT funnel_days_compute(id, NULL) FROM boards;
SELECT funnel_months_compute(id, NULL) FROM boards;
