"""Expertise over HTTP (docs/expertise.md): the workspace's expertise tags (admins manage them),
each member's tags (admins set anyone's, a member their own) and "who should take this"."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from server.api.auth import CallerDep
from server.domain.accounts import InvalidInput
from server.domain.crm import now_utc
from server.domain.expertise import Match, Tag
from server.services.expertise import ExpertiseService

ExpertiseDep = NamedDependency[ExpertiseService]


class ExpertiseTag(msgspec.Struct):
    id: UUID
    name: str


class MemberExpertise(msgspec.Struct):
    user: UUID
    tags: list[UUID]


class ExpertiseOverview(msgspec.Struct):
    tags: list[ExpertiseTag]
    members: list[MemberExpertise]  # members with at least one tag


class TagBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class MemberTagsBody(msgspec.Struct, forbid_unknown_fields=True):
    tags: list[UUID]


class Suggested(msgspec.Struct):
    person: UUID
    name: str
    has: list[str]  # the wanted tags they have
    lacks: list[str]  # the wanted tags they do not (only when nobody has all)
    hours: float  # booked this week
    capacity: float  # their working week
    free: float
    overdue: int
    reason: str  # in English: "has Französisch, Maschinenbau; 12 of 40 h booked"


class Suggestions(msgspec.Struct):
    wanted: list[ExpertiseTag]
    complete: bool  # the suggested have every wanted tag (false: the most of them, or nobody)
    suggestions: list[Suggested]


def _tag(tag: Tag) -> ExpertiseTag:
    return ExpertiseTag(tag.id, tag.name)


def _suggestions(found: Match) -> Suggestions:
    return Suggestions([_tag(t) for t in found.wanted], found.complete, [
        Suggested(s.person, s.name, list(s.has), list(s.lacks), s.hours, s.capacity, round(s.free, 2), s.overdue,
                  s.reason) for s in found.suggestions])


def _ids(raw: str) -> list[UUID]:
    try:
        return [UUID(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"tags: expected tag ids separated by commas, got {raw[:80]!r}") from None


def _today(raw: str) -> date:
    try:
        return date.fromisoformat(raw) if raw else now_utc().date()
    except ValueError:
        raise InvalidInput(f"today: expected a date YYYY-MM-DD, got {raw[:20]!r}") from None


class ExpertiseController(Controller):
    path = "/api/workspaces/{workspace:uuid}/expertise"
    tags = ["expertise"]

    @get("/", summary="The workspace's expertise tags and each member's (members)")
    async def overview(self, workspace: FromPath[UUID], caller: CallerDep,
                       expertise_service: ExpertiseDep) -> ExpertiseOverview:
        found = await expertise_service.overview(caller, workspace)
        return ExpertiseOverview([_tag(t) for t in found.tags],
                                 [MemberExpertise(user, tags) for user, tags in found.members.items()])

    @post("/tags", summary="Add an expertise tag (owners and admins)")
    async def add_tag(self, workspace: FromPath[UUID], data: JSONBody[TagBody], caller: CallerDep,
                      expertise_service: ExpertiseDep) -> ExpertiseTag:
        return _tag(await expertise_service.put_tag(caller, workspace, data.name))

    @put("/tags/{tag:uuid}", summary="Rename an expertise tag (owners and admins)")
    async def rename_tag(self, workspace: FromPath[UUID], tag: FromPath[UUID], data: JSONBody[TagBody],
                         caller: CallerDep, expertise_service: ExpertiseDep) -> ExpertiseTag:
        return _tag(await expertise_service.put_tag(caller, workspace, data.name, tag))

    @delete("/tags/{tag:uuid}", status_code=204, summary="Remove an expertise tag, from every member too (admins)")
    async def remove_tag(self, workspace: FromPath[UUID], tag: FromPath[UUID], caller: CallerDep,
                         expertise_service: ExpertiseDep) -> None:
        await expertise_service.remove_tag(caller, workspace, tag)

    @put("/members/{user:uuid}", summary="Set a member's expertise tags (admins: anyone's; a member: their own)")
    async def set_member(self, workspace: FromPath[UUID], user: FromPath[UUID], data: JSONBody[MemberTagsBody],
                         caller: CallerDep, expertise_service: ExpertiseDep) -> MemberExpertise:
        return MemberExpertise(user, await expertise_service.set_member(caller, workspace, user, data.tags))

    @get("/suggest", summary="Who should take work wanting these tags, and those a deal's labels and values name")
    async def suggest(self, workspace: FromPath[UUID], caller: CallerDep, expertise_service: ExpertiseDep,
                      tags: FromQuery[str] = "", word: FromQuery[list[str] | None] = None,
                      today: FromQuery[str] = "", limit: FromQuery[int] = 3,
                      board: FromQuery[UUID | None] = None, card: FromQuery[UUID | None] = None) -> Suggestions:
        if not 1 <= limit <= 50:
            raise InvalidInput(f"limit: expected 1 to 50, got {limit}")
        found = await expertise_service.suggest(caller, workspace, _ids(tags), [w[:200] for w in (word or [])[:50]],
                                        _today(today), now_utc(), limit, (board, card) if board and card else None)
        return _suggestions(found)
