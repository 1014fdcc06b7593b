-- Leaving Tandem cleanly (docs/workspace-lifecycle.md): a whole-workspace export and deleting a workspace.

-- Set when an owner deletes the workspace: nobody opens it from then on, and the
-- workspace.delete job removes it in batches (resumable: it starts again from what is left).
ALTER TABLE workspaces ADD COLUMN deleting_since timestamptz;

-- One row per "Export all data": its status, and where its ZIP is in the file store until it expires.
CREATE TABLE workspace_exports (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    requested_by uuid        REFERENCES users ON DELETE SET NULL,
    status       text        NOT NULL DEFAULT 'queued'
                             CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
    size         bigint,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    ready_at     timestamptz,
    expires_at   timestamptz
);
CREATE INDEX workspace_exports_of_workspace ON workspace_exports (workspace_id, created_at DESC);
