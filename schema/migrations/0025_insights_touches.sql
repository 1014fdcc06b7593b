-- Touches to close (issue 19): the activities done on a deal, counted per won deal by the reps
-- figure, from the index alone (bench/insights.py: the per-deal lookups through activities_card,
-- which also holds the open ones, were a third of a year's reps).
CREATE INDEX activities_done_card ON activities (board_id, card_id) INCLUDE (type)
    WHERE done AND card_id IS NOT NULL;
