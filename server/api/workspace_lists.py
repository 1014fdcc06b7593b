"""``/api/workspaces/{id}/lists``: the workspace's lost reasons and labels."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api.auth import CallerDep, client_address
from server.domain.workspace_lists import LABEL_COLOURS, PickLists
from server.services.workspace_lists import WorkspaceLists

WorkspaceListsDep = NamedDependency[WorkspaceLists]
Colour = Literal["grey", "red", "orange", "yellow", "green", "teal", "blue", "purple"]


class LabelItem(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]
    colour: Colour = "grey"


class Lists(msgspec.Struct):
    """``lost_reasons`` the "mark lost" dialog offers (in order; free text is always allowed too),
    ``labels`` for deals and contacts, and the ``colours`` a label may have."""

    lost_reasons: list[str]
    labels: list[LabelItem]
    colours: list[str]


class ListsChange(msgspec.Struct, forbid_unknown_fields=True):
    """Either list or both, each replacing the list whole in the order given."""

    lost_reasons: list[Annotated[str, msgspec.Meta(max_length=1000)]] | None = None
    labels: list[LabelItem] | None = None


class LabelRename(msgspec.Struct, forbid_unknown_fields=True):
    """Rename the label ``name`` (matched ignoring case) to ``new_name``."""

    name: Annotated[str, msgspec.Meta(max_length=200)]
    new_name: Annotated[str, msgspec.Meta(max_length=200)]


class LabelRenamed(msgspec.Struct):
    """The lists after the rename, and how many contacts and deals carried the label."""

    lists: Lists
    contacts: int
    deals: int


def _answer(lists: PickLists) -> Lists:
    return Lists(lists.lost_reasons, [LabelItem(label.name, label.colour) for label in lists.labels],  # type: ignore[arg-type]
                 list(LABEL_COLOURS))


class WorkspaceListsController(Controller):
    path = "/api/workspaces/{workspace:uuid}/lists"
    tags = ["workspaces"]

    @get("/", summary="The workspace's lost reasons and labels (members)")
    async def lists(self, workspace: FromPath[UUID], caller: CallerDep, workspace_lists: WorkspaceListsDep) -> Lists:
        return _answer(await workspace_lists.get(caller, workspace))

    @patch("/", summary="Replace the lost reasons and/or the labels (admins)")
    async def change(self, request: Request, workspace: FromPath[UUID], data: JSONBody[ListsChange],
                     caller: CallerDep, workspace_lists: WorkspaceListsDep) -> Lists:
        labels = None if data.labels is None else [{"name": i.name, "colour": i.colour} for i in data.labels]
        return _answer(await workspace_lists.change(caller, workspace, data.lost_reasons, labels,
                                                    client_address(request)))

    @post("/labels/rename", status_code=200, summary="Rename a label on the list, the deals and the contacts (admins)")
    async def rename_label(self, request: Request, workspace: FromPath[UUID], data: JSONBody[LabelRename],
                           caller: CallerDep, workspace_lists: WorkspaceListsDep) -> LabelRenamed:
        renamed = await workspace_lists.rename_label(caller, workspace, data.name, data.new_name,
                                                     client_address(request))
        return LabelRenamed(_answer(renamed.lists), renamed.contacts, renamed.deals)
