-- "What changed since a weekly snapshot" (docs/forecast.md) first compares key, owner and money
-- alone, on both sides, and reads whole rows only for the keys that differ: both ranges become
-- index-only scans of these covering indexes, which replace the two plain ones.
CREATE INDEX forecast_snapshots_cover ON forecast_snapshots (workspace_id, week, expected_close)
    INCLUDE (board_id, card_id, owner_id, value, currency);
DROP INDEX forecast_snapshots_close;
CREATE INDEX deals_open_cover ON deals (board_id, expected_close) INCLUDE (card_id, owner_id, value, currency)
    WHERE status = 'open';
DROP INDEX deals_open_close;
