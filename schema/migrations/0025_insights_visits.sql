-- Stage visits (issue 19): the stage-change log (card_events) read as one row per visit of a card
-- to a stage, so the funnel reads the visits that began in a period through one index range
-- instead of windowing every card's whole history on each request (bench/insights.py:
-- docs/performance.md, "Insights").
--
-- A visit begins with a created or moved event (event_id) and ends at the card's next one
-- (left_at; NULL while it is the card's last). later_stages are the stages the card entered after
-- it, so "did it move further on" is answered against the board's current stage order at read time.
-- prior_visit_at and next_visit_at are the card's previous and next entries into the same stage:
-- a deal that went back and forth counts once per stage in a period without grouping by deal.
-- A trigger recomputes a card's visits from its log whenever an event of the card is added (in
-- whatever order: a rebuild reconciles missing history late), under a per-card advisory lock.
CREATE TABLE stage_visits (
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id      uuid        NOT NULL,
    event_id     bigint      NOT NULL,
    stage_id     uuid        NOT NULL,
    entered_at   timestamptz NOT NULL,
    left_at      timestamptz,
    later_stages uuid[]      NOT NULL DEFAULT '{}',
    prior_visit_at timestamptz,
    next_visit_at  timestamptz,
    PRIMARY KEY (board_id, card_id, event_id)
);
CREATE INDEX stage_visits_entered ON stage_visits (board_id, entered_at);

CREATE FUNCTION stage_visits_of_card(board uuid, card uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM stage_visits WHERE board_id = board AND card_id = card;
    INSERT INTO stage_visits (board_id, card_id, event_id, stage_id, entered_at, left_at, later_stages,
                              prior_visit_at, next_visit_at)
    SELECT board_id, card_id, id, to_stage, at, lead(at) OVER w,
           coalesce(array_agg(to_stage) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '{}'),
           lag(at) OVER same, lead(at) OVER same
    FROM card_events
    WHERE board_id = board AND card_id = card AND kind IN ('created', 'moved') AND to_stage IS NOT NULL
    WINDOW w AS (ORDER BY at, id), same AS (PARTITION BY to_stage ORDER BY at, id);
$$;

CREATE FUNCTION card_events_to_stage_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.board_id::text || NEW.card_id::text, 19));
    PERFORM stage_visits_of_card(NEW.board_id, NEW.card_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER card_events_stage_visits AFTER INSERT ON card_events
    FOR EACH ROW WHEN (NEW.kind IN ('created', 'moved')) EXECUTE FUNCTION card_events_to_stage_visits();

-- The history so far.
INSERT INTO stage_visits (board_id, card_id, event_id, stage_id, entered_at, left_at, later_stages,
                          prior_visit_at, next_visit_at)
SELECT board_id, card_id, id, to_stage, at, lead(at) OVER w,
       coalesce(array_agg(to_stage) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '{}'),
       lag(at) OVER same, lead(at) OVER same
FROM card_events WHERE kind IN ('created', 'moved') AND to_stage IS NOT NULL
WINDOW w AS (PARTITION BY board_id, card_id ORDER BY at, id),
       same AS (PARTITION BY board_id, card_id, to_stage ORDER BY at, id);

-- The funnel reads stage_visits now; stage changes by period need no index of their own.
DROP INDEX card_events_stage_at;
