-- Automation conditions (issue 16, item 2): a rule runs only if every condition holds for the deal
-- as it is when the settled event runs ([{"field", "op", "value"}], checked by
-- server/domain/automations.py; empty: always).
ALTER TABLE automation_rules ADD COLUMN conditions jsonb NOT NULL DEFAULT '[]';
