-- Insights rollups refreshed by a job, not inside a reader's request (issue 19). Until now each
-- funnel read first refreshed whatever was stale, so after a change of a board's stage order the
-- first reader recomputed the whole board (bench/insights.py --reorder: seconds at 25,000 deals).
--
-- 1. The funnel rollups carry the deal's owner in their key (funnel_days, funnel_months: one row
--    per board, day or month, stage and owner), so the funnel filtered by one owner is read from
--    them too; every visit of a deal carries the deal's current owner (stage_visits.owner_id), so
--    the per-owner rows add up to the board's and "first entry" / "last visit" stay exact per owner.
-- 2. Refresh functions take a bound: funnel_days_refresh(boards, most) refreshes a board's stale
--    days only when there are at most `most` of them and the whole board is not marked, and
--    deal_closes_refresh(boards, most) a board's stale cards only when at most `most`; NULL (and
--    the one-argument forms) refresh everything. Readers pass a bound and read what is still stale
--    from the raw rows (the statements already did); the job passes none.
-- 3. A mark queues the `insights.refresh` job for its board in the same transaction
--    (server/services/insights_upkeep.py), deduplicated per board by PgQueuer's dedupe_key while
--    one is queued or running, a few seconds later so a burst of writes makes one job. The queue
--    table is PgQueuer's default `pgqueuer` (installed after the migrations on a fresh database:
--    without it nothing is queued and the worker's cron sweep finds the marks).

-- 1. The owner in the key.
ALTER TABLE funnel_days DROP CONSTRAINT funnel_days_pkey;
ALTER TABLE funnel_days ADD COLUMN owner_id uuid;
CREATE UNIQUE INDEX funnel_days_key ON funnel_days (board_id, day, stage_id, owner_id) NULLS NOT DISTINCT;
ALTER TABLE funnel_months DROP CONSTRAINT funnel_months_pkey;
ALTER TABLE funnel_months ADD COLUMN owner_id uuid;
CREATE UNIQUE INDEX funnel_months_key ON funnel_months (board_id, month, stage_id, owner_id) NULLS NOT DISTINCT;

CREATE OR REPLACE FUNCTION funnel_days_compute(board uuid, days date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_days (board_id, day, stage_id, owner_id, first_new, priors, advanced_new, advanced_priors,
                             lost_last, lost_nexts, days)
    SELECT board, f.day, f.stage_id, f.owner_id,
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
    GROUP BY f.day, f.stage_id, f.owner_id;
$$;

CREATE OR REPLACE FUNCTION funnel_months_compute(board uuid, months date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO funnel_months (board_id, month, stage_id, owner_id, first_new, priors, advanced_new, advanced_priors,
                               lost_last, lost_nexts, days, bins, counts)
    SELECT board, g.month, g.stage_id, g.owner_id, g.first_new, a.priors, g.advanced_new, a.advanced_priors,
           g.lost_last, a.lost_nexts, a.days, h.bins, h.counts
    FROM (
        SELECT date_trunc('month', f.day::timestamp)::date AS month, f.stage_id, f.owner_id,
               sum(f.first_new)::integer AS first_new, sum(f.advanced_new)::integer AS advanced_new,
               sum(f.lost_last)::integer AS lost_last
        FROM funnel_days f
        WHERE f.board_id = board AND (months IS NULL OR date_trunc('month', f.day::timestamp)::date = ANY(months))
        GROUP BY 1, 2, 3
    ) g
    CROSS JOIN LATERAL (
        SELECT ARRAY(SELECT x FROM funnel_days f, unnest(f.priors) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.owner_id IS NOT DISTINCT FROM g.owner_id
                         AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS priors,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.advanced_priors) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.owner_id IS NOT DISTINCT FROM g.owner_id
                         AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS advanced_priors,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.lost_nexts) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.owner_id IS NOT DISTINCT FROM g.owner_id
                         AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS lost_nexts,
               ARRAY(SELECT x FROM funnel_days f, unnest(f.days) x WHERE f.board_id = board
                         AND f.stage_id = g.stage_id AND f.owner_id IS NOT DISTINCT FROM g.owner_id
                         AND f.day >= g.month AND f.day < (g.month + interval '1 month')
                     ORDER BY x) AS days
    ) a
    CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(b ORDER BY b), '{}') AS bins, coalesce(array_agg(c ORDER BY b), '{}') AS counts
        FROM (SELECT funnel_bin(x) AS b, count(*)::integer AS c FROM unnest(a.days) x GROUP BY 1) k
    ) h;
$$;

-- 2. Bounded refreshes. `most`: refresh a board only when at most that many days (cards) are
-- marked and, for the funnel, the whole board is not; NULL: everything.
CREATE FUNCTION funnel_days_refresh(boards uuid[], most integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    board uuid;
    marked date[];
    months date[];
    whole boolean;
    done integer := 0;
BEGIN
    FOR board IN SELECT DISTINCT s.board_id FROM funnel_days_stale s WHERE s.board_id = ANY(boards) LOOP
        CONTINUE WHEN most IS NOT NULL AND (
            EXISTS (SELECT 1 FROM funnel_days_stale s WHERE s.board_id = board AND s.day IS NULL)
            OR (SELECT count(DISTINCT s.day) FROM funnel_days_stale s WHERE s.board_id = board) > most);
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

CREATE OR REPLACE FUNCTION funnel_days_refresh(boards uuid[]) RETURNS integer LANGUAGE sql AS $$
    SELECT funnel_days_refresh(boards, NULL::integer);
$$;

CREATE FUNCTION deal_closes_refresh(boards uuid[], most integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    board uuid;
    marked uuid[];
    done integer := 0;
BEGIN
    FOR board IN SELECT DISTINCT s.board_id FROM deal_closes_stale s WHERE s.board_id = ANY(boards) LOOP
        CONTINUE WHEN most IS NOT NULL
            AND (SELECT count(*) FROM deal_closes_stale s WHERE s.board_id = board) > most;
        CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtextextended(board::text, 37));
        WITH taken AS (DELETE FROM deal_closes_stale s WHERE s.board_id = board RETURNING s.card_id)
        SELECT array_agg(DISTINCT card_id) INTO marked FROM taken;
        DELETE FROM deal_closes c WHERE c.board_id = board AND c.card_id = ANY(marked);
        PERFORM deal_closes_compute(board, marked);
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

CREATE OR REPLACE FUNCTION deal_closes_refresh(boards uuid[]) RETURNS integer LANGUAGE sql AS $$
    SELECT deal_closes_refresh(boards, NULL::integer);
$$;

-- 3. A new mark queues the board's refresh job (deduplicated while one is queued or running).
CREATE FUNCTION insights_refresh_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pgqueuer') IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, dedupe_key, status)
    SELECT 0, 'insights.refresh', convert_to(json_build_object('board', c.board_id)::text, 'UTF8'),
           now() + interval '2 seconds', 'insights.refresh:' || c.board_id, 'queued'
    FROM (SELECT DISTINCT board_id FROM changed) c
    ON CONFLICT (dedupe_key)
        WHERE ((status = ANY (ARRAY['queued'::pgqueuer_status, 'picked'::pgqueuer_status]))
               AND (dedupe_key IS NOT NULL))
        DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER funnel_days_stale_queued AFTER INSERT ON funnel_days_stale
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION insights_refresh_enqueue();
CREATE TRIGGER deal_closes_stale_queued AFTER INSERT ON deal_closes_stale
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION insights_refresh_enqueue();

-- The rollups again, per owner (the marks of every board: the refresh takes them; on a database with
-- the job queue the triggers above queue a job per board, which finds nothing left to do).
DELETE FROM funnel_days;
DELETE FROM funnel_months;
DELETE FROM funnel_days_stale;
SELECT funnel_days_compute(id, NULL) FROM boards;
SELECT funnel_months_compute(id, NULL) FROM boards;
