-- A workspace's time zone (Settings › Workspace; docs/forecast.md): an IANA name, checked by the
-- server with zoneinfo. NULL: the server's default (TANDEM_FORECAST_WEEK_ZONE). The weekly
-- forecast snapshot counts a workspace's weeks from Monday 00:00 in this zone.
ALTER TABLE workspaces ADD COLUMN time_zone text;
