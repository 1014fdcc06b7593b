"""CalDAV sync over HTTP (issue 18 item 5, docs/caldav.md): the signed-in user's one connected
calendar — ``GET`` its status, ``PUT`` to connect (URL, user name, app password; the server is asked
first, a refusal is a 422 in words), ``DELETE`` to disconnect, ``POST .../sync`` for "Sync now".
The password is never answered."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from server.api import caldav_types as types
from server.api.auth import CallerDep
from server.domain.caldav import Link
from server.services.caldav_sync import CalendarSync

CalendarSyncDep = NamedDependency[CalendarSync]


def _status(link: Link | None) -> types.CalendarSyncStatus:
    if link is None:
        return types.CalendarSyncStatus(connected=False)
    return types.CalendarSyncStatus(
        connected=True, url=link.url, username=link.username, board=link.board, workspace=link.workspace,
        connected_at=link.created_at, last_attempt=link.last_attempt, last_success=link.last_success,
        last_error=link.last_error, pushed=link.pushed, pulled=link.pulled, removed=link.removed,
        linked=link.linked, full_listing=link.sync_token is None)


class CalendarSyncController(Controller):
    path = "/api/me/calendar-sync"
    tags = ["calendar"]

    @get("", summary="Your connected CalDAV calendar and how its syncs went (connected false: none)")
    async def calendar_sync_status(self, caller: CallerDep, calendar_sync: CalendarSyncDep
                                   ) -> types.CalendarSyncStatus:
        return _status(await calendar_sync.status(caller))

    @put("", summary="Connect a CalDAV calendar (replacing yours); the server is asked first, then a sync runs")
    async def connect_calendar(self, data: JSONBody[types.CalendarConnect], caller: CallerDep,
                               calendar_sync: CalendarSyncDep) -> types.CalendarSyncStatus:
        return _status(await calendar_sync.connect(caller, data.board, data.url, data.username, data.password))

    @delete("", status_code=204, summary="Disconnect your calendar (activities and the server's events stay)")
    async def disconnect_calendar(self, caller: CallerDep, calendar_sync: CalendarSyncDep) -> None:
        await calendar_sync.disconnect(caller)

    @post("/sync", status_code=202, summary="Sync your calendar now (queued; the status shows the result)")
    async def sync_calendar_now(self, caller: CallerDep, calendar_sync: CalendarSyncDep) -> types.CalendarSyncStatus:
        await calendar_sync.sync_now(caller)
        return _status(await calendar_sync.status(caller))
