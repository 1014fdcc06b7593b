-- Two readers refreshing the same board's deal_closes at once (the rep comparison reads side by
-- side): the second listed the board while its stale marks were still there, got the board's lock
-- after the first had committed, found no marks left — and deal_closes_compute(board, NULL) then
-- recomputed every card of the board into rows that exist (duplicate key). A board whose marks are
-- gone by the time its lock is held has nothing to do (funnel_days_refresh already checks this).
CREATE OR REPLACE FUNCTION deal_closes_refresh(boards uuid[], most integer) RETURNS integer LANGUAGE plpgsql AS $$
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
        CONTINUE WHEN marked IS NULL;  -- another reader took them meanwhile
        DELETE FROM deal_closes c WHERE c.board_id = board AND c.card_id = ANY(marked);
        PERFORM deal_closes_compute(board, marked);
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;
