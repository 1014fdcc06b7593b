-- E-mail templates per workspace (issue 17 item 4): subject and HTML body with Jinja2 merge fields
-- ({{ contact.first_name }}), rendered in a sandbox (server/domain/email_templates.py). One name per
-- locale: "Welcome" in English and in German are two rows.
CREATE TABLE email_templates (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         text        NOT NULL,
    locale       text        NOT NULL CHECK (locale IN ('en', 'de')),
    subject      text        NOT NULL,
    body         text        NOT NULL,
    created_by   uuid        REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name, locale)
);
-- Whether a workspace's default templates were seeded (once: a deleted default stays deleted).
ALTER TABLE workspaces ADD COLUMN email_templates_seeded boolean NOT NULL DEFAULT false;
