-- A mailbox's own cap on sequence mails per hour (issue 17 item 6), set by its owner in Settings ›
-- Sequences; without a row the server's TANDEM_SEQUENCE_SENDS_PER_HOUR applies.
CREATE TABLE sequence_mailbox_caps (
    mailbox_id uuid    PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    per_hour   integer NOT NULL CHECK (per_hour BETWEEN 1 AND 1000)
);
