-- Customer-service requests (docs/service.md): a customer writes in, a member owns the request until
-- it is solved, and it shows on the customer's history.
--
-- due_at is created_at plus the workspace's response target for the priority (service_settings);
-- first_response_at is the first reply to the customer (or the first move to waiting / solved);
-- solved_at is set on solving and cleared on reopening. A deal is a card of a board document, so
-- deal_id has no foreign key (board_id says which board to open it on).
CREATE TABLE service_requests (
    id                uuid        PRIMARY KEY,
    workspace_id      uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    subject           text        NOT NULL,
    contact_id        uuid        REFERENCES contacts ON DELETE SET NULL,
    organisation_id   uuid        REFERENCES organisations ON DELETE SET NULL,
    channel           text        NOT NULL CHECK (channel IN ('email', 'phone', 'web', 'manual')),
    status            text        NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'open', 'waiting', 'solved', 'closed')),
    priority          text        NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id       uuid        REFERENCES users ON DELETE SET NULL,
    board_id          uuid        REFERENCES boards ON DELETE SET NULL,
    deal_id           uuid,
    mailbox_id        uuid        REFERENCES mailboxes ON DELETE SET NULL,
    created_at        timestamptz NOT NULL,
    due_at            timestamptz NOT NULL,
    first_response_at timestamptz,
    solved_at         timestamptz,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX service_requests_queue ON service_requests (workspace_id, status, due_at);
CREATE INDEX service_requests_contact ON service_requests (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX service_requests_organisation ON service_requests (organisation_id) WHERE organisation_id IS NOT NULL;

-- A request's conversation in order: the customer's mail (inbound), replies to the customer and
-- internal notes. message_id (mail only) threads later mail onto the request and keeps a message
-- synced twice from being added twice.
CREATE TABLE service_request_messages (
    id           uuid        PRIMARY KEY,
    request_id   uuid        NOT NULL REFERENCES service_requests ON DELETE CASCADE,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('inbound', 'reply', 'note')),
    author_id    uuid        REFERENCES users ON DELETE SET NULL,
    sender       text        NOT NULL DEFAULT '',
    body         text        NOT NULL,
    message_id   text,
    created_at   timestamptz NOT NULL
);
CREATE INDEX service_request_messages_request ON service_request_messages (request_id, created_at);
CREATE UNIQUE INDEX service_request_messages_mail ON service_request_messages (workspace_id, message_id)
    WHERE message_id IS NOT NULL;

-- A workspace's response targets in hours per priority, and the mailboxes whose new mail becomes requests.
CREATE TABLE service_settings (
    workspace_id      uuid    PRIMARY KEY REFERENCES workspaces ON DELETE CASCADE,
    targets           jsonb   NOT NULL,
    support_mailboxes uuid[]  NOT NULL DEFAULT '{}'
);
