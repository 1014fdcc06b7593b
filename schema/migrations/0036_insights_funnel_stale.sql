-- A board deleted with its visits and stages leaves no stale marks behind (funnel_days_stale has no foreign
-- key, so marks are appended without waiting; the cascade's marks would never be refreshed).
CREATE OR REPLACE FUNCTION funnel_days_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT DISTINCT c.board_id, (c.entered_at AT TIME ZONE 'UTC')::date FROM changed c
    WHERE EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION funnel_days_mark_board() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_days_stale (board_id, day)
    SELECT b.id, NULL FROM boards b WHERE b.id = coalesce(NEW.board_id, OLD.board_id);
    RETURN NULL;
END
$$;

DELETE FROM funnel_days_stale s WHERE NOT EXISTS (SELECT 1 FROM boards b WHERE b.id = s.board_id);
