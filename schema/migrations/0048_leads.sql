-- Leads and the web forms that capture them (docs/leads.md).
--
-- A lead lives apart from contacts and deals until someone converts it: then contact_id,
-- organisation_id, board_id and deal_id say what it became (a deal is a card of a board document,
-- so deal_id has no foreign key; leads_deal finds the lead a deal came from). restore_to keeps the
-- status an archived lead had. Contacts labelled 'lead' by earlier imports stay contacts (docs/leads.md).
CREATE TABLE leads (
    id                uuid        PRIMARY KEY,
    workspace_id      uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    title             text        NOT NULL,
    person_name       text        NOT NULL DEFAULT '',
    email             text        NOT NULL DEFAULT '',
    phone             text        NOT NULL DEFAULT '',
    organisation_name text        NOT NULL DEFAULT '',
    value             double precision,
    currency          text,
    source            text        NOT NULL CHECK (source IN ('web_form', 'manual', 'import', 'email')),
    owner_id          uuid        REFERENCES users ON DELETE SET NULL,
    labels            text[]      NOT NULL DEFAULT '{}',
    note              text        NOT NULL DEFAULT '',
    status            text        NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'qualified', 'converted', 'archived')),
    restore_to        text        CHECK (restore_to IN ('new', 'qualified')),
    form_id           uuid,
    contact_id        uuid        REFERENCES contacts ON DELETE SET NULL,
    organisation_id   uuid        REFERENCES organisations ON DELETE SET NULL,
    board_id          uuid        REFERENCES boards ON DELETE SET NULL,
    deal_id           uuid,
    converted_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_inbox ON leads (workspace_id, status, created_at DESC);
CREATE INDEX leads_deal ON leads (deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX leads_contact ON leads (contact_id) WHERE contact_id IS NOT NULL;

-- A workspace's web forms: which lead fields they ask for, who is told of a new lead, the https
-- thank-you page, and the key that signs the form's public id (POST /f/<signed id>).
CREATE TABLE lead_forms (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL,
    fields       text[]      NOT NULL,
    owner_id     uuid        REFERENCES users ON DELETE SET NULL,
    redirect_url text,
    key          bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_forms_workspace ON lead_forms (workspace_id, created_at);

-- An import of leads (kind 'leads') creates leads now, and its undo deletes exactly those.
ALTER TABLE import_changes DROP CONSTRAINT import_changes_record_kind_check;
ALTER TABLE import_changes ADD CONSTRAINT import_changes_record_kind_check
    CHECK (record_kind IN ('contact', 'organisation', 'deal', 'lead'));
