-- Stage visits carry their deal's status and owner (issue 19), so the funnel reads one covering
-- index range and joins nothing per visit (bench/insights.py: joining deals per visit was most of
-- a quarter's funnel at 100,000 deals). Triggers on deals keep them: a new deal row recomputes its
-- card's visits (the stage-change events may have come first), a change of status or owner is
-- copied to them, a deleted deal takes its visits along (a restored one recomputes them).
ALTER TABLE stage_visits ADD COLUMN status text, ADD COLUMN owner_id uuid;

CREATE OR REPLACE FUNCTION stage_visits_of_card(board uuid, card uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM stage_visits WHERE board_id = board AND card_id = card;
    INSERT INTO stage_visits (board_id, card_id, event_id, stage_id, entered_at, left_at, later_stages,
                              prior_visit_at, next_visit_at, status, owner_id)
    SELECT e.board_id, e.card_id, e.id, e.to_stage, e.at, lead(e.at) OVER w,
           coalesce(array_agg(e.to_stage) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '{}'),
           lag(e.at) OVER same, lead(e.at) OVER same, d.status, d.owner_id
    FROM card_events e LEFT JOIN deals d ON d.board_id = e.board_id AND d.card_id = e.card_id
    WHERE e.board_id = board AND e.card_id = card AND e.kind IN ('created', 'moved') AND e.to_stage IS NOT NULL
    WINDOW w AS (ORDER BY e.at, e.id), same AS (PARTITION BY e.to_stage ORDER BY e.at, e.id);
$$;

CREATE FUNCTION deals_to_stage_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM stage_visits WHERE board_id = OLD.board_id AND card_id = OLD.card_id;
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.board_id::text || NEW.card_id::text, 19));
    IF TG_OP = 'INSERT' THEN
        PERFORM stage_visits_of_card(NEW.board_id, NEW.card_id);
    ELSE
        UPDATE stage_visits SET status = NEW.status, owner_id = NEW.owner_id
        WHERE board_id = NEW.board_id AND card_id = NEW.card_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER deals_stage_visits_added AFTER INSERT ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_to_stage_visits();
CREATE TRIGGER deals_stage_visits_changed AFTER UPDATE ON deals
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION deals_to_stage_visits();
CREATE TRIGGER deals_stage_visits_removed AFTER DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_to_stage_visits();

-- The visits so far.
UPDATE stage_visits v SET status = d.status, owner_id = d.owner_id
FROM deals d WHERE d.board_id = v.board_id AND d.card_id = v.card_id;

-- Everything the funnel reads of a visit, in the index it finds them by.
DROP INDEX stage_visits_entered;
CREATE INDEX stage_visits_entered ON stage_visits (board_id, entered_at)
    INCLUDE (stage_id, left_at, prior_visit_at, next_visit_at, status, owner_id, later_stages);
