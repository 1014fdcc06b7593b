-- Connected mailboxes and the e-mail filed onto the timeline (issue 17 items 2-4).
--
-- A mailbox belongs to one member in one workspace. Its secret (today an IMAP/SMTP app password,
-- later an OAuth refresh token: auth_kind says which) is a Fernet token (server/sealing.py, keyed by
-- TANDEM_SECRET_KEY), never clear text. The sync cursor is UIDVALIDITY + the highest UID imported
-- (+ HIGHESTMODSEQ when the server offers CONDSTORE): a changed UIDVALIDITY restarts from UID 1, and
-- the dedupe by Message-ID keeps that from filing anything twice.
CREATE TABLE mailboxes (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id    uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    owner_id        uuid        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address         text        NOT NULL,            -- the mailbox's own address: mail from it is "out"
    auth_kind       text        NOT NULL DEFAULT 'password' CHECK (auth_kind IN ('password', 'oauth')),
    imap_host       text        NOT NULL,
    imap_port       integer     NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
    imap_tls        text        NOT NULL CHECK (imap_tls IN ('tls', 'starttls', 'none')),
    smtp_host       text        NOT NULL,
    smtp_port       integer     NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_tls        text        NOT NULL CHECK (smtp_tls IN ('tls', 'starttls', 'none')),
    username        text        NOT NULL,
    secret          bytea       NOT NULL,            -- sealed password (or OAuth token)
    visibility      text        NOT NULL DEFAULT 'metadata'
                                CHECK (visibility IN ('metadata', 'subject', 'everything')),
    folder          text        NOT NULL DEFAULT 'INBOX',
    uidvalidity     bigint,                          -- null: never synced (or re-sync asked)
    last_uid        bigint      NOT NULL DEFAULT 0,  -- the highest UID imported under uidvalidity
    highestmodseq   bigint,                          -- CONDSTORE, when the server offers it
    sync_from       date,                            -- import nothing older (a "re-sync from date")
    status          text        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ok', 'failing')),
    last_attempt_at timestamptz,
    last_success_at timestamptz,
    last_error      text,                            -- in words, for the owner
    imported        bigint      NOT NULL DEFAULT 0,  -- messages filed by this mailbox, ever
    sync_holder     uuid,                            -- the per-mailbox lock: the sync that holds it,
    sync_lease_until timestamptz,                    -- until when (renewed per batch; a killed one lapses)
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),  -- two made in one transaction keep their order
    UNIQUE (workspace_id, owner_id, address)
);
CREATE INDEX mailboxes_owner ON mailboxes (owner_id);

-- One row per message per workspace: the Message-ID is the dedupe key (a re-sync, a second member's
-- copy of the same mail, the sent copy coming back through IMAP: all one row). thread_id is the
-- root's Message-ID (References' first, else the parent's thread, else its own).
CREATE TABLE email_messages (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    mailbox_id   uuid        REFERENCES mailboxes(id) ON DELETE SET NULL,
    owner_id     uuid        REFERENCES users(id) ON DELETE SET NULL,  -- whose mailbox: may always read it
    message_id   text        NOT NULL,
    thread_id    text        NOT NULL,
    in_reply_to  text,
    refs         text[]      NOT NULL DEFAULT '{}',  -- References, oldest first
    from_address text        NOT NULL,
    from_name    text        NOT NULL DEFAULT '',
    to_addresses text[]      NOT NULL DEFAULT '{}',
    cc_addresses text[]      NOT NULL DEFAULT '{}',
    subject      text        NOT NULL DEFAULT '',
    sent_at      timestamptz NOT NULL,               -- the Date header (else the server's arrival time)
    snippet      text        NOT NULL DEFAULT '',
    body_text    text        NOT NULL DEFAULT '',
    body_html    text        NOT NULL DEFAULT '',    -- sanitised
    direction    text        NOT NULL CHECK (direction IN ('in', 'out')),
    visibility   text        NOT NULL CHECK (visibility IN ('metadata', 'subject', 'everything')),
    imap_uid     bigint,                             -- where the sync found it (null: sent from Tandem)
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, message_id)
);
CREATE INDEX email_messages_thread ON email_messages (workspace_id, thread_id);
CREATE INDEX email_messages_mailbox ON email_messages (mailbox_id);

-- What a message is filed under: a contact (by address), its organisation, its open deals.
CREATE TABLE email_links (
    email_id        uuid NOT NULL REFERENCES email_messages(id) ON DELETE CASCADE,
    contact_id      uuid REFERENCES contacts(id) ON DELETE CASCADE,
    organisation_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
    board_id        uuid REFERENCES boards(id) ON DELETE CASCADE,
    card_id         uuid,
    CHECK (num_nonnulls(contact_id, organisation_id, card_id) = 1),
    CHECK ((board_id IS NULL) = (card_id IS NULL))
);
CREATE UNIQUE INDEX email_links_once ON email_links
    (email_id, coalesce(contact_id, organisation_id, card_id));
CREATE INDEX email_links_contact ON email_links (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX email_links_organisation ON email_links (organisation_id) WHERE organisation_id IS NOT NULL;
CREATE INDEX email_links_deal ON email_links (board_id, card_id) WHERE card_id IS NOT NULL;
