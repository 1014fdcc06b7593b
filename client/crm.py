"""CRM helpers on a synced session: open a board, add and move deals, assign tasks, write notes.

    async with open_board("ws://127.0.0.1:8000", board_id, token=token, user=me) as board:
        deal = board.add_deal("Acme renewal", value=12000, owner=me)
        board.move(deal, board.stage("Proposal made").id)
        board.add_activity("call", "Call Ada", assignee=me, due=date.today(), card=deal)
        await board.session.durable()   # committed on the server

    async with open_note("ws://127.0.0.1:8000", note_document, token=token) as note:
        note.write("Met the buyer.\\n\\nThey want a discount.")

Every helper is one Yjs transaction written as ``schema/documents/board.json`` says (the same
``server.documents.edits`` the server uses), so the browser app and the server read it alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from pycrdt import Map, XmlFragment

from client.session import Session, connect
from server.documents import edits
from server.documents.read import read_board, read_note
from server.domain.crm import Activity, BoardState, Card, NoteMeta, Stage, now_utc


def _quiet(problem: str) -> None:
    pass


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Board:
    """A board document on a live session; ``user`` is stamped as author (``createdBy``)."""

    def __init__(self, session: Session, kind: str, user: UUID | None = None) -> None:
        self.session, self.kind, self.user = session, kind, user

    @property
    def doc(self) -> Any:
        return self.session.doc

    def read(self) -> BoardState:
        return read_board(self.doc, self.kind, _quiet)

    def stages(self) -> list[Stage]:
        return self.read().ordered_stages()

    def stage(self, name: str) -> Stage:
        """The stage called ``name`` (``KeyError`` if none is)."""
        for stage in self.stages():
            if stage.name == name:
                return stage
        raise KeyError(f"no stage named {name!r}; the board has {[s.name for s in self.stages()]}")

    def column(self, stage: UUID) -> list[Card]:
        return self.read().column(stage)

    def card(self, card: UUID) -> Card:
        return self.read().cards[card]

    def add_deal(self, title: str, *, stage: UUID | None = None, position: int | None = None,
                 **fields: Any) -> UUID:
        """Add a deal (``value``, ``currency``, ``owner``, ``expected_close``, ``labels``...). Its contact and
        organisation are not in the document: set them through the API (``PATCH .../cards/{id}``)."""
        return self._add(title, stage, position, fields)

    def add_work_item(self, title: str, *, stage: UUID | None = None, position: int | None = None,
                      **fields: Any) -> UUID:
        """Add a work item (``description``, ``assignee``, ``due``, ``status``)."""
        return self._add(title, stage, position, fields)

    def move(self, card: UUID, stage: UUID, position: int | None = None) -> None:
        """Put ``card`` at ``position`` of ``stage`` (``None``: last): sets its stage and rank only."""
        with self.doc.transaction():
            edits.move_card(self.doc, self.kind, card, stage, position, now_utc())

    def update(self, card: UUID, **changes: Any) -> None:
        """Set fields of a card by their Python names (``expected_close=...``); ``None`` removes one."""
        with self.doc.transaction():
            edits.update_card(self.doc, self.kind, card, {_camel(k): v for k, v in changes.items()}, now_utc())

    def add_activity(self, type: str, title: str, *, assignee: UUID | None = None,
                     due: date | datetime | None = None, card: UUID | None = None, **fields: Any) -> UUID:
        """Add a call, meeting, email, todo or deadline, optionally assigned and linked to a card."""
        activity = uuid4()
        values = {"type": type, "title": title, "assignee": assignee, "due": due, "card": card,
                  **{_camel(k): v for k, v in fields.items()}}
        with self.doc.transaction():
            edits.add_activity(self.doc, activity, values, at=now_utc(), by=self.user)
        return activity

    def assign(self, activity: UUID, user: UUID | None) -> None:
        with self.doc.transaction():
            edits.update_activity(self.doc, activity, {"assignee": user}, now_utc())

    def complete(self, activity: UUID, done: bool = True) -> None:
        with self.doc.transaction():
            edits.update_activity(self.doc, activity, {"done": done}, now_utc())

    def activity(self, activity: UUID) -> Activity:
        return self.read().activities[activity]

    def _add(self, title: str, stage: UUID | None, position: int | None, fields: dict[str, Any]) -> UUID:
        state = self.read()
        stage = stage or state.ordered_stages()[0].id
        values = {"title": title, **{_camel(k): v for k, v in fields.items()}}
        if self.kind == "pipeline":
            values.setdefault("currency", state.settings.currency)
            values.setdefault("status", "open")
        card = uuid4()
        with self.doc.transaction():
            edits.add_card(self.doc, self.kind, card, values, stage=stage, position=position, at=now_utc(),
                           by=self.user)
        return card


class Note:
    """A note document on a live session: its meta and its rich text (as plain text here)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def meta(self) -> NoteMeta | None:
        return read_note(self.session.doc, _quiet)

    def write(self, text: str) -> None:
        """Append ``text`` as paragraphs (blank lines separate them)."""
        with self.session.doc.transaction():
            edits.add_note_text(self.session.doc, text)

    def text(self) -> str:
        content = self.session.doc.get("content", type=XmlFragment)
        return "\n\n".join(_plain(child) for child in content.children)


def _plain(node: Any) -> str:
    children = getattr(node, "children", None)
    if children is None:
        return str(node)
    return "".join(_plain(child) for child in children)


@asynccontextmanager
async def open_board(url: str, board: UUID | str, *, token: str | None = None, user: UUID | None = None,
                     kind: str | None = None) -> AsyncIterator[Board]:
    """Open ``board:<board>`` and yield a ``Board`` once synced; ``kind`` defaults to the board's own."""
    document = str(board) if str(board).startswith("board:") else f"board:{board}"
    async with connect(url, document, token=token) as session:
        if kind is None:
            kind = session.doc.get("settings", type=Map).get("kind") or "pipeline"
        yield Board(session, kind, user)


@asynccontextmanager
async def open_note(url: str, document: str, *, token: str | None = None) -> AsyncIterator[Note]:
    async with connect(url, document, token=token) as session:
        yield Note(session)
