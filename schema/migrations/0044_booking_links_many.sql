-- Booking links, part three (docs/booking.md): several links per user — at most one personal link
-- (team_id NULL) and any number of team links, each with its own id, slug, title, lengths, members
-- and approval. Existing rows keep everything: a link that was a team link stays one, and each
-- booking learns which link it was made on (link_id; before, a user had one link, so link_user
-- names it exactly).
ALTER TABLE booking_links
    ADD COLUMN id    uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN title text NOT NULL DEFAULT '' CHECK (length(title) <= 120);
ALTER TABLE booking_links DROP CONSTRAINT booking_links_pkey;
ALTER TABLE booking_links ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX booking_links_personal ON booking_links (user_id) WHERE team_id IS NULL;
CREATE INDEX booking_links_user ON booking_links (user_id);
-- A team link goes with its team (before, it fell back to a personal link, which a user may now
-- have beside it); the bookings it made stay, with link_id NULL.
ALTER TABLE booking_links DROP CONSTRAINT booking_links_team_id_fkey;
ALTER TABLE booking_links ADD CONSTRAINT booking_links_team_id_fkey
    FOREIGN KEY (team_id) REFERENCES teams ON DELETE CASCADE;

ALTER TABLE bookings ADD COLUMN link_id uuid REFERENCES booking_links (id) ON DELETE SET NULL;
UPDATE bookings k SET link_id = l.id FROM booking_links l WHERE l.user_id = k.link_user;
CREATE INDEX bookings_link_id ON bookings (link_id, host_id);

-- A booking waiting for its host's approval rings the host's bell (its notification's id is the booking's).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('automation', 'reminder', 'assigned', 'mentioned', 'deal_changed', 'booking_request'));
