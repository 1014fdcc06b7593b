-- Deals won or lost in a period (issue 19: reps, lost reasons, won by month, the won/lost
-- drill-downs) take each deal's last status change in the period, ordered by (at, id): with `id`
-- in the index the read is index-only instead of fetching every status event's heap page
-- (bench/insights.py: a year's reps at 100,000 deals read ~15,000 pages of card_events for it).
CREATE INDEX card_events_status_at_id ON card_events (board_id, at) INCLUDE (card_id, new_status, id)
    WHERE kind = 'status';
DROP INDEX card_events_status_at;
