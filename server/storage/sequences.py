"""Postgres adapters of ``server.services.ports.sequences`` (SQL in ``sql/sequences.sql``)."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from server.domain.sequences import Enrolment, NewEnrolment, Reason, Sequence, SequenceDraft, State, Step, Window
from server.storage.queries import queries

SQL = queries("sequences")
_STEPS = msgspec.json.Decoder(list[Step])
_HOUR = timedelta(hours=1)


def _sequence(row: asyncpg.Record) -> Sequence:
    steps = row["steps"]
    return Sequence(row["id"], row["workspace_id"], row["name"],
                    tuple(_STEPS.decode(steps if isinstance(steps, (str, bytes)) else msgspec.json.encode(steps))),
                    Window(row["window_start"], row["window_end"], tuple(row["weekdays"]), row["time_zone"]),
                    row["created_at"], row["updated_at"])


def _values(draft: SequenceDraft) -> tuple[object, ...]:
    w = draft.window
    return (draft.name, msgspec.json.encode(draft.steps).decode(), w.start_hour, w.end_hour, list(w.weekdays),
            w.time_zone)


def enrolment_of(row: asyncpg.Record) -> Enrolment:
    deal = (row["board_id"], row["card_id"]) if row["board_id"] is not None else None
    return Enrolment(row["id"], row["sequence_id"], row["workspace_id"], row["contact_id"], row["enrolled_by"],
                     row["address"], State(row["state"]), row["step"], row["next_at"],
                     Reason(row["reason"]) if row["reason"] else None, row["detail"], tuple(row["thread"]),
                     row["first_subject"], row["created_at"], row["updated_at"], deal)


class PostgresSequences:
    """Implements ``Sequences`` (table ``sequences``; steps as a JSON array)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def all(self, workspace: UUID) -> list[Sequence]:
        return [_sequence(r) for r in await self._conn.fetch(SQL["all"], workspace)]

    async def get(self, workspace: UUID, sequence: UUID) -> Sequence | None:
        row = await self._conn.fetchrow(SQL["get"], workspace, sequence)
        return None if row is None else _sequence(row)

    async def add(self, workspace: UUID, draft: SequenceDraft, author: UUID | None) -> Sequence | None:
        row = await self._conn.fetchrow(SQL["add"], workspace, *_values(draft), author)
        return None if row is None else _sequence(row)

    async def update(self, workspace: UUID, sequence: UUID, draft: SequenceDraft) -> Sequence | None:
        row = await self._conn.fetchrow(SQL["update"], workspace, sequence, *_values(draft))
        return None if row is None else _sequence(row)

    async def remove(self, workspace: UUID, sequence: UUID) -> bool:
        return await self._conn.fetchval(SQL["remove"], workspace, sequence) is not None


class PostgresEnrolments:
    """Implements ``Enrolments`` (tables ``sequence_enrolments``, ``sequence_sends``, ``sequence_unsubscribes``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def enrol(self, new: NewEnrolment) -> Enrolment | None:
        board, card = new.deal if new.deal else (None, None)
        row = await self._conn.fetchrow(SQL["enrol"], new.sequence_id, new.workspace_id, new.contact_id, board, card,
                                        new.enrolled_by, new.address, new.next_at)
        return None if row is None else enrolment_of(row)

    async def get(self, enrolment: UUID, lock: bool = False) -> Enrolment | None:
        row = await self._conn.fetchrow(SQL["lock_enrolment" if lock else "get_enrolment"], enrolment)
        return None if row is None else enrolment_of(row)

    async def listed(self, workspace: UUID, *, sequence: UUID | None = None,
                     contact: UUID | None = None) -> list[Enrolment]:
        return [enrolment_of(r) for r in await self._conn.fetch(SQL["listed"], workspace, sequence, contact)]

    async def any_running(self, workspace: UUID) -> bool:
        return await self._conn.fetchval(SQL["any_running"], workspace) is not None

    async def save(self, e: Enrolment) -> None:
        await self._conn.execute(SQL["save"], e.id, str(e.state), e.step, e.next_at,
                                 str(e.reason) if e.reason else None, e.detail, list(e.thread), e.first_subject)

    async def stop_running(self, workspace: UUID, reason: Reason, *, thread: Seq[str] = (),
                           addresses: Seq[str] = (), contact: UUID | None = None,
                           enrolled_before: datetime | None = None) -> list[UUID]:
        rows = await self._conn.fetch(SQL["stop_running"], workspace, str(reason), list(thread),
                                      [a.lower() for a in addresses], contact, enrolled_before)
        return [r["id"] for r in rows]

    async def forget_contacts(self, contacts: Seq[UUID]) -> None:
        await self._conn.execute(SQL["forget_contacts"], list(contacts))

    async def take_send(self, mailbox: UUID, cap: int, now: datetime) -> datetime | None:
        await self._conn.execute(SQL["lock_mailbox"], str(mailbox))
        sent = await self._conn.fetchval(SQL["sends_in_hour"], mailbox, now)
        if sent >= cap:  # a slot frees when the send that made it `cap` too many is an hour old
            nth = await self._conn.fetchval(SQL["nth_send_in_hour"], mailbox, now, sent - cap)
            return nth + _HOUR
        await self._conn.execute(SQL["record_send"], mailbox, now)
        await self._conn.execute(SQL["forget_sends"], mailbox, now)
        return None

    async def cap(self, mailbox: UUID) -> int | None:
        return await self._conn.fetchval(SQL["cap"], mailbox)

    async def set_cap(self, mailbox: UUID, per_hour: int | None) -> None:
        await self._conn.execute(SQL["drop_cap" if per_hour is None else "set_cap"], mailbox,
                                 *([] if per_hour is None else [per_hour]))

    async def unsubscribe(self, workspace: UUID, address: str) -> None:
        await self._conn.execute(SQL["unsubscribe"], workspace, address)

    async def unsubscribed(self, workspace: UUID, addresses: Seq[str]) -> set[str]:
        rows = await self._conn.fetch(SQL["unsubscribed"], workspace, [a.lower() for a in addresses])
        return {r["address"] for r in rows}

