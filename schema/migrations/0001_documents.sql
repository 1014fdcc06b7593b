-- Yjs documents: an append-only update log and one merged snapshot per document.
-- The table names carry their version (as y-redis does) so a future format can live beside this one.

CREATE TABLE document_updates_v1 (
    id         bigserial   PRIMARY KEY,
    document   text        NOT NULL,
    update     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_updates_v1_document_id ON document_updates_v1 (document, id);

CREATE TABLE document_snapshots_v1 (
    document   text        PRIMARY KEY,
    state      bytea       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
