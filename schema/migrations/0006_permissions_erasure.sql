-- Permissions an admin sets, and erasure of a contact's personal data (issue 13).
--
-- A workspace without a row has the defaults (server/domain/permissions.py): members delete only
-- the records they own; only admins and owners export.
CREATE TABLE workspace_permissions (
    workspace_id uuid        PRIMARY KEY REFERENCES workspaces ON DELETE CASCADE,
    delete_level text        NOT NULL CHECK (delete_level IN ('admins', 'members_own', 'members')),
    export_level text        NOT NULL CHECK (export_level IN ('admins', 'members')),
    updated_by   uuid        REFERENCES users ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- An erased contact keeps its row as a tombstone (deals and activities may still name the id),
-- every personal field blank, deleted_at and erased_at set.
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;
