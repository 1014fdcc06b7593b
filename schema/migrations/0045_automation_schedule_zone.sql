-- Schedule triggers carry the time zone their cron is read in (docs/automations.md). Rules made
-- before read it in UTC, and keep doing so: they are given "UTC" explicitly.
UPDATE automation_rules
SET trigger = trigger || '{"time_zone": "UTC"}'::jsonb
WHERE trigger->>'type' = 'schedule' AND NOT trigger ? 'time_zone';
