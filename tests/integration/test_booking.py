"""Booking links (issue 18 item 6) through the API on a real Postgres: a host's settings, the public
page's slots, a booking that makes the host's meeting and the guest's contact and mails both an
.ics (through a real aiosmtpd relay), two guests booking one slot at once (exactly one wins), and the per-address rate limit.

Each test speaks from its own loopback address (127.0.0.x), as the throttle counts per address.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from tests.support.accounts import AUTH, team, unique_email
from tests.support.crm import call, ok, projected
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = [[["09:00", "17:00"]]] * 7


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, **AUTH)) as running:
        yield running


def guest(server: InProcessServer, address: str) -> httpx.AsyncClient:
    """A signed-out browser at ``address`` (a loopback address of its own)."""
    return httpx.AsyncClient(base_url=server.http_url,
                             transport=httpx.AsyncHTTPTransport(local_address=address))


async def host_with_link(server: InProcessServer, slug: str, **changes: Any):
    t = await team(server.http_url)
    settings = {"board": t.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30, 60],
                "min_notice": 0, "window_days": 30, "buffer_after": 15, "hours": EVERY_DAY, **changes}
    saved = await ok(server, t.owner, "PUT", "/api/me/booking", json=settings)
    assert saved["settings"]["slug"] == slug and saved["mail_configured"] is False
    return t


def tomorrow_at(hour: int) -> datetime:
    day = (datetime.now(BERLIN) + timedelta(days=2)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_a_guest_books_a_free_slot_and_the_host_gets_the_meeting_with_the_contact(server):
    slug = f"anna-{unique_email('x').split('@')[0][-8:]}"
    t = await host_with_link(server, slug)
    async with guest(server, "127.0.0.11") as browser:
        page = (await browser.get(f"/api/booking/{slug}")).json()
        assert page == {"host_name": "Owner", "time_zone": "Europe/Berlin", "durations": [30, 60], "title": ""}
        start = tomorrow_at(10)
        window = {"from": iso(start - timedelta(hours=1)), "to": iso(start + timedelta(hours=3)), "duration": "60"}
        offered = (await browser.get(f"/api/booking/{slug}/slots", params=window)).json()
        assert [datetime.fromisoformat(s) for s in offered["slots"]] == [start + timedelta(hours=h) for h in (-1, 0, 1, 2)]
        made = await browser.post(f"/api/booking/{slug}", json={
            "start": iso(start), "duration": 60, "name": "Bo Guest", "email": "Bo@Example.com", "note": "The offer"})
        assert made.status_code == 201, made.text
        assert made.json()["mailed"] is False and made.json()["time_zone"] == "Europe/Berlin"
        after = (await browser.get(f"/api/booking/{slug}/slots", params=window)).json()
        assert [datetime.fromisoformat(s) for s in after["slots"]] == [start + timedelta(hours=2)], \
            "a 15-minute buffer after each meeting: the hours either side of the one booked are taken too"

    await projected(server)
    day = start.astimezone(BERLIN).date().isoformat()
    [entry] = (await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/calendar",
                        params={"start": day, "end": day}))["entries"]
    assert (entry["type"], entry["title"], entry["card"]) == ("meeting", "Bo Guest · Owner", None)
    assert datetime.fromisoformat(entry["start"]) == start and entry["time_zone"] == "Europe/Berlin"
    contacts = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/contacts")
    [found] = [c for c in contacts["items"] if "bo@example.com" in c["emails"]]
    assert found["first_name"] == "Bo"
    links = await ok(server, t.owner, "GET", f"/api/contacts/{found['id']}/links")
    assert [a["activity_id"] for a in links["activities"]] == [entry["id"]], "the meeting names the contact"
    mails = [m for m in server.services.outbox.sent if "Bo Guest · Owner" in m.subject]
    assert sorted(m.to for m in mails) == sorted(["bo@example.com", t.owner.email])
    [event] = Calendar.from_ical(mails[0].calendar).walk("VEVENT")
    assert event.decoded("dtstart") == start and str(event["attendee"]) == "mailto:bo@example.com"


async def test_two_guests_booking_one_slot_at_once_exactly_one_wins(server):
    slug = f"race-{unique_email('x').split('@')[0][-8:]}"
    await host_with_link(server, slug)
    start = tomorrow_at(14)

    async def book(address: str, name: str, at: datetime) -> httpx.Response:
        async with guest(server, address) as browser:
            return await browser.post(f"/api/booking/{slug}", json={
                "start": iso(at), "duration": 30, "name": name, "email": f"{name.lower()}@example.com"})

    for race in range(3):  # three races, each on a slot of its own
        at = start + timedelta(hours=race)
        answers = await asyncio.gather(*(book(f"127.0.0.{20 + i}", f"Guest{i}", at) for i in range(4)))
        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert "just booked by someone else" in refused.json()["detail"]
    assert (await book("127.0.0.30", "Late", start)).status_code == 409


async def test_bad_input_is_refused_naming_the_field_and_an_address_is_rate_limited(server):
    slug = f"limit-{unique_email('x').split('@')[0][-8:]}"
    await host_with_link(server, slug)
    start = iso(tomorrow_at(11))
    async with guest(server, "127.0.0.40") as browser:
        cases = [({"start": "soon"}, "start"), ({"duration": 45}, "duration"), ({"email": "nope"}, "email"),
                 ({"name": " "}, "name"), ({"note": "x" * 2001}, "note")]
        for change, field in cases:
            body = {"start": start, "duration": 30, "name": "Bo", "email": "bo@example.com", **change}
            refused = await browser.post(f"/api/booking/{slug}", json=body)
            assert refused.status_code == 422 and refused.json()["detail"].startswith(f"{field}:"), refused.text
        limited = await browser.post(f"/api/booking/{slug}", json={
            "start": start, "duration": 30, "name": "Bo", "email": "bo@example.com"})
        assert limited.status_code == 429 and "too many bookings" in limited.text
        slots = await browser.get(f"/api/booking/{slug}/slots", params={"from": start, "to": start, "duration": "30"})
        assert slots.status_code == 422 and "to:" in slots.text, "reading slots is counted apart from booking"
    async with guest(server, "127.0.0.41") as other:
        assert (await other.get("/api/booking/no-such-page")).status_code == 404


async def test_a_slug_is_unique_per_server_and_the_board_must_be_editable(server):
    slug = f"mine-{unique_email('x').split('@')[0][-8:]}"
    first = await host_with_link(server, slug)
    other = await team(server.http_url)
    taken = await call(server, other.owner, "PUT", "/api/me/booking", json={
        "board": other.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "hours": EVERY_DAY})
    assert taken.status_code == 409 and "slug" in taken.text
    foreign = await call(server, other.owner, "PUT", "/api/me/booking", json={
        "board": first.board["id"], "slug": slug + "-2", "time_zone": "Europe/Berlin", "durations": [30],
        "hours": EVERY_DAY})
    assert foreign.status_code == 404
    viewer = await call(server, first.viewer, "PUT", "/api/me/booking", json={
        "board": first.board["id"], "slug": slug + "-3", "time_zone": "Europe/Berlin", "durations": [30],
        "hours": EVERY_DAY})
    assert viewer.status_code in (403, 404)


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def mailing(database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", smtp_url=sink.url, mail_from="crm@tandem.test",
                            housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


@pytest.mark.timeout(120)
async def test_with_a_relay_both_get_a_confirmation_with_the_invitation_attached(mailing, sink):
    slug = f"mail-{unique_email('x').split('@')[0][-8:]}"
    t = await team(mailing.http_url)
    saved = await ok(mailing, t.owner, "PUT", "/api/me/booking", json={
        "board": t.board["id"], "slug": slug, "time_zone": "Europe/Berlin", "durations": [30], "min_notice": 0,
        "hours": EVERY_DAY})
    assert saved["mail_configured"] is True
    start = tomorrow_at(15)
    guest_email = unique_email("guest")
    async with guest(mailing, "127.0.0.50") as browser:
        made = await browser.post(f"/api/booking/{slug}", json={
            "start": iso(start), "duration": 30, "name": "Cy Guest", "email": guest_email})
    assert made.status_code == 201 and made.json()["mailed"] is True, made.text

    def both():
        found = [m for m in sink.messages if m["To"] in (guest_email, t.owner.email)]
        return found if len(found) == 2 else None

    for mail in await eventually(both, 30, what="both confirmations in the SMTP sink"):
        [attached] = list(mail.iter_attachments())
        assert (attached.get_content_type(), attached.get_filename()) == ("text/calendar", "invite.ics")
        [event] = Calendar.from_ical(attached.get_content()).walk("VEVENT")
        assert event.decoded("dtstart") == start and "Cy Guest" in mail["Subject"]
