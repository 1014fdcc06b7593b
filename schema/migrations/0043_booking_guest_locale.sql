-- The language the booking page was shown in when the guest booked (docs/booking.md): every later
-- mail to the guest — confirmed, declined, moved — speaks it. NULL (bookings made before): English.
ALTER TABLE bookings ADD COLUMN guest_locale text CHECK (guest_locale IN ('en', 'de'));
