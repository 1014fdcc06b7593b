-- The wait action (issue 16 item 2): a run stopped at a wait is 'waiting' until the continuation
-- job (queued with the wait's delay) resumes it at the next action.
ALTER TABLE automation_runs DROP CONSTRAINT automation_runs_status_check;
ALTER TABLE automation_runs ADD CONSTRAINT automation_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'waiting'));
