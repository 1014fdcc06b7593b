-- A mailbox's folders besides INBOX that the sync reads (issue 17, brief J): today its Sent folder,
-- so mail a member sends from their own client is filed as outgoing. One row per mailbox and role,
-- with the folder's name as found (SPECIAL-USE \Sent, else a common name) and its own cursor:
-- UIDVALIDITY + the highest UID read. No row: the folder was not found yet, or a re-sync asked to
-- read it again from the start. Goes with the mailbox.
CREATE TABLE mailbox_folders (
    mailbox_id  uuid   NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    role        text   NOT NULL CHECK (role IN ('sent')),
    name        text   NOT NULL,
    uidvalidity bigint NOT NULL,
    last_uid    bigint NOT NULL DEFAULT 0,
    imported    bigint NOT NULL DEFAULT 0,  -- messages filed from this folder, ever
    PRIMARY KEY (mailbox_id, role)
);
