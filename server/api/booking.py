"""Booking links over HTTP (issue 18 item 6, docs/booking.md): your link's settings (signed in), and
the public page's API — no session: ``GET /api/booking/<slug>`` (the host's name and zone),
``.../slots`` (free times) and ``POST /api/booking/<slug>`` (book one). Every public call is counted
per address; an unknown or disabled slug answers 404."""

from __future__ import annotations

from typing import Annotated

from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api import booking_types as types
from server.api.auth import CallerDep, client_address
from server.domain.booking import BookingSettings, clock
from server.domain.booking import Booking
from server.services.booking import Booked, BookingService, Managed

BookingDep = NamedDependency[BookingService]


def _settings(s: BookingSettings) -> types.BookingSettings:
    return types.BookingSettings(
        id=s.id, title=s.title, board=s.board, slug=s.slug, enabled=s.enabled, time_zone=s.time_zone, durations=list(s.durations),
        buffer_before=s.buffer_before, buffer_after=s.buffer_after, min_notice=s.min_notice,
        window_days=s.window_days, hours=[[[clock(a), clock(b)] for a, b in day] for day in s.hours],
        team=s.team, approval=s.approval)


def _raw(data: types.BookingSettings) -> dict[str, object]:
    return {"slug": data.slug, "title": data.title, "enabled": data.enabled, "time_zone": data.time_zone,
            "durations": data.durations, "buffer_before": data.buffer_before, "buffer_after": data.buffer_after,
            "min_notice": data.min_notice, "window_days": data.window_days, "hours": data.hours,
            "team": data.team, "approval": data.approval}


def _request(b: Booking) -> types.BookingRequest:
    return types.BookingRequest(id=b.id, start=b.start, end=b.end, guest_name=b.guest_name,
                                guest_email=b.guest_email, note=b.note)


def _made(made: Booked) -> types.BookingMade:
    return types.BookingMade(start=made.booking.start, end=made.booking.end, time_zone=made.time_zone,
                             mailed=made.mailed, status=made.booking.status, host_name=made.host_name,
                             manage=made.token)


def _managed(m: Managed) -> types.ManagedBooking:
    return types.ManagedBooking(start=m.booking.start, end=m.booking.end, status=m.booking.status,
                                host_name=m.host_name, time_zone=m.time_zone, slug=m.slug,
                                duration=int((m.booking.end - m.booking.start).total_seconds() // 60))


class BookingSettingsController(Controller):
    path = "/api/me/booking"
    tags = ["booking"]

    @get("", summary="Your booking link's settings (none until made), and whether confirmations are mailed")
    async def booking_link(self, caller: CallerDep, booking: BookingDep) -> types.BookingLink:
        links = await booking.links(caller)
        found = next((s for s in links if s.team is None), None)
        return types.BookingLink(settings=_settings(found) if found else None, mail_configured=booking.delivers,
                                 links=[_settings(s) for s in links])

    @put("", summary="Make or change your personal booking link (meetings go to a board you can edit)")
    async def save_booking_link(self, data: JSONBody[types.BookingSettings], caller: CallerDep,
                                booking: BookingDep) -> types.BookingLink:
        saved = await booking.save(caller, data.board, _raw(data))
        return types.BookingLink(settings=_settings(saved), mail_configured=booking.delivers,
                                 links=[_settings(s) for s in await booking.links(caller)])

    @get("/links", summary="All your booking links: the personal one first, then team links by title")
    async def booking_links(self, caller: CallerDep, booking: BookingDep) -> types.BookingLinks:
        return types.BookingLinks(links=[_settings(s) for s in await booking.links(caller)],
                                  mail_configured=booking.delivers)

    @post("/links", status_code=201,
          summary="Make a booking link: personal (team null, one per user) or round robin over a team")
    async def create_booking_link(self, data: JSONBody[types.BookingSettings], caller: CallerDep,
                                  booking: BookingDep) -> types.BookingSettings:
        return _settings(await booking.create_link(caller, data.board, _raw(data)))

    @put("/links/{link_id:uuid}", summary="Change one of your booking links")
    async def update_booking_link(self, link_id: FromPath[UUID], data: JSONBody[types.BookingSettings],
                                  caller: CallerDep, booking: BookingDep) -> types.BookingSettings:
        return _settings(await booking.update_link(caller, link_id, data.board, _raw(data)))

    @delete("/links/{link_id:uuid}", status_code=204,
            summary="Delete one of your booking links (the bookings it made stay)")
    async def delete_booking_link(self, link_id: FromPath[UUID], caller: CallerDep, booking: BookingDep) -> None:
        await booking.delete_link(caller, link_id)

    @get("/requests", summary="Bookings waiting for your approval, soonest first")
    async def booking_requests(self, caller: CallerDep, booking: BookingDep) -> list[types.BookingRequest]:
        return [_request(b) for b in await booking.requests(caller)]

    @post("/requests/{request_id:uuid}/confirm", status_code=200,
          summary="Confirm a booking request: the meeting is made and the guest mailed")
    async def confirm_booking(self, request_id: FromPath[UUID], caller: CallerDep,
                              booking: BookingDep) -> types.BookingRequest:
        return _request(await booking.decide(caller, request_id, True))

    @post("/requests/{request_id:uuid}/decline", status_code=200,
          summary="Decline a booking request: the time is freed and the guest told")
    async def decline_booking(self, request_id: FromPath[UUID], caller: CallerDep,
                              booking: BookingDep) -> types.BookingRequest:
        return _request(await booking.decide(caller, request_id, False))


class GuestBookingController(Controller):
    """A guest's own booking through the secret link they were given (no session): a forged or
    stale link is 404."""

    path = "/api/booking-manage/{token:str}"
    tags = ["booking"]

    @get("", summary="Your booking: when, with whom, and its state")
    async def managed_booking(self, request: Request, token: FromPath[str],
                              booking: BookingDep) -> types.ManagedBooking:
        return _managed(await booking.manage(token, client_address(request)))

    @get("/slots", summary="Free starts your booking could move to (UTC)")
    async def managed_slots(self, request: Request, token: FromPath[str], booking: BookingDep,
                            start: Annotated[str, QueryParameter(name="from")] = "",
                            end: Annotated[str, QueryParameter(name="to")] = "") -> types.BookingSlots:
        length, found = await booking.manage_slots(token, start, end, client_address(request))
        return types.BookingSlots(duration=length, slots=found)

    @post("/move", status_code=200, summary="Move your booking to another free start (409 if just taken)")
    async def move_booking(self, request: Request, token: FromPath[str], data: JSONBody[types.Reschedule],
                           booking: BookingDep) -> types.BookingMade:
        return _made(await booking.reschedule(token, {"start": data.start}, client_address(request)))

    @delete("", status_code=204, summary="Cancel your booking: its meeting is removed and the host told")
    async def cancel_booking(self, request: Request, token: FromPath[str], booking: BookingDep) -> None:
        await booking.cancel(token, client_address(request))


class PublicBookingController(Controller):
    path = "/api/booking/{slug:str}"
    tags = ["booking"]

    @get("", summary="A booking page: its host's display name and time zone, and the meeting lengths")
    async def booking_page(self, request: Request, slug: FromPath[str], booking: BookingDep) -> types.BookingPage:
        host = await booking.host(slug, client_address(request))
        return types.BookingPage(host_name=host.name, time_zone=host.time_zone, durations=list(host.durations),
                                 title=host.title)

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
                                         "email": data.email, "note": data.note, "locale": data.locale,
                                         "accept_language": request.headers.get("accept-language")},
                                  client_address(request))
        return _made(made)
