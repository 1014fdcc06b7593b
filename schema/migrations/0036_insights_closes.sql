-- Deals closed, one row per deal (issue 19): reps, lost reasons and won by period took each deal's
-- last status change in the period from card_events, joined the deal row and counted the done
-- activities of every won deal on each request (bench/insights.py: a year's reps ~245 ms of CPU at
-- 100,000 deals). deal_closes keeps per deal with a status change: how many it had (`changes`),
-- the last one (`at`), whether it gave the deal the status it still has, won or lost (`closed`),
-- the deal's columns the figures read and its touches (done activities, e-mails among them).
--
-- A deal with a single status change is closed in a period exactly when that change is in it and
-- `closed`: those are read from the index below. A deal with several (reopened and closed again)
-- is read from its events, as before, and so is one whose row is stale: triggers on card_events,
-- deals and activities append the changed cards to deal_closes_stale without waiting for anyone;
-- deal_closes_refresh (called before each read, a board another caller refreshes is skipped)
-- recomputes their rows.
CREATE TABLE deal_closes (
    board_id    uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id     uuid        NOT NULL,
    changes     integer     NOT NULL,
    at          timestamptz NOT NULL,
    closed      boolean     NOT NULL,
    status      text        NOT NULL,
    value       double precision,
    currency    text,
    owner_id    uuid,
    created_at  timestamptz,
    lost_reason text,
    touches     integer     NOT NULL,
    emails      integer     NOT NULL,
    PRIMARY KEY (board_id, card_id)
);
CREATE INDEX deal_closes_at ON deal_closes (board_id, at)
    INCLUDE (card_id, status, value, currency, owner_id, created_at, touches, emails) WHERE changes = 1 AND closed;
CREATE INDEX deal_closes_reclosed ON deal_closes (board_id) INCLUDE (card_id) WHERE changes > 1;

CREATE TABLE deal_closes_stale (
    board_id uuid NOT NULL,
    card_id  uuid NOT NULL
);
CREATE INDEX deal_closes_stale_board ON deal_closes_stale (board_id, card_id);

CREATE FUNCTION deal_closes_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT DISTINCT c.board_id, c.card_id FROM changed c
    WHERE c.card_id IS NOT NULL AND EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION deal_closes_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT c.board_id, c.card_id FROM (SELECT board_id, card_id FROM before UNION SELECT board_id, card_id FROM after) c
    WHERE c.card_id IS NOT NULL AND EXISTS (SELECT 1 FROM boards b WHERE b.id = c.board_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION deal_closes_mark_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_closes_stale (board_id, card_id)
    SELECT DISTINCT c.board_id, c.card_id FROM changed c WHERE c.kind = 'status';
    RETURN NULL;
END
$$;

CREATE TRIGGER card_events_closes AFTER INSERT ON card_events
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark_status();
CREATE TRIGGER deals_closes_added AFTER INSERT ON deals
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark();
CREATE TRIGGER deals_closes_removed AFTER DELETE ON deals
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark();
CREATE TRIGGER deals_closes_changed AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark_both();
CREATE TRIGGER activities_closes_added AFTER INSERT ON activities
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark();
CREATE TRIGGER activities_closes_removed AFTER DELETE ON activities
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark();
CREATE TRIGGER activities_closes_changed AFTER UPDATE ON activities
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION deal_closes_mark_both();

-- The rows of board `board`'s cards `cards` (NULL: every card) from their status changes, deal and
-- done activities; a card without a deal or without a status change has none.
CREATE FUNCTION deal_closes_compute(board uuid, cards uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO deal_closes (board_id, card_id, changes, at, closed, status, value, currency, owner_id, created_at,
                             lost_reason, touches, emails)
    SELECT board, e.card_id, e.changes, e.at, d.status = e.new_status AND d.status IN ('won', 'lost'), d.status,
           d.value, d.currency, d.owner_id, d.created_at, d.lost_reason, t.touches, t.emails
    FROM (
        SELECT DISTINCT ON (x.card_id) x.card_id, x.at, x.new_status, count(*) OVER (PARTITION BY x.card_id) AS changes
        FROM (
            SELECT e.card_id, e.at, e.id, e.new_status FROM card_events e
            WHERE cards IS NULL AND e.board_id = board AND e.kind = 'status'
            UNION ALL
            SELECT e.card_id, e.at, e.id, e.new_status FROM unnest(cards) c
            JOIN card_events e ON e.board_id = board AND e.card_id = c AND e.kind = 'status'
        ) x
        ORDER BY x.card_id, x.at DESC, x.id DESC
    ) e
    JOIN deals d ON d.board_id = board AND d.card_id = e.card_id
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS touches, (count(*) FILTER (WHERE a.type = 'email'))::integer AS emails
        FROM activities a WHERE a.board_id = board AND a.card_id = e.card_id AND a.done
    ) t;
$$;

CREATE FUNCTION deal_closes_refresh(boards uuid[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    board uuid;
    marked uuid[];
    done integer := 0;
BEGIN
    FOR board IN SELECT DISTINCT s.board_id FROM deal_closes_stale s WHERE s.board_id = ANY(boards) LOOP
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

-- The deals so far.
SELECT deal_closes_compute(id, NULL) FROM boards;
