-- Boards as SQL (issue 4): the projection of board documents, and the notes registry.
--
-- The board documents (Yjs) are the truth; these tables are derived from them by
-- server/services/projection.py within about a second of an edit, and rebuilt by
-- `python -m server project rebuild`. Present-state tables (board_stages, deals, work_items,
-- activities) are a pure function of the stored documents. card_events is history: each change
-- is recorded once, with its time and author, by the node where it was made; a rebuild keeps it
-- and only adds what is missing (reconciled = true). Ids from documents carry no foreign keys:
-- a document may name a user who has since left, or a contact that was deleted.

CREATE TABLE board_stages (
    board_id    uuid             NOT NULL REFERENCES boards ON DELETE CASCADE,
    stage_id    uuid             NOT NULL,
    name        text             NOT NULL,
    rank        text             NOT NULL,
    position    integer          NOT NULL,            -- 0-based column order (rank, then id)
    probability double precision,                     -- win probability 0-100 (pipelines)
    rot_days    integer          NOT NULL DEFAULT 0,  -- 0 = never rots
    kind        text             NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    PRIMARY KEY (board_id, stage_id)
);

CREATE TABLE deals (
    board_id        uuid             NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id         uuid             NOT NULL,
    workspace_id    uuid             NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    title           text             NOT NULL,
    value           double precision,
    currency        text,
    owner_id        uuid,
    contact_id      uuid,
    organisation_id uuid,
    expected_close  date,
    status          text             NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason     text,
    labels          text[]           NOT NULL DEFAULT '{}',
    fields          jsonb            NOT NULL DEFAULT '{}',
    stage_id        uuid             NOT NULL,
    rank            text             NOT NULL,
    created_at      timestamptz,
    created_by      uuid,
    updated_at      timestamptz,
    moved_at        timestamptz,
    PRIMARY KEY (board_id, card_id)
);
CREATE INDEX deals_workspace_owner_stage ON deals (workspace_id, owner_id, stage_id);
CREATE INDEX deals_contact ON deals (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX deals_organisation ON deals (organisation_id) WHERE organisation_id IS NOT NULL;

CREATE TABLE work_items (
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id      uuid        NOT NULL,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    title        text        NOT NULL,
    description  text,
    assignee_id  uuid,
    due          date,
    status       text        NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
    stage_id     uuid        NOT NULL,
    rank         text        NOT NULL,
    created_at   timestamptz,
    created_by   uuid,
    updated_at   timestamptz,
    PRIMARY KEY (board_id, card_id)
);
CREATE INDEX work_items_assignee ON work_items (assignee_id, status) WHERE assignee_id IS NOT NULL;

-- Activities and tasks. `due` is a date or a date-time in the document: due_date is its day
-- (UTC), due_at the moment when it has one.
CREATE TABLE activities (
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    activity_id  uuid        NOT NULL,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    type         text        NOT NULL CHECK (type IN ('call', 'meeting', 'email', 'todo', 'deadline')),
    title        text        NOT NULL,
    assignee_id  uuid,
    due_date     date,
    due_at       timestamptz,
    done         boolean     NOT NULL,
    done_at      timestamptz,
    card_id      uuid,
    contact_id   uuid,
    note         text,
    created_at   timestamptz,
    created_by   uuid,
    PRIMARY KEY (board_id, activity_id)
);
CREATE INDEX activities_assignee_open ON activities (assignee_id, due_date) WHERE NOT done;
CREATE INDEX activities_card ON activities (board_id, card_id) WHERE card_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (contact_id) WHERE contact_id IS NOT NULL;

-- History of cards: created (with its first stage and value), moved, value, status.
CREATE TABLE card_events (
    id         bigserial        PRIMARY KEY,
    board_id   uuid             NOT NULL REFERENCES boards ON DELETE CASCADE,
    card_id    uuid             NOT NULL,
    kind       text             NOT NULL CHECK (kind IN ('created', 'moved', 'value', 'status')),
    at         timestamptz      NOT NULL,
    author_id  uuid,            -- NULL: unknown (a raw update, or a change a rebuild reconciled)
    from_stage uuid,
    to_stage   uuid,
    old_value  double precision,
    new_value  double precision,
    currency   text,
    old_status text,
    new_status text,
    reconciled boolean          NOT NULL DEFAULT false
);
CREATE INDEX card_events_card ON card_events (board_id, card_id, at);

CREATE VIEW stage_changes AS
SELECT board_id, card_id, at, author_id, from_stage, to_stage FROM card_events WHERE kind IN ('created', 'moved');
CREATE VIEW value_changes AS
SELECT board_id, card_id, at, author_id, old_value, new_value, currency FROM card_events
WHERE kind = 'value' OR (kind = 'created' AND new_value IS NOT NULL);

-- Notes: one document `note:<id>` each, registered with the board whose access it shares.
-- `title` follows the document's meta.title (projected).
CREATE TABLE notes (
    id           uuid        PRIMARY KEY,
    document     text        NOT NULL UNIQUE REFERENCES documents (name) ON DELETE CASCADE,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    board_id     uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    subject_kind text        NOT NULL CHECK (subject_kind IN ('deal', 'contact', 'organisation')),
    subject_id   uuid        NOT NULL,
    title        text        NOT NULL,
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_subject ON notes (subject_kind, subject_id);
CREATE INDEX notes_board ON notes (board_id);
