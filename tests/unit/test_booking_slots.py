"""Free slots of a booking link (server/domain/booking.py): working hours in the host's zone,
buffers around what is busy, minimum notice, the booking window, and DST changes in Berlin and
New York. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from server.domain.booking import Booking, InvalidBooking, as_member, check_settings, invitation, is_free, slots
from server.domain.sending import Envelope, mime

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WEEKDAYS = [[["09:00", "12:00"]]] * 5 + [[], []]


def link(zone: str = "Europe/Berlin", hours=WEEKDAYS, **changes):
    raw = {"slug": "anna", "time_zone": zone, "durations": [30, 60], "min_notice": 0, "window_days": 365,
           "hours": hours, **changes}
    return check_settings(uuid4(), uuid4(), uuid4(), raw)


def local(starts: list[datetime], tz: ZoneInfo) -> list[str]:
    return [s.astimezone(tz).strftime("%a %H:%M") for s in starts]


def day(y: int, m: int, d: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first = datetime(y, m, d, tzinfo=tz)
    return first, first + timedelta(days=1)


NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_slots_fill_the_working_hours_one_duration_apart():
    first, last = day(2026, 3, 2, BERLIN)  # a Monday
    assert local(slots(link(), [], first, last, 60, NOW), BERLIN) == ["Mon 09:00", "Mon 10:00", "Mon 11:00"]
    assert len(slots(link(), [], first, last, 30, NOW)) == 6


def test_a_weekend_without_hours_has_no_slots():
    first, _ = day(2026, 3, 7, BERLIN)  # Saturday
    assert slots(link(), [], first, first + timedelta(days=2), 30, NOW) == []


def test_busy_time_blocks_overlapping_slots_with_the_buffers_around_them():
    first, last = day(2026, 3, 2, BERLIN)
    meeting = (datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN), datetime(2026, 3, 2, 10, 30, tzinfo=BERLIN))
    assert local(slots(link(), [meeting], first, last, 30, NOW), BERLIN) == [
        "Mon 09:00", "Mon 09:30", "Mon 10:30", "Mon 11:00", "Mon 11:30"]
    buffered = link(buffer_before=15, buffer_after=30)
    assert local(slots(buffered, [meeting], first, last, 30, NOW), BERLIN) == ["Mon 09:00", "Mon 11:00", "Mon 11:30"]


def test_minimum_notice_and_the_booking_window_bound_the_slots():
    first, last = day(2026, 3, 2, BERLIN)
    now = datetime(2026, 3, 2, 8, 0, tzinfo=BERLIN)
    assert local(slots(link(min_notice=120), [], first, last, 60, now), BERLIN) == ["Mon 10:00", "Mon 11:00"]
    week = slots(link(window_days=2), [], first, first + timedelta(days=7), 60, now)
    assert {s.astimezone(BERLIN).date().day for s in week} == {2, 3}, "two days ahead of now, no more"


def test_hours_stay_on_the_wall_clock_across_the_spring_change_in_berlin():
    friday, _ = day(2026, 3, 27, BERLIN)
    monday, _ = day(2026, 3, 30, BERLIN)  # summer time began on Sunday the 29th
    before = slots(link(), [], friday, friday + timedelta(days=1), 60, NOW)
    after = slots(link(), [], monday, monday + timedelta(days=1), 60, NOW)
    assert local(before, BERLIN) == ["Fri 09:00", "Fri 10:00", "Fri 11:00"]
    assert local(after, BERLIN) == ["Mon 09:00", "Mon 10:00", "Mon 11:00"]
    assert [s.hour for s in before] == [8, 9, 10], "09:00 CET is 08:00 UTC"
    assert [s.hour for s in after] == [7, 8, 9], "09:00 CEST is 07:00 UTC"


def test_a_wall_clock_hour_skipped_in_spring_is_no_slot_and_one_repeated_in_autumn_is_offered_once():
    night = [[["01:00", "04:00"]]] * 7
    spring, _ = day(2026, 3, 8, NEW_YORK)  # 02:00-03:00 does not exist
    offered = slots(link("America/New_York", night), [], spring, spring + timedelta(days=1), 60, NOW)
    assert local(offered, NEW_YORK) == ["Sun 01:00", "Sun 03:00"]
    autumn, _ = day(2026, 11, 1, NEW_YORK)  # 01:00-02:00 happens twice
    offered = slots(link("America/New_York", night), [], autumn, autumn + timedelta(days=1), 60, NOW)
    assert local(offered, NEW_YORK) == ["Sun 01:00", "Sun 02:00", "Sun 03:00"]
    assert offered[1] - offered[0] == timedelta(hours=2), "01:00 EDT, then 02:00 EST two hours later"


def test_new_york_hours_across_its_own_change_and_seen_from_berlin():
    friday, _ = day(2026, 3, 6, NEW_YORK)
    monday, _ = day(2026, 3, 9, NEW_YORK)  # New York moved on the 8th, Berlin not until the 29th
    ny = link("America/New_York")
    before = slots(ny, [], friday, friday + timedelta(days=1), 60, NOW)
    after = slots(ny, [], monday, monday + timedelta(days=1), 60, NOW)
    assert local(before, NEW_YORK) == ["Fri 09:00", "Fri 10:00", "Fri 11:00"]
    assert local(after, NEW_YORK) == ["Mon 09:00", "Mon 10:00", "Mon 11:00"]
    assert local(before, BERLIN)[0] == "Fri 15:00" and local(after, BERLIN)[0] == "Mon 14:00"


def test_is_free_is_exactly_the_offered_slots():
    settings = link()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN).astimezone(timezone.utc)
    assert is_free(settings, [], start, 60, NOW)
    assert not is_free(settings, [], start + timedelta(minutes=15), 60, NOW), "not on the grid"
    assert not is_free(settings, [(start, start + timedelta(minutes=5))], start, 60, NOW)
    assert not is_free(settings, [], start, 60, start + timedelta(minutes=1)), "already begun"


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "A b"}, "slug"), ({"slug": "ab"}, "slug"), ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"durations": []}, "durations"), ({"durations": [2]}, "durations"), ({"buffer_before": -1}, "buffer_before"),
    ({"min_notice": "1"}, "min_notice"), ({"window_days": 0}, "window_days"), ({"hours": [[]] * 6}, "hours"),
    ({"hours": [[["10:00", "09:00"]]] + [[]] * 6}, "hours[0]"), ({"hours": [[["9", "10"]]] + [[]] * 6}, "hours[0]"),
])
def test_settings_are_refused_naming_the_field(change, field):
    with pytest.raises(InvalidBooking) as refused:
        link(**change)
    assert str(refused.value).startswith(f"{field}:"), str(refused.value)


def test_the_invitation_is_an_icalendar_event_with_organizer_and_attendee():
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    booking = Booking(uuid4(), uuid4(), start, start + timedelta(minutes=30), start, start, "Bo Guest",
                      "bo@example.com", "About the offer")
    cal = Calendar.from_ical(invitation(booking, "Anna Host", "anna@example.com", "Bo Guest · Anna Host", NOW))
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == start and event.decoded("dtend") == start + timedelta(minutes=30)
    assert str(event["organizer"]) == "mailto:anna@example.com" and str(event["attendee"]) == "mailto:bo@example.com"
    assert str(event["description"]) == "About the offer"


def test_a_confirmation_carries_the_invitation_as_a_text_calendar_attachment():
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = mime(Envelope(sender="tandem@example.com", to=("bo@example.com",), subject="Booked", text="See you",
                            message_id="<1@example.com>", calendar=ics))
    [attached] = list(message.iter_attachments())
    assert (attached.get_content_type(), attached.get_filename()) == ("text/calendar", "invite.ics")
    assert attached.get_payload(decode=True).decode() == ics
    assert message.get_body(("plain",)).get_content().strip() == "See you"


def test_overlapping_busy_spans_block_as_one():
    first, last = day(2026, 3, 2, BERLIN)
    at = lambda h, m=0: datetime(2026, 3, 2, h, m, tzinfo=BERLIN)  # noqa: E731
    busy = [(at(9), at(10, 30)), (at(9, 15), at(9, 30)), (at(10, 15), at(10, 45))]  # one inside, one past the end
    assert local(slots(link(), busy, first, last, 30, NOW), BERLIN) == ["Mon 11:00", "Mon 11:30"]


def test_a_team_link_offers_a_member_in_their_own_hours_and_zone_and_the_links_hours_without_them():
    link = check_settings(uuid4(), uuid4(), uuid4(), {
        "slug": "team-link", "time_zone": "Europe/Berlin", "durations": [30], "buffer_after": 10,
        "hours": [[["09:00", "17:00"]]] * 7, "team": str(uuid4())})
    own = check_settings(uuid4(), uuid4(), uuid4(), {
        "slug": "mias-link", "time_zone": "Europe/London", "durations": [60], "buffer_after": 0,
        "hours": [[["13:00", "15:00"]]] * 5 + [[], []]})
    mine = as_member(link, own)
    assert (mine.hours, mine.time_zone) == (own.hours, "Europe/London"), "the member's hours and zone"
    assert (mine.id, mine.durations, mine.buffer_after, mine.slug) == (link.id, (30,), 10, "team-link"), \
        "the rest is the link's"
    assert as_member(link, None) == link, "a member without a link of their own: the link's hours"
