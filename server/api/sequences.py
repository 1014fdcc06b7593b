"""``/api/workspaces/{id}/sequences`` (issue 17 item 6): e-mail sequences, enrolling contacts, the
enrolments' states; and the public unsubscribe link ``/u/{token}`` (a page with a button; a POST —
the button, or a mail client's one-click List-Unsubscribe — unsubscribes)."""

from __future__ import annotations

import html
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from server.api import sequence_types as types
from server.api.auth import CallerDep
from server.domain.accounts import InvalidInput
from server.services.sequences import SequencesService

SequencesDep = NamedDependency[SequencesService]


class SequenceController(Controller):
    path = "/api/workspaces/{workspace:uuid}"
    tags = ["email"]

    @get("/sequences", summary="The workspace's e-mail sequences")
    async def list(self, workspace: FromPath[UUID], caller: CallerDep,
                   sequences: SequencesDep) -> list[types.SequenceBody]:
        return [types.SequenceBody.of(s) for s in await sequences.list(caller, workspace)]

    @post("/sequences", summary="Make a sequence (members): steps of templates with delays, a send window")
    async def create(self, workspace: FromPath[UUID], data: JSONBody[types.NewSequence], caller: CallerDep,
                     sequences: SequencesDep) -> types.SequenceBody:
        return types.SequenceBody.of(await sequences.create(caller, workspace, data.name, data.domain_steps(),
                                                            data.domain_window()))

    @get("/sequences/{sequence:uuid}", summary="One sequence")
    async def one(self, workspace: FromPath[UUID], sequence: FromPath[UUID], caller: CallerDep,
                  sequences: SequencesDep) -> types.SequenceBody:
        return types.SequenceBody.of(await sequences.get(caller, workspace, sequence))

    @put("/sequences/{sequence:uuid}", summary="Change a sequence (members); running enrolments follow its steps")
    async def update(self, workspace: FromPath[UUID], sequence: FromPath[UUID], data: JSONBody[types.NewSequence],
                     caller: CallerDep, sequences: SequencesDep) -> types.SequenceBody:
        return types.SequenceBody.of(await sequences.update(caller, workspace, sequence, data.name,
                                                            data.domain_steps(), data.domain_window()))

    @delete("/sequences/{sequence:uuid}", summary="Delete a sequence and its enrolments (members)")
    async def remove(self, workspace: FromPath[UUID], sequence: FromPath[UUID], caller: CallerDep,
                     sequences: SequencesDep) -> None:
        await sequences.delete(caller, workspace, sequence)

    @post("/sequences/{sequence:uuid}/enrolments", status_code=200,
          summary="Enrol contacts (members; through the caller's mailbox): those that cannot be are listed with why")
    async def enrol(self, workspace: FromPath[UUID], sequence: FromPath[UUID], data: JSONBody[types.EnrolRequest],
                    caller: CallerDep, sequences: SequencesDep) -> types.EnrolResult:
        if (data.board_id is None) != (data.card_id is None):
            raise InvalidInput("board_id, card_id: expected both (a deal) or neither")
        deal = (data.board_id, data.card_id) if data.board_id is not None and data.card_id is not None else None
        result = await sequences.enrol(caller, workspace, sequence, list(data.contact_ids), deal)
        return types.EnrolResult([types.EnrolmentBody.of(e) for e in result.enrolled],
                                 [types.SkippedBody(s.contact, s.reason) for s in result.skipped])

    @get("/sequence-sending", summary="The caller's mailbox for sequences and its cap on mails per hour")
    async def sending(self, workspace: FromPath[UUID], caller: CallerDep,
                      sequences: SequencesDep) -> types.SendingBody:
        found = await sequences.sending(caller, workspace)
        return types.SendingBody(found.mailbox, found.per_hour, found.default)

    @put("/sequence-sending", summary="Set the caller's mailbox's cap on sequence mails per hour (null: the default)")
    async def set_cap(self, workspace: FromPath[UUID], data: JSONBody[types.CapBody], caller: CallerDep,
                      sequences: SequencesDep) -> types.SendingBody:
        found = await sequences.set_cap(caller, workspace, data.per_hour)
        return types.SendingBody(found.mailbox, found.per_hour, found.default)

    @get("/enrolments", summary="Enrolments of a sequence or of a contact, newest first, with their state")
    async def enrolments(self, workspace: FromPath[UUID], caller: CallerDep, sequences: SequencesDep,
                         sequence: FromQuery[UUID | None] = None,
                         contact: FromQuery[UUID | None] = None) -> list[types.EnrolmentBody]:
        found = await sequences.enrolments(caller, workspace, sequence=sequence, contact=contact)
        return [types.EnrolmentBody.of(e) for e in found]

    @post("/enrolments/{enrolment:uuid}/stop", status_code=200, summary="Stop an enrolment (members)")
    async def stop(self, workspace: FromPath[UUID], enrolment: FromPath[UUID], caller: CallerDep,
                   sequences: SequencesDep) -> types.EnrolmentBody:
        return types.EnrolmentBody.of(await sequences.stop(caller, workspace, enrolment))

    @post("/enrolments/{enrolment:uuid}/resume", status_code=200,
          summary="Resume a paused enrolment (members): its step is tried again now")
    async def resume(self, workspace: FromPath[UUID], enrolment: FromPath[UUID], caller: CallerDep,
                     sequences: SequencesDep) -> types.EnrolmentBody:
        return types.EnrolmentBody.of(await sequences.resume(caller, workspace, enrolment))


_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
         'content="width=device-width, initial-scale=1"><title>{title}</title><style>body{{font:16px system-ui,'
         'sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}button{{font:inherit;padding:.6rem '
         '1.2rem}}</style></head><body><h1>{title}</h1>{body}</body></html>')
_HEADERS = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


def _page(title: str, body: str) -> Response[str]:
    return Response(_PAGE.format(title=title, body=body), media_type="text/html", headers=_HEADERS)


@get("/u/{token:str}", tags=["email"], include_in_schema=False,
     summary="An unsubscribe link: a page asking to confirm (a link scanner's GET unsubscribes nobody)")
async def unsubscribe_page(token: FromPath[str], sequences: SequencesDep) -> Response[str]:
    address = html.escape(await sequences.unsubscribe_address(token))
    return _page("Unsubscribe", f"<p>Stop these e-mails to <b>{address}</b>? / Diese E-Mails an <b>{address}</b> "
                                f"abbestellen?</p><form method=\"post\"><button type=\"submit\">Unsubscribe / "
                                f"Abmelden</button></form>")


@post("/u/{token:str}", tags=["email"], include_in_schema=False, status_code=200,
      summary="Unsubscribe (the page's button, or a mail client's List-Unsubscribe one-click POST)")
async def unsubscribe(token: FromPath[str], sequences: SequencesDep) -> Response[str]:
    address = html.escape(await sequences.unsubscribe(token))
    return _page("Unsubscribed", f"<p><b>{address}</b> will get no more of these e-mails. / "
                                 f"<b>{address}</b> bekommt diese E-Mails nicht mehr.</p>")
