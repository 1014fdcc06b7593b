-- E-mail in automations and the workspace BCC address (issue 17 items 3 and 5; docs/email-automations.md).
--
-- workspace_bcc: each workspace's secret BCC address, bcc+<token>@TANDEM_BCC_DOMAIN. The token is looked
-- up by its SHA-256 (token_hash) and kept sealed with TANDEM_SECRET_KEY (sealed) so Settings can show it;
-- regenerating replaces both, and the old address stops filing at once.
CREATE TABLE workspace_bcc (
    workspace_id uuid        PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    token_hash   bytea       NOT NULL UNIQUE,
    sealed       bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- automation_emails: the mail a rule's send_template action sent (one per run and action): its opens,
-- clicks and replies do not trigger that rule again, and a rerun of the action finds it instead of
-- sending a second mail.
CREATE TABLE automation_emails (
    email_id     uuid    PRIMARY KEY REFERENCES email_messages(id) ON DELETE CASCADE,
    rule_id      uuid    NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    run_id       uuid    NOT NULL REFERENCES automation_runs(id) ON DELETE CASCADE,
    action_index integer NOT NULL,
    depth        integer NOT NULL,
    UNIQUE (run_id, action_index)
);
