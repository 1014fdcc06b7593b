"""Attendees of an activity (issue 18): the colleagues and contacts taking part besides its
assignee, in SQL (``ports.attendees``) because a guest syncs the whole board document.

Reading needs read access to the board; a guest sees the users only (no contact ids of the
workspace). Setting them needs edit access and membership of the workspace (a guest may not name
contacts, which they cannot see): every user must reach the board (a member of the workspace or
someone it is shared with), every contact must be a live one of the workspace. The activity must
be on the board's document now (the projection may lag). The calendar then shows the activity to
each user attending it (``CalendarEntries.between``).
"""

from __future__ import annotations

from uuid import UUID

from server.domain.access import NotFound, require_write
from server.domain.accounts import InvalidInput
from server.domain.references import RecordKind, Reference, UnknownReference
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.crm import Crm
from server.services.ports.attendees import Attendees
from server.services.ports.unit import Begin
from server.services.records import require_records

MAX_ATTENDEES = 50  # of each kind


async def attendees(begin: Begin, boards: Boards, crm: Crm, caller: Caller, board: UUID,
                    activity: UUID) -> Attendees:
    view = await boards.get(caller, board)
    if await crm.activity(caller, board, activity) is None:
        raise NotFound("no such activity on this board")
    async with begin(autocommit=True) as tx:
        found = await tx.attendees.of_activity(board, activity)
    return found if view.role is not None else found._replace(contacts=())


async def set_attendees(begin: Begin, boards: Boards, crm: Crm, caller: Caller, board: UUID, activity: UUID,
                        wanted: Attendees) -> Attendees:
    view = await boards.get(caller, board)
    require_write(view.access)
    users, contacts = tuple(dict.fromkeys(wanted.users)), tuple(dict.fromkeys(wanted.contacts))
    for name, ids in (("users", users), ("contacts", contacts)):
        if len(ids) > MAX_ATTENDEES:
            raise InvalidInput(f"{name}: expected at most {MAX_ATTENDEES}, got {len(ids)}")
    if contacts and view.role is None:
        raise UnknownReference("contacts", RecordKind.CONTACT)  # a guest sees no contacts to name
    if await crm.activity(caller, board, activity) is None:
        raise NotFound("no such activity on this board")
    async with begin() as tx:
        for user in users:
            if not await tx.board_reach.reaches(board, user):
                raise InvalidInput(f"users: expected members of this workspace or people the board is shared "
                                   f"with, got {user}")
        await require_records(tx, view.board.workspace_id,
                              [Reference("contacts", RecordKind.CONTACT, c) for c in contacts])
        if view.role is None:  # a guest changes the users and leaves the contacts as they are
            contacts = (await tx.attendees.of_activity(board, activity)).contacts
        await tx.attendees.set(view.board.workspace_id, board, activity, Attendees(users, contacts))
        found = await tx.attendees.of_activity(board, activity)
    return found if view.role is not None else found._replace(contacts=())
