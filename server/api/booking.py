"""Booking links over HTTP (issue 18 item 6, docs/booking.md): your link's settings (signed in), and
the public page's API — no session: ``GET /api/booking/<slug>`` (the host's name and zone),
``.../slots`` (free times) and ``POST /api/booking/<slug>`` (book one). Every public call is counted
per address; an unknown or disabled slug answers 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import booking_types as types
from server.api.auth import CallerDep, client_address
from server.domain.booking import BookingSettings, clock
from server.services.booking import BookingService

BookingDep = NamedDependency[BookingService]


def _settings(s: BookingSettings) -> types.BookingSettings:
    return types.BookingSettings(
        board=s.board, slug=s.slug, enabled=s.enabled, time_zone=s.time_zone, durations=list(s.durations),
        buffer_before=s.buffer_before, buffer_after=s.buffer_after, min_notice=s.min_notice,
        window_days=s.window_days, hours=[[[clock(a), clock(b)] for a, b in day] for day in s.hours])


class BookingSettingsController(Controller):
    path = "/api/me/booking"
    tags = ["booking"]

    @get("", summary="Your booking link's settings (none until made), and whether confirmations are mailed")
    async def booking_link(self, caller: CallerDep, booking: BookingDep) -> types.BookingLink:
        found = await booking.settings(caller)
        return types.BookingLink(settings=_settings(found) if found else None, mail_configured=booking.delivers)

    @put("", summary="Make or change your booking link (meetings go to a board you can edit)")
    async def save_booking_link(self, data: JSONBody[types.BookingSettings], caller: CallerDep,
                                booking: BookingDep) -> types.BookingLink:
        raw = {"slug": data.slug, "enabled": data.enabled, "time_zone": data.time_zone, "durations": data.durations,
               "buffer_before": data.buffer_before, "buffer_after": data.buffer_after,
               "min_notice": data.min_notice, "window_days": data.window_days, "hours": data.hours}
        saved = await booking.save(caller, data.board, raw)
        return types.BookingLink(settings=_settings(saved), mail_configured=booking.delivers)


class PublicBookingController(Controller):
    path = "/api/booking/{slug:str}"
    tags = ["booking"]

    @get("", summary="A booking page: its host's display name and time zone, and the meeting lengths")
    async def booking_page(self, request: Request, slug: FromPath[str], booking: BookingDep) -> types.BookingPage:
        host = await booking.host(slug, client_address(request))
        return types.BookingPage(host_name=host.name, time_zone=host.time_zone, durations=list(host.durations))

    @get("/slots", summary="Free slot starts (UTC) from one moment to another, for one meeting length")
    async def booking_slots(self, request: Request, slug: FromPath[str], booking: BookingDep,
                            start: Annotated[str, QueryParameter(name="from")] = "",
                            end: Annotated[str, QueryParameter(name="to")] = "",
                            duration: Annotated[str, QueryParameter(name="duration")] = "") -> types.BookingSlots:
        length, found = await booking.free(slug, start, end, duration, client_address(request))
        return types.BookingSlots(duration=length, slots=found)

    @post("", status_code=201, summary="Book a slot (409 if someone else just took it)")
    async def book(self, request: Request, slug: FromPath[str], data: JSONBody[types.NewBooking],
                   booking: BookingDep) -> types.BookingMade:
        made = await booking.book(slug, {"start": data.start, "duration": data.duration, "name": data.name,
                                         "email": data.email, "note": data.note}, client_address(request))
        return types.BookingMade(start=made.booking.start, end=made.booking.end, time_zone=made.time_zone,
                                 mailed=made.mailed)
