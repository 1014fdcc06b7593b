-- Booking links, part two (issue 18 item 6, docs/booking.md): round robin over a team, host
-- approval, and the guest's own cancel / reschedule link.
--
-- A link with team_id offers the union of the team members' free times; each booking goes to the
-- member free then with the fewest bookings from this link (link_user: whose link it was made on).
-- With approval a booking is 'requested' (it holds its time until the host confirms or declines; a
-- declined or cancelled booking is deleted). guest_key is the SHA-256 of the random secret in the
-- guest's manage link (the secret itself is never stored).
ALTER TABLE booking_links
    ADD COLUMN team_id  uuid    REFERENCES teams ON DELETE SET NULL,
    ADD COLUMN approval boolean NOT NULL DEFAULT false;

ALTER TABLE bookings
    ADD COLUMN link_user uuid  REFERENCES users ON DELETE CASCADE,
    ADD COLUMN status    text  NOT NULL DEFAULT 'confirmed' CHECK (status IN ('requested', 'confirmed')),
    ADD COLUMN guest_key bytea;
UPDATE bookings SET link_user = host_id WHERE link_user IS NULL;
CREATE INDEX bookings_link ON bookings (link_user, host_id);
CREATE INDEX bookings_requested ON bookings (host_id) WHERE status = 'requested';
