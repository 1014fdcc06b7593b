"""``MemoryActivityAttendees``: the in-memory twin of ``PostgresActivityAttendees`` (issue 18).

Table ``activity_attendees``: (board, activity) -> (workspace, [("user" | "contact", id), ...]) in
the order they were added."""

from __future__ import annotations

from uuid import UUID

from server.services.ports.attendees import Attendees
from server.storage.memory.unit import MemoryDatabase


def _split(people: list[tuple[str, UUID]]) -> Attendees:
    return Attendees(tuple(i for k, i in people if k == "user"), tuple(i for k, i in people if k == "contact"))


class MemoryActivityAttendees:
    """Implements ``server.services.ports.attendees.ActivityAttendees`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[tuple[UUID, UUID], tuple[UUID, list[tuple[str, UUID]]]] = db.table("activity_attendees")

    async def of_activity(self, board: UUID, activity: UUID) -> Attendees:
        found = self._rows.get((board, activity))
        return _split(found[1]) if found else Attendees()

    async def of_board(self, board: UUID) -> dict[UUID, Attendees]:
        return {a: _split(people) for (b, a), (_, people) in sorted(self._rows.items(), key=lambda kv: str(kv[0][1]))
                if b == board and people}

    async def set(self, workspace: UUID, board: UUID, activity: UUID, attendees: Attendees) -> None:
        wanted = [("user", u) for u in dict.fromkeys(attendees.users)] + [
            ("contact", c) for c in dict.fromkeys(attendees.contacts)]
        kept = [p for p in self._rows.get((board, activity), (workspace, []))[1] if p in wanted]
        people = kept + [p for p in wanted if p not in kept]
        if people:
            self._rows[(board, activity)] = (workspace, people)
        else:
            self._rows.pop((board, activity), None)

    async def attending(self, user: UUID, boards: list[UUID]) -> list[tuple[UUID, UUID]]:
        return sorted(((b, a) for (b, a), (_, people) in self._rows.items() if b in boards and ("user", user) in people),
                      key=lambda x: (str(x[0]), str(x[1])))
