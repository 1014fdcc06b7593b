"""Boards, their shares, and their documents over HTTP.

``GET /api/documents/{name}`` answers the document's whole state as one Yjs update
(``application/octet-stream``); ``POST /api/documents/{name}/updates`` applies a Yjs update as
if a writer had sent it over a socket. Both answer 404 for unknown and forbidden alike.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery, JSONBody

from server.api import guest_types, types
from server.api.auth import CallerDep, client_address
from server.api.board_lifecycle import BoardChange, BoardLifecycleDep
from server.api.container import RoomsDep, ServicesDep, SettingsDep
from server.api.errors import UPDATE_REFUSALS, refused_update
from server.domain.access import Access, require_write
from server.domain.accounts import InvalidInput, User
from server.domain.boards import GuestInvitation
from server.services.boards import Boards, BoardView, guest_link
from server.sync.room import Origin

BoardsDep = NamedDependency[Boards]


def _board(view: BoardView) -> types.Board:
    board = view.board
    access = "write" if view.access is Access.WRITE else "read"
    return types.Board(board.id, board.workspace_id, board.name, board.kind, board.document, access,
                       board.created_at, board.archived_at)


def _user(user: User) -> types.User:
    return types.User(user.id, user.email, user.name)


def _invitation(invitation: GuestInvitation, token: str | None = None) -> guest_types.GuestInvitation:
    return guest_types.GuestInvitation(invitation.id, invitation.email, invitation.access, invitation.inviter_name,
                                       invitation.created_at, invitation.expires_at,
                                       guest_link(token) if token else None)


class BoardController(Controller):
    path = "/api"
    tags = ["boards"]

    @post("/workspaces/{workspace:uuid}/boards", summary="Create a board (members and above)")
    async def create(
        self, workspace: FromPath[UUID], data: JSONBody[types.NewBoard], caller: CallerDep, boards: BoardsDep
    ) -> types.Board:
        return _board(await boards.create(caller, workspace, data.name, data.kind, data.currency))

    @get("/workspaces/{workspace:uuid}/boards", summary="Boards the caller reaches in a workspace")
    async def list_boards(self, workspace: FromPath[UUID], caller: CallerDep, boards: BoardsDep) -> list[types.Board]:
        return [_board(view) for view in await boards.visible(caller, workspace)]

    @get("/boards/{board:uuid}", summary="One board (404 if unknown or not shared with the caller)")
    async def get_board(self, board: FromPath[UUID], caller: CallerDep, boards: BoardsDep) -> types.Board:
        return _board(await boards.get(caller, board))

    @patch("/boards/{board:uuid}", summary="Rename, archive or restore a board (admins)")
    async def change_board(self, request: Request, board: FromPath[UUID], data: JSONBody[BoardChange],
                           caller: CallerDep, board_lifecycle: BoardLifecycleDep) -> types.Board:
        if data.name is None and data.archived is None:
            raise InvalidInput("expected name and/or archived")
        address = client_address(request)
        if data.name is not None:
            await board_lifecycle.rename(caller, board, data.name, address)
        if data.archived is not None:
            await board_lifecycle.set_archived(caller, board, data.archived, address)
        return _board(await board_lifecycle.view(caller, board))

    @delete("/boards/{board:uuid}", summary="Delete a board and everything on it (admins; ?confirm=<its name>)")
    async def delete_board(self, request: Request, board: FromPath[UUID], confirm: FromQuery[str],
                           caller: CallerDep, board_lifecycle: BoardLifecycleDep) -> None:
        await board_lifecycle.delete(caller, board, confirm, client_address(request))

    @get("/boards/{board:uuid}/shares", summary="Who the board is shared with (admins)")
    async def shares(self, board: FromPath[UUID], caller: CallerDep, boards: BoardsDep) -> list[types.Share]:
        return [types.Share(_user(share.user), share.access) for share in await boards.shares(caller, board)]

    @post("/boards/{board:uuid}/shares", status_code=200,
          summary="Share a board with an e-mail address (admins): at once if it has an account, else by a mailed link")
    async def share(
        self, request: Request, board: FromPath[UUID], data: JSONBody[types.NewShare], caller: CallerDep,
        boards: BoardsDep,
    ) -> guest_types.Shared:
        shared = await boards.share(caller, board, data.email, data.access, client_address(request))
        if shared.user is not None:
            return guest_types.Shared(types.Share(_user(shared.user), data.access), None)
        assert shared.invitation is not None
        return guest_types.Shared(None, _invitation(shared.invitation, shared.token), mail_sent=shared.mailed)

    @get("/boards/{board:uuid}/invitations", summary="Invitations by link not yet accepted (admins)")
    async def invitations(
        self, board: FromPath[UUID], caller: CallerDep, boards: BoardsDep
    ) -> list[guest_types.GuestInvitation]:
        return [_invitation(invitation) for invitation in await boards.invitations(caller, board)]

    @delete("/boards/{board:uuid}/invitations/{invitation:uuid}",
            summary="Cancel an invitation by link before it is accepted (admins)")
    async def revoke_invitation(
        self, request: Request, board: FromPath[UUID], invitation: FromPath[UUID], caller: CallerDep,
        boards: BoardsDep,
    ) -> None:
        await boards.revoke(caller, board, invitation, client_address(request))

    @post("/guest-invitations/lookup", status_code=200,
          summary="What an invitation by link shares, for its sign-up page (no session needed)")
    async def lookup_invitation(
        self, data: JSONBody[guest_types.InvitationToken], boards: BoardsDep
    ) -> guest_types.InvitationPreview:
        found = await boards.invitation(data.token)
        return guest_types.InvitationPreview(found.email, found.access, found.board_name, found.workspace_name,
                                             found.inviter_name, found.expires_at, await boards.has_account(found.email))

    @post("/guest-invitations/accept", status_code=200,
          summary="Accept an invitation by link addressed to the caller's e-mail: the board is shared with them")
    async def accept_invitation(
        self, request: Request, data: JSONBody[guest_types.InvitationToken], caller: CallerDep, boards: BoardsDep
    ) -> types.Board:
        return _board(await boards.accept(caller, data.token, client_address(request)))

    @delete("/boards/{board:uuid}/shares/{user:uuid}", summary="Stop sharing a board with a user (admins)")
    async def unshare(
        self, request: Request, board: FromPath[UUID], user: FromPath[UUID], caller: CallerDep, boards: BoardsDep
    ) -> None:
        await boards.unshare(caller, board, user, client_address(request))

    @get("/documents/{name:str}", summary="A document's state as one Yjs update", media_type="application/octet-stream")
    async def read_document(
        self, name: FromPath[str], caller: CallerDep, boards: BoardsDep, rooms: RoomsDep
    ) -> Response[bytes]:
        await boards.document_access(caller.id, name)
        room = await rooms.open(name)
        return Response(room.doc.get_update(), media_type="application/octet-stream")

    @post("/documents/{name:str}/updates", status_code=204, summary="Apply a Yjs update (edit access)")
    async def write_document(self, request: Request, name: FromPath[str], caller: CallerDep, boards: BoardsDep,
                             rooms: RoomsDep, settings: SettingsDep, services: ServicesDep) -> None:
        require_write(await boards.document_access(caller.id, name), "this document")
        update = await request.body()
        limit = settings.max_update_bytes
        if len(update) > limit:
            raise ClientException(f"expected a Yjs update of at most {limit} bytes, got {len(update)}")
        room = await rooms.open(name)
        try:
            with services.projector.authored(room, caller.id):  # the change's author (a note's mentions name them)
                room.receive_update(update, Origin.LOCAL)
        except UPDATE_REFUSALS as exc:
            raise refused_update(exc) from None
