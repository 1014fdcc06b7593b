-- The enabled rules of a board (issue 16): every live projection of a board with card events asks
-- for them in its transaction (server/services/automation_events.py enqueues a job only for an
-- event a rule could fire for), and every automation job asks again. An index on the trigger's
-- board, only over enabled rules, keeps that one indexed lookup however many rules there are.
CREATE INDEX automation_rules_enabled_board ON automation_rules ((trigger ->> 'board')) WHERE enabled;
