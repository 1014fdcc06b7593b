-- Expertise (docs/expertise.md): a workspace's list of expertise tags (languages, industries,
-- products, regions) that admins manage in Settings › Expertise, and each member's tags, which
-- the assignee picker and automations match against a deal's needs.
CREATE TABLE expertise_tags (
    id           uuid        PRIMARY KEY,
    workspace_id uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX expertise_tags_name ON expertise_tags (workspace_id, lower(name));

CREATE TABLE member_expertise (
    workspace_id uuid NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    tag_id       uuid NOT NULL REFERENCES expertise_tags ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, user_id, tag_id)
);
CREATE INDEX member_expertise_tag ON member_expertise (tag_id);
