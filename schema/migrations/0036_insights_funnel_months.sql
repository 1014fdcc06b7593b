-- The funnel's month rollup and exact medians without sorting every visit (issue 19): with the day
-- rollup alone a year's funnel still unnested and sorted ~480,000 durations for its medians
-- (bench/insights.py). funnel_months holds the same figures as funnel_days per UTC month (computed
-- from its day rows when they are refreshed), plus a histogram of the month's durations over 386
-- fixed bins (funnel_bin: bin b holds durations d with edge[b] < d <= edge[b+1], the edges a
-- sixteenth of an octave apart from one minute to 32 years), kept sparse: the bins that hold any
-- (`bins`) and how many (`counts`). The funnel adds the bins of its whole months to the binned
-- durations of its other days, finds the one or two bins holding the middle ranks, and sorts only
-- the durations in those bins: the months' sorted arrays are sliced to them by binary search
-- (width_bucket), so the median is exactly percentile_cont's.
CREATE FUNCTION funnel_edges() RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT (2 ^ (i / 16.0))::double precision / 1440 FROM generate_series(0, 384) i)
$$;

-- The edges negated, smallest first: how many edges are >= d is width_bucket(-d, funnel_negated_edges()).
CREATE FUNCTION funnel_negated_edges() RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT -e FROM unnest(funnel_edges()) e ORDER BY -e)
$$;

-- The bin of a duration (0..385): how many edges are below it.
CREATE FUNCTION funnel_bin(d double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 385 - width_bucket(-d, funnel_negated_edges())
$$;

-- The bin bounds for slicing: bin b is (funnel_bounds()[b + 1], funnel_bounds()[b + 2]].
CREATE FUNCTION funnel_bounds() RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['-Infinity'::double precision] || funnel_edges() || ARRAY['Infinity'::double precision]
$$;

CREATE TABLE funnel_months (
    board_id        uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    month           date        NOT NULL,  -- the first day of a UTC month
    stage_id        uuid        NOT NULL,
    first_new       integer     NOT NULL,
    priors          timestamptz[],
    advanced_new    integer     NOT NULL,
    advanced_priors timestamptz[],
    lost_last       integer     NOT NULL,
    lost_nexts      timestamptz[],
    days            double precision[],
    bins            integer[]   NOT NULL,
    counts          integer[]   NOT NULL,
    PRIMARY KEY (board_id, month, stage_id)
);

-- The month rows of board `board` for `months` (first days; NULL: all) from its day rows.
CREATE FUNCTION funnel_months_compute(board uuid, months date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_months (board_id, month, stage_id, first_new, priors, advanced_new, advanced_priors,
                               lost_last, lost_nexts, days, bins, counts)
    SELECT board, g.month, g.stage_id, g.first_new, a.priors, g.advanced_new, a.advanced_priors, g.lost_last,
           a.lost_nexts, a.days, h.bins, h.counts
    FROM (
        SELECT date_trunc('month', f.day::timestamp)::date AS month, f.stage_id, sum(f.first_new)::integer AS first_new,
               sum(f.advanced_new)::integer AS advanced_new, sum(f.lost_last)::integer AS lost_last
        FROM funnel_days f
        WHERE f.board_id = board AND (months IS NULL OR date_trunc('month', f.day::timestamp)::date = ANY(months))
        GROUP BY 1, 2
    ) g
    CROSS JOIN LATERAL (
        SELECT ARRAY(SELECT x FROM funnel_days f, unnest(f.priors) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS priors,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.advanced_priors) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS advanced_priors,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.lost_nexts) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS lost_nexts,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.days) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS days
    ) a
    CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(b ORDER BY b), '{}') AS bins, coalesce(array_agg(c ORDER BY b), '{}') AS counts
        FROM (SELECT funnel_bin(x) AS b, count(*)::integer AS c FROM unnest(a.days) x GROUP BY 1) k
    ) h;
$$;

-- As before, and the months of the days refreshed.
CREATE OR REPLACE FUNCTION funnel_days_refresh(boards uuid[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    board uuid;
    marked date[];
    months date[];
    whole boolean;
    done integer := 0;
BEGIN
    FOR board IN SELECT DISTINCT s.board_id FROM funnel_days_stale s WHERE s.board_id = ANY(boards) LOOP
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtextextended(board::text, 36));
        WITH taken AS (DELETE FROM funnel_days_stale s WHERE s.board_id = board RETURNING s.day)
        SELECT bool_or(day IS NULL), array_agg(DISTINCT day) FILTER (WHERE day IS NOT NULL)
        INTO whole, marked FROM taken;
        IF whole THEN
            DELETE FROM funnel_days f WHERE f.board_id = board;
            DELETE FROM funnel_months f WHERE f.board_id = board;
            PERFORM funnel_days_compute(board, NULL);
            PERFORM funnel_months_compute(board, NULL);
        ELSIF marked IS NOT NULL THEN
            months := ARRAY(SELECT DISTINCT date_trunc('month', d::timestamp)::date FROM unnest(marked) d);
            DELETE FROM funnel_days f WHERE f.board_id = board AND f.day = ANY(marked);
            DELETE FROM funnel_months f WHERE f.board_id = board AND f.month = ANY(months);
            PERFORM funnel_days_compute(board, marked);
            PERFORM funnel_months_compute(board, months);
        END IF;
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

-- The months so far (from the day rows 0036_insights_funnel_days built).
SELECT funnel_months_compute(board_id, NULL) FROM (SELECT DISTINCT board_id FROM funnel_days) b;
