-- Guests invited by link (issue 14, item 5).
--
-- An admin shares a board with an e-mail address that has no account yet: the address gets a
-- one-time link (the token is kept as its SHA-256 hash, like every token) that signs its holder
-- up with that address and shares the board with them. An invitation expires, is used once, and
-- is deleted when the admin stops sharing before it was accepted. A new invitation for the same
-- board and address replaces the open one (one open invitation per board and address).
CREATE TABLE guest_invitations (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea       NOT NULL UNIQUE,
    board_id    uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    email       text        NOT NULL,   -- lower-cased, as users.email
    access      text        NOT NULL CHECK (access IN ('read', 'edit')),
    invited_by  uuid        REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid        REFERENCES users ON DELETE SET NULL
);
CREATE UNIQUE INDEX guest_invitations_open ON guest_invitations (board_id, email) WHERE accepted_at IS NULL;
