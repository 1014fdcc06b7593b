-- Accounts, workspaces, boards, sharing and the audit log (issue 3).
--
-- Secrets are never stored: session, invitation and reset tokens are kept as SHA-256 hashes
-- (`token_hash`), passwords as argon2id hashes. Every Yjs document belongs to a workspace
-- through `documents`; access to a document is decided from the caller's workspace role and
-- the shares of the board the document hangs off (server/domain/access.py).

CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text        NOT NULL,   -- stored lower-cased (server/domain/accounts.py)
    name          text        NOT NULL,
    password_hash text        NOT NULL,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Failed sign-ins, counted per e-mail and per client address over a sliding window.
CREATE TABLE sign_in_failures (
    id      bigserial   PRIMARY KEY,
    email   text        NOT NULL,
    address text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);

CREATE TABLE workspaces (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    user_id      uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    role         text        NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   bytea       NOT NULL UNIQUE,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    email        text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid        REFERENCES users ON DELETE SET NULL
);

CREATE TABLE boards (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('pipeline', 'project')),
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX boards_workspace ON boards (workspace_id);

-- Guests (and members who need more than their role gives) reach a board through a share.
CREATE TABLE board_shares (
    board_id   uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    access     text        NOT NULL CHECK (access IN ('read', 'edit')),
    shared_by  uuid        REFERENCES users ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_shares_user ON board_shares (user_id);

-- Every document opened at /sync/{name}: which workspace and board it belongs to. `kind` is
-- 'board' for a board's own document; later kinds (notes) hang off a board and inherit its access.
CREATE TABLE documents (
    name         text        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    kind         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_board ON documents (board_id);

CREATE TABLE audit_events (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    workspace_id uuid        REFERENCES workspaces ON DELETE CASCADE,
    actor_id     uuid        REFERENCES users ON DELETE SET NULL,
    subject_id   uuid        REFERENCES users ON DELETE SET NULL,
    event        text        NOT NULL,
    address      text,
    details      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_workspace ON audit_events (workspace_id, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, id);
