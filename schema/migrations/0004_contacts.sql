-- Contacts, organisations, custom fields, saved segments, and the workspace document (issue 4).
--
-- Search needs no extension (the embedded Postgres has no pg_trgm): `search` is a tsvector of
-- lexemes computed by server/domain/contacts.py — every word and each suffix of it of three
-- characters or more — so a prefix query ('frag':*) on a plain GIN index finds any fragment.
-- Deletion is soft (`deleted_at`): deals, activities and notes in Yjs documents keep pointing at
-- the id, and a merged contact keeps `merged_into`, so their references still resolve.

-- A workspace's own document (`workspace:<id>`, kind 'workspace') hangs off no board.
ALTER TABLE documents ALTER COLUMN board_id DROP NOT NULL;
INSERT INTO documents (name, workspace_id, board_id, kind)
SELECT 'workspace:' || id, id, NULL, 'workspace' FROM workspaces
ON CONFLICT (name) DO NOTHING;

CREATE TABLE custom_fields (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    entity       text        NOT NULL CHECK (entity IN ('contact', 'organisation', 'deal')),
    key          text        NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label        text        NOT NULL,
    type         text        NOT NULL CHECK (type IN ('text', 'number', 'date', 'select', 'bool')),
    options      text[]      NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, entity, key)
);

CREATE TABLE organisations (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL,
    website      text        NOT NULL DEFAULT '',
    emails       text[]      NOT NULL DEFAULT '{}',   -- lower-cased; the first is the primary
    phones       text[]      NOT NULL DEFAULT '{}',   -- as written
    phone_digits text[]      NOT NULL DEFAULT '{}',   -- the same numbers, digits only
    owner_id     uuid        REFERENCES users ON DELETE SET NULL,
    labels       text[]      NOT NULL DEFAULT '{}',
    address      jsonb       NOT NULL DEFAULT '{}',
    fields       jsonb       NOT NULL DEFAULT '{}',   -- custom field values by key
    sort_name    text        NOT NULL,
    search       tsvector    NOT NULL,
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
CREATE INDEX organisations_list ON organisations (workspace_id, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX organisations_search ON organisations USING gin (search) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id    uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    first_name      text        NOT NULL DEFAULT '',
    last_name       text        NOT NULL DEFAULT '',
    emails          text[]      NOT NULL DEFAULT '{}',
    phones          text[]      NOT NULL DEFAULT '{}',
    phone_digits    text[]      NOT NULL DEFAULT '{}',
    organisation_id uuid        REFERENCES organisations ON DELETE SET NULL,
    job_title       text        NOT NULL DEFAULT '',
    owner_id        uuid        REFERENCES users ON DELETE SET NULL,
    labels          text[]      NOT NULL DEFAULT '{}',
    address         jsonb       NOT NULL DEFAULT '{}',
    fields          jsonb       NOT NULL DEFAULT '{}',
    sort_name       text        NOT NULL,             -- "last first", folded: list order
    search          tsvector    NOT NULL,             -- names, e-mails, phones, job, company
    created_by      uuid        REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    merged_into     uuid        REFERENCES contacts    -- set with deleted_at by a merge
);
CREATE INDEX contacts_list ON contacts (workspace_id, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created ON contacts (workspace_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX contacts_owner ON contacts (workspace_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_organisation ON contacts (organisation_id);
CREATE INDEX contacts_merged_into ON contacts (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX contacts_search ON contacts USING gin (search) WHERE deleted_at IS NULL;
CREATE INDEX contacts_emails ON contacts USING gin (emails) WHERE deleted_at IS NULL;
CREATE INDEX contacts_phones ON contacts USING gin (phone_digits) WHERE deleted_at IS NULL;
CREATE INDEX contacts_labels ON contacts USING gin (labels) WHERE deleted_at IS NULL;
CREATE INDEX contacts_fields ON contacts USING gin (fields jsonb_path_ops) WHERE deleted_at IS NULL;

-- Named filter sets (the same filter a list request takes), shared by the workspace.
CREATE TABLE segments (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    entity       text        NOT NULL CHECK (entity IN ('contact', 'organisation')),
    name         text        NOT NULL,
    filter       jsonb       NOT NULL,
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, entity, name)
);
