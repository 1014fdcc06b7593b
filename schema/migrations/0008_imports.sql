-- Imports remembered (issue 14): each import's batch and what it did, so the last one can be
-- undone, and the column mapping a workspace chose for a header row, reused for the next file.
--
-- `import_changes` names every record an import created or updated (deals are cards in a board
-- document: their ids are the cards' keys), with the values an update replaced (`before`).

CREATE TABLE import_batches (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('contacts', 'organisations', 'deals', 'leads')),
    board_id     uuid        REFERENCES boards ON DELETE CASCADE,
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    created      integer     NOT NULL DEFAULT 0,
    updated      integer     NOT NULL DEFAULT 0,
    skipped      integer     NOT NULL DEFAULT 0,
    undone_at    timestamptz
);
CREATE INDEX import_batches_recent ON import_batches (workspace_id, created_at DESC);

CREATE TABLE import_changes (
    batch_id    uuid    NOT NULL REFERENCES import_batches ON DELETE CASCADE,
    position    integer NOT NULL,
    record_kind text    NOT NULL CHECK (record_kind IN ('contact', 'organisation', 'deal')),
    record_id   uuid    NOT NULL,
    action      text    NOT NULL CHECK (action IN ('created', 'updated')),
    before      jsonb,
    PRIMARY KEY (batch_id, position)
);
CREATE INDEX import_changes_record ON import_changes (record_id);

CREATE TABLE import_mappings (
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    kind         text        NOT NULL,
    header_key   text        NOT NULL,
    mapping      jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, kind, header_key)
);
