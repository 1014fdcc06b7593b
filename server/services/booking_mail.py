"""The mails a booking sends (docs/booking.md; words in ``server/domain/system_mail.py``): to the
guest in the language the booking page was shown in (``Booking.guest_locale``), to the host in
theirs (``users.locale``); times in the link's zone; each with the link to what it is about — the
guest's manage page or booking page, the host's calendar or booking requests."""

from __future__ import annotations

from server.domain.booking import Booking
from server.domain.system_mail import Count, Field, Moment, render
from server.services.mail import Mail


def _length(booking: Booking) -> int:
    return int((booking.end - booking.start).total_seconds() // 60)


def booking_fields(booking: Booking, host_name: str, time_zone: str, *, ics: bool) -> dict[str, Field]:
    """What every booking mail may name: who meets whom, when, how long, the note, the .ics."""
    return {"title": f"{booking.guest_name} · {host_name}", "guest": booking.guest_name, "host": host_name,
            "email": booking.guest_email, "when": Moment(booking.start, time_zone),
            "length": Count(_length(booking), "minute"), "ics": "invite.ics" if ics else None, "note": booking.note}


def booking_mail(kind: str, to: str, locale: str | None, booking: Booking, host_name: str, time_zone: str,
                 link: str | None, calendar: str | None = None) -> Mail:
    """The booking mail ``kind`` (``booking_confirmed_guest`` …) to ``to`` in ``locale``; ``calendar``:
    the invite.ics to attach, and the text says so."""
    fields = booking_fields(booking, host_name, time_zone, ics=calendar is not None)
    return Mail.of(to, render(kind, locale, fields, link), calendar)


def public(base: str, path: str) -> str | None:
    """``path`` on the public URL, or None without one: a guest outside cannot use a bare path."""
    return f"{base.rstrip('/')}{path}" if base else None
