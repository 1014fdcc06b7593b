-- Stale marks once each (issue 19): the funnel's and the closed deals' rollups are refreshed when
-- insights are read, so a workspace that never opens them would gather one mark per change for
-- ever. A mark already waiting is not added again (two writers at once may still both add one:
-- the refresh takes them all), which bounds the marks to the days and cards changed since the
-- last read.
CREATE OR REPLACE FUNCTION funnel_days_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT c.board_id, c.day
    FROM (SELECT DISTINCT board_id, (entered_at AT TIME ZONE 'UTC')::date AS day FROM changed) c
    WHERE EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id)
      AND NOT EXISTS (SELECT 1 FROM funnel_days_stale s WHERE s.board_id = c.board_id AND s.day = c.day);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION funnel_days_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT c.board_id, c.day
    FROM (SELECT board_id, (entered_at AT TIME ZONE 'UTC')::date AS day FROM before
          UNION SELECT board_id, (entered_at AT TIME ZONE 'UTC')::date FROM after) c
    WHERE NOT EXISTS (SELECT 1 FROM funnel_days_stale s WHERE s.board_id = c.board_id AND s.day = c.day);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION funnel_days_mark_board() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT b.id, NULL FROM boards b WHERE b.id = coalesce(NEW.board_id, OLD.board_id)
      AND NOT EXISTS (SELECT 1 FROM funnel_days_stale s WHERE s.board_id = b.id AND s.day IS NULL);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION deal_closes_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT c.board_id, c.card_id FROM (SELECT DISTINCT board_id, card_id FROM changed) c
    WHERE c.card_id IS NOT NULL AND EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id)
      AND NOT EXISTS (SELECT 1 FROM deal_closes_stale s WHERE s.board_id = c.board_id AND s.card_id = c.card_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION deal_closes_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT c.board_id, c.card_id FROM (SELECT board_id, card_id FROM before UNION SELECT board_id, card_id FROM after) c
    WHERE c.card_id IS NOT NULL AND EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id)
      AND NOT EXISTS (SELECT 1 FROM deal_closes_stale s WHERE s.board_id = c.board_id AND s.card_id = c.card_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION deal_closes_mark_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT c.board_id, c.card_id FROM (SELECT DISTINCT board_id, card_id FROM changed WHERE kind = 'status') c
    WHERE NOT EXISTS (SELECT 1 FROM deal_closes_stale s WHERE s.board_id = c.board_id AND s.card_id = c.card_id);
    RETURN NULL;
END
$$;
