-- The refresh job is queued only when a board has new marks and no job waiting or running
-- (issue 19, after 0040_insights_refresh_job): PgQueuer's statement trigger on its table sends a
-- NOTIFY for every INSERT statement, even one that inserts nothing (a conflict with the job already
-- queued), and a NOTIFY serialises the commits of the transactions that send one. Most writes add
-- no mark (each day or card is marked once until refreshed), so nothing is inserted for them.
CREATE OR REPLACE FUNCTION insights_refresh_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    boards uuid[];
BEGIN
    IF to_regclass('pgqueuer') IS NULL THEN
        RETURN NULL;
    END IF;
    boards := ARRAY(
        SELECT DISTINCT c.board_id FROM changed c
        WHERE NOT EXISTS (SELECT 1 FROM pgqueuer q WHERE q.dedupe_key = 'insights.refresh:' || c.board_id
                          AND q.status = ANY (ARRAY['queued'::pgqueuer_status, 'picked'::pgqueuer_status])));
    IF cardinality(boards) = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, dedupe_key, status)
    SELECT 0, 'insights.refresh', convert_to(json_build_object('board', b)::text, 'UTF8'),
           now() + interval '2 seconds', 'insights.refresh:' || b, 'queued'
    FROM unnest(boards) b
    ON CONFLICT (dedupe_key)
        WHERE ((status = ANY (ARRAY['queued'::pgqueuer_status, 'picked'::pgqueuer_status]))
               AND (dedupe_key IS NOT NULL))
        DO NOTHING;
    RETURN NULL;
END
$$;
