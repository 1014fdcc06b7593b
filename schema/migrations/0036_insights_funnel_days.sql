-- The funnel's day rollup (issue 19): a year's funnel read ~480,000 stage visits and sorted them
-- for the medians (bench/insights.py: ~0.7 s of CPU at 100,000 deals). funnel_days keeps, per
-- board, stage and UTC day the visits began, what the funnel needs of them in a form that still
-- answers exactly for any period [from, to) and any time zone:
--
-- - a visit counts as its deal's first entry into the stage in the period when it has no prior
--   visit to that stage (first_new) or the prior one began before `from` (priors, sorted: counted
--   with width_bucket, a binary search); advanced_* the same for the visits whose deal advanced;
-- - a lost visit counts as the deal's last in the stage when it has no next visit (lost_last) or
--   the next began at or after `to` (lost_nexts, sorted);
-- - days: how long each visit that was left lasted, sorted (the medians).
--
-- The funnel reads whole UTC days inside the period from here and the visits of the partial days
-- at either end (a time zone's midnight is not UTC's) from stage_visits, so every answer is the
-- raw one. Maintenance is incremental and never blocks a writer: triggers on stage_visits append
-- the days whose visits changed to funnel_days_stale (a deal moved, won, reassigned, deleted), a
-- change of a board's stages marks the whole board (NULL day: "further" and "open" are read
-- against the current stage order); the funnel reads stale days from stage_visits, and
-- funnel_days_refresh (called before each funnel read, skipping a board another caller is
-- refreshing) recomputes them.
CREATE TABLE funnel_days (
    board_id        uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    day             date        NOT NULL,
    stage_id        uuid        NOT NULL,
    first_new       integer     NOT NULL,
    priors          timestamptz[],
    advanced_new    integer     NOT NULL,
    advanced_priors timestamptz[],
    lost_last       integer     NOT NULL,
    lost_nexts      timestamptz[],
    days            double precision[],
    PRIMARY KEY (board_id, day, stage_id)
);

-- Appended without a key or a foreign key: marking never waits for another writer.
CREATE TABLE funnel_days_stale (
    board_id uuid NOT NULL,
    day      date            -- NULL: every day of the board
);
CREATE INDEX funnel_days_stale_board ON funnel_days_stale (board_id, day);

CREATE FUNCTION funnel_days_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT DISTINCT board_id, (entered_at AT TIME ZONE 'UTC')::date FROM changed;
    RETURN NULL;
END
$$;

CREATE FUNCTION funnel_days_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT board_id, (entered_at AT TIME ZONE 'UTC')::date FROM before
    UNION SELECT board_id, (entered_at AT TIME ZONE 'UTC')::date FROM after;
    RETURN NULL;
END
$$;

CREATE TRIGGER stage_visits_funnel_added AFTER INSERT ON stage_visits
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION funnel_days_mark_new();
CREATE TRIGGER stage_visits_funnel_removed AFTER DELETE ON stage_visits
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION funnel_days_mark_new();
CREATE TRIGGER stage_visits_funnel_changed AFTER UPDATE ON stage_visits
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION funnel_days_mark_both();

CREATE FUNCTION funnel_days_mark_board() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day) VALUES (coalesce(NEW.board_id, OLD.board_id), NULL);
    RETURN NULL;
END
$$;

CREATE TRIGGER board_stages_funnel_added AFTER INSERT OR DELETE ON board_stages
    FOR EACH ROW EXECUTE FUNCTION funnel_days_mark_board();
CREATE TRIGGER board_stages_funnel_changed AFTER UPDATE ON board_stages
    FOR EACH ROW WHEN (OLD.position IS DISTINCT FROM NEW.position OR OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION funnel_days_mark_board();

-- The rollup rows of board `board` for the UTC days `days` (NULL: all), from its stage visits;
-- the flags are the funnel's (server/storage/sql/insights.sql, funnel_cte).
CREATE FUNCTION funnel_days_compute(board uuid, days date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_days (board_id, day, stage_id, first_new, priors, advanced_new, advanced_priors,
                             lost_last, lost_nexts, days)
    SELECT board, f.day, f.stage_id,
           count(*) FILTER (WHERE f.prior_visit_at IS NULL),
           array_agg(f.prior_visit_at ORDER BY f.prior_visit_at) FILTER (WHERE f.prior_visit_at IS NOT NULL),
           count(*) FILTER (WHERE f.prior_visit_at IS NULL AND f.advanced),
           array_agg(f.prior_visit_at ORDER BY f.prior_visit_at)
               FILTER (WHERE f.prior_visit_at IS NOT NULL AND f.advanced),
           count(*) FILTER (WHERE f.next_visit_at IS NULL AND f.lost),
           array_agg(f.next_visit_at ORDER BY f.next_visit_at) FILTER (WHERE f.next_visit_at IS NOT NULL AND f.lost),
           array_agg(f.days ORDER BY f.days) FILTER (WHERE f.days IS NOT NULL)
    FROM (
        SELECT v.stage_id, (v.entered_at AT TIME ZONE 'UTC')::date AS day, v.prior_visit_at, v.next_visit_at,
               extract(epoch FROM v.left_at - v.entered_at) / 86400 AS days,
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
    GROUP BY f.day, f.stage_id;
$$;

-- Recompute the stale days of `boards` (those marked by transactions committed so far); a board
-- another transaction is refreshing is left to it. Answers how many boards were refreshed.
CREATE FUNCTION funnel_days_refresh(boards uuid[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    board uuid;
    marked date[];
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
            PERFORM funnel_days_compute(board, NULL);
        ELSIF marked IS NOT NULL THEN
            DELETE FROM funnel_days f WHERE f.board_id = board AND f.day = ANY(marked);
            PERFORM funnel_days_compute(board, marked);
        END IF;
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

-- The history so far.
INSERT INTO funnel_days_stale (board_id, day) SELECT DISTINCT board_id, NULL::date FROM stage_visits;
SELECT funnel_days_refresh(ARRAY(SELECT DISTINCT board_id FROM funnel_days_stale));
