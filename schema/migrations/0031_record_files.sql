-- Files on records (docs/files.md): one row per uploaded file on a deal (board_id + record_id =
-- the card), a contact or an organisation. The bytes live in the file store (the data folder or
-- an S3 bucket) under workspaces/<workspace>/files/<id>; the row says what they are. The name is
-- sanitised and the type sniffed from the bytes when uploaded, never taken from the browser.
CREATE TABLE record_files (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    record_kind  text        NOT NULL CHECK (record_kind IN ('deal', 'contact', 'organisation')),
    record_id    uuid        NOT NULL,
    board_id     uuid        CHECK ((record_kind = 'deal') = (board_id IS NOT NULL)),
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by  uuid        REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_files_on_record ON record_files (workspace_id, record_kind, record_id, created_at DESC);
