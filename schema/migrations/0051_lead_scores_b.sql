-- Lead scoring's job queue without a dedupe key (after 0051_lead_scores): PgQueuer's dedupe key is
-- unique while a job is queued *or running*, so a mark written while the workspace's job was already
-- past its last read of the marks queued nothing and waited for the sweep. Now a mark queues a job
-- unless one is still queued (not yet running) for the workspace; two transactions racing may queue
-- two, which is harmless: a job scores what is marked and deletes exactly the marks it read.
-- As 0040_insights_refresh_job_c: no INSERT statement at all when nothing is to be queued (PgQueuer's
-- statement trigger NOTIFYs for every INSERT, and a NOTIFY serialises the commits that send one).
CREATE OR REPLACE FUNCTION lead_score_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spaces uuid[];
BEGIN
    IF to_regclass('pgqueuer') IS NULL THEN
        RETURN NULL;
    END IF;
    spaces := ARRAY(
        SELECT DISTINCT c.workspace_id FROM changed c
        WHERE NOT EXISTS (SELECT 1 FROM pgqueuer q WHERE q.entrypoint = 'lead_scoring.rescore'
                          AND q.status = 'queued'
                          AND q.payload = convert_to(json_build_object('workspace', c.workspace_id)::text, 'UTF8')));
    IF cardinality(spaces) = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, status)
    SELECT 0, 'lead_scoring.rescore', convert_to(json_build_object('workspace', s)::text, 'UTF8'),
           now() + interval '1 second', 'queued'
    FROM unnest(spaces) s;
    RETURN NULL;
END
$$;
