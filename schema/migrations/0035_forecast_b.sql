-- What changed since a weekly snapshot reads the week's rows expected to close in a period
-- (docs/forecast.md): an index range, not the whole week's snapshot.
CREATE INDEX forecast_snapshots_close ON forecast_snapshots (workspace_id, week, expected_close);
