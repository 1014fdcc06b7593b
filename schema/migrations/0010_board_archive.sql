-- Archived boards (issue 14): hidden from the boards list, kept with everything on them, restorable.
ALTER TABLE boards ADD COLUMN archived_at timestamptz;
