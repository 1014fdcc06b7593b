-- Leads from e-mail and forms in a language (docs/leads.md, "By e-mail").
--
-- lead_addresses: each workspace's secret leads+<token>@TANDEM_BCC_DOMAIN address, beside its BCC
-- address (workspace_bcc) and kept the same way: the token sealed, found by its SHA-256.
CREATE TABLE lead_addresses (
    workspace_id uuid        PRIMARY KEY REFERENCES workspaces ON DELETE CASCADE,
    token_hash   bytea       NOT NULL UNIQUE,
    sealed       bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- lead_mail: the Message-IDs of the mail a lead was made from or that answered its thread. A
-- message filed twice is found here (the dedupe), and a reply naming one of them in In-Reply-To /
-- References joins that lead instead of making a new one.
CREATE TABLE lead_mail (
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    message_id   text        NOT NULL,
    lead_id      uuid        NOT NULL REFERENCES leads ON DELETE CASCADE,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, message_id)
);
CREATE INDEX lead_mail_lead ON lead_mail (lead_id);

-- A web form's language: its snippet's labels and button are written in it.
ALTER TABLE lead_forms ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'de'));
