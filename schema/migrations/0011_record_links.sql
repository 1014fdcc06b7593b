-- Record links live in SQL, not in shared documents (issue 13, item 3: guests see no ids of
-- records outside what is shared). A deal's contact and organisation, and an activity's contact,
-- were keys of the board document, which every guest with a share syncs whole. They are rows
-- here now, written only through the API (members and above); the projection copies them into
-- deals.contact_id / organisation_id and activities.contact_id under the board's projection lock,
-- so every read keeps its joins. Links are seeded from what the projection holds (own-workspace
-- records only); `python -m server migrate` (and each server start) then moves whatever board
-- documents still name and compacts those documents (server/services/link_move.py).
CREATE TABLE record_links (
    board_id        uuid        NOT NULL REFERENCES boards ON DELETE CASCADE,
    entry_kind      text        NOT NULL CHECK (entry_kind IN ('card', 'activity')),
    entry_id        uuid        NOT NULL,
    workspace_id    uuid        NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    contact_id      uuid        REFERENCES contacts ON DELETE SET NULL,
    organisation_id uuid        REFERENCES organisations ON DELETE SET NULL,
    PRIMARY KEY (board_id, entry_kind, entry_id)
);
CREATE INDEX record_links_contact ON record_links (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX record_links_organisation ON record_links (organisation_id) WHERE organisation_id IS NOT NULL;

INSERT INTO record_links (board_id, entry_kind, entry_id, workspace_id, contact_id, organisation_id)
SELECT d.board_id, 'card', d.card_id, d.workspace_id, c.id, o.id
FROM deals d
LEFT JOIN contacts c ON c.id = d.contact_id AND c.workspace_id = d.workspace_id
LEFT JOIN organisations o ON o.id = d.organisation_id AND o.workspace_id = d.workspace_id
WHERE c.id IS NOT NULL OR o.id IS NOT NULL;

INSERT INTO record_links (board_id, entry_kind, entry_id, workspace_id, contact_id)
SELECT a.board_id, 'activity', a.activity_id, a.workspace_id, c.id
FROM activities a JOIN contacts c ON c.id = a.contact_id AND c.workspace_id = a.workspace_id;
