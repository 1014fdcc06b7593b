-- The done activities per deal by type (issue 19, the rep comparison's activity mix, docs/insights.md
-- "Comparing reps"): activity_mix counted ~210,000 done activities against ~33,000 deals on every
-- read (bench/insights.py --only "activity mix": p50 ~150-200 ms, ~85 ms of CPU at 100,000 deals).
-- deal_activity_mix keeps, per board and card with at least one done activity, how many of each type
-- are done; the read joins one row per picked deal.
--
-- Kept exact by deltas, not by stale marks: unlike deal_closes (a deal's last status change) and the
-- funnel's medians, counts add up, so a statement's change is its added rows minus its removed ones,
-- applied in the same statement (triggers per statement with transition tables: a bulk insert of
-- 10,000 activities applies one grouped upsert, not 10,000). Readers need no stale path and no
-- refresh job. The rows are a function of the activities alone (a deal deleted while its activities
-- stay keeps its row, which no read picks; a deal re-created on the card finds it): no trigger on
-- deals. A row is locked by the writer of its card's activities until commit; those are written by
-- the board's projection, one writer per board at a time (server/storage/projection.py).
CREATE TABLE deal_activity_mix (
    board_id  uuid    NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id   uuid    NOT NULL,
    calls     integer NOT NULL,
    meetings  integer NOT NULL,
    emails    integer NOT NULL,
    todos     integer NOT NULL,
    deadlines integer NOT NULL,
    PRIMARY KEY (board_id, card_id)
);

-- One done activity added (n = 1) or removed (n = -1) on a card.
CREATE TYPE deal_activity_change AS (board_id uuid, card_id uuid, type text, n integer);

-- Add `changes` to the counts (cards whose counts add up to no change are not written); cards
-- left with no done activity are removed.
-- A board being deleted (its activities cascaded) is skipped: its rows go with it.
-- PL/pgSQL, not SQL: its plans are kept across calls (an SQL function's are made on each call, 0.3 ms a
-- statement on PostgreSQL 15: a projection's 10,000 one-row upserts took 4 s longer).
CREATE FUNCTION deal_activity_mix_add(changes deal_activity_change[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_activity_mix AS m (board_id, card_id, calls, meetings, emails, todos, deadlines)
    SELECT d.* FROM (
        SELECT c.board_id, c.card_id, coalesce(sum(c.n) FILTER (WHERE c.type = 'call'), 0)::integer AS calls,
               coalesce(sum(c.n) FILTER (WHERE c.type = 'meeting'), 0)::integer AS meetings,
               coalesce(sum(c.n) FILTER (WHERE c.type = 'email'), 0)::integer AS emails,
               coalesce(sum(c.n) FILTER (WHERE c.type = 'todo'), 0)::integer AS todos,
               coalesce(sum(c.n) FILTER (WHERE c.type = 'deadline'), 0)::integer AS deadlines
        FROM unnest(changes) c GROUP BY c.board_id, c.card_id
    ) d
    WHERE (d.calls, d.meetings, d.emails, d.todos, d.deadlines) <> (0, 0, 0, 0, 0)
      AND EXISTS (SELECT 1 FROM boards b WHERE b.id = d.board_id)
    ORDER BY d.board_id, d.card_id  -- rows locked in one order by every writer
    ON CONFLICT (board_id, card_id) DO UPDATE SET calls = m.calls + excluded.calls,
        meetings = m.meetings + excluded.meetings, emails = m.emails + excluded.emails,
        todos = m.todos + excluded.todos, deadlines = m.deadlines + excluded.deadlines;
    DELETE FROM deal_activity_mix m USING (SELECT DISTINCT c.board_id, c.card_id FROM unnest(changes) c
                                           WHERE c.n < 0) c
    WHERE m.board_id = c.board_id AND m.card_id = c.card_id
      AND (m.calls, m.meetings, m.emails, m.todos, m.deadlines) = (0, 0, 0, 0, 0);
END
$$;

CREATE FUNCTION deal_activity_mix_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes deal_activity_change[] := ARRAY(
        SELECT (a.board_id, a.card_id, a.type, 1)::deal_activity_change FROM added a
        WHERE a.done AND a.card_id IS NOT NULL);
BEGIN
    IF cardinality(changes) > 0 THEN
        PERFORM deal_activity_mix_add(changes);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION deal_activity_mix_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes deal_activity_change[] := ARRAY(
        SELECT (a.board_id, a.card_id, a.type, -1)::deal_activity_change FROM removed a
        WHERE a.done AND a.card_id IS NOT NULL);
BEGIN
    IF cardinality(changes) > 0 THEN
        PERFORM deal_activity_mix_add(changes);
    END IF;
    RETURN NULL;
END
$$;

-- Done or undone, retyped, moved to another card: what the new rows count and the old ones do
-- not is added, the reverse removed (multisets: EXCEPT ALL); an update of a title or a note, most of
-- the projection's, adds and removes nothing.
CREATE FUNCTION deal_activity_mix_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes deal_activity_change[] := ARRAY(
        SELECT (c.board_id, c.card_id, c.type, 1)::deal_activity_change FROM (
            SELECT a.board_id, a.card_id, a.type FROM after a WHERE a.done AND a.card_id IS NOT NULL
            EXCEPT ALL
            SELECT a.board_id, a.card_id, a.type FROM before a WHERE a.done AND a.card_id IS NOT NULL) c
        UNION ALL
        SELECT (c.board_id, c.card_id, c.type, -1)::deal_activity_change FROM (
            SELECT a.board_id, a.card_id, a.type FROM before a WHERE a.done AND a.card_id IS NOT NULL
            EXCEPT ALL
            SELECT a.board_id, a.card_id, a.type FROM after a WHERE a.done AND a.card_id IS NOT NULL) c);
BEGIN
    IF cardinality(changes) > 0 THEN
        PERFORM deal_activity_mix_add(changes);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER activities_mix_added AFTER INSERT ON activities
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION deal_activity_mix_added();
CREATE TRIGGER activities_mix_removed AFTER DELETE ON activities
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION deal_activity_mix_removed();
CREATE TRIGGER activities_mix_changed AFTER UPDATE ON activities
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION deal_activity_mix_changed();

-- The activities so far.
INSERT INTO deal_activity_mix (board_id, card_id, calls, meetings, emails, todos, deadlines)
SELECT board_id, card_id, count(*) FILTER (WHERE type = 'call'), count(*) FILTER (WHERE type = 'meeting'),
       count(*) FILTER (WHERE type = 'email'), count(*) FILTER (WHERE type = 'todo'),
       count(*) FILTER (WHERE type = 'deadline')
FROM activities WHERE done AND card_id IS NOT NULL
GROUP BY board_id, card_id;
