"""A projection that keeps failing backs off, gives up after a bounded number of attempts, and
reopening its room never adds a second retry loop (issue 13, item 4: every reopen used to add a
permanent one, each re-reading the document's whole history every second)."""

from __future__ import annotations

from uuid import UUID

from client.crm import open_board
from tests.support.accounts import AUTH, team
from tests.support.servers import in_process_server, settings_for
from tests.support.waiting import eventually

ROUNDS = 3


async def test_a_failing_projection_backs_off_gives_up_and_never_multiplies_on_reopen(database_url, monkeypatch):
    async with in_process_server(settings_for(database_url, **AUTH, room_grace_seconds=0.05)) as server:
        t = await team(server.http_url)
        projector, rooms = server.services.projector, server.services.rooms
        monkeypatch.setattr(projector, "_retry", 0.01)  # 0.01, 0.02, 0.04 ... s: the test needs no minutes

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the projection tables are unavailable")

        monkeypatch.setattr(projector, "project", broken)
        for round_ in range(ROUNDS):
            async with open_board(server.ws_url, t.board["id"], token=t.owner.token, user=UUID(t.owner.id)) as board:
                board.add_deal(f"Deal {round_}")
                await board.session.durable()
            await eventually(lambda: len(rooms) == 0)
        await eventually(projector.idle, timeout=20)  # gave up: nothing is waiting or retrying
        trackers = [tr for tr in projector._trackers.values() if tr.document == t.board["document"]]
        assert len(trackers) <= 1
        assert all(tr.handle is None and tr.task is None for tr in projector._trackers.values()), "no retry loop"
        assert 0 < projector.failures <= ROUNDS * projector._attempts
