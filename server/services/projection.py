"""The SQL projection of board and note documents: live after each commit, and rebuilt on demand.

``project(document)`` is one function of what is *stored*: in one transaction, under a
per-document advisory lock, it reads the document's snapshot and log, reads it back into domain
values (``server.documents.read``), diffs them against the tables and writes the difference.
Stored state only grows, so any node may project any document, twice or concurrently, and the
tables converge on the same rows — and ``rebuild`` (``python -m server project rebuild``) is the
same function run over every document, so it gives identical tables.

Live: each open board or note room gets a ``Tracker`` as its ``RoomListener``. Per change it
appends ``(update, author, time)`` to a list and makes sure a run is scheduled ``delay`` seconds
later (O(1); a throttle, not a reset: changes meanwhile join that run) — or, when the document's
last run was slow, ``BUSY`` times its duration later (bounded: ``MOST_DELAY``, half the automation
settle time), so a busy process projects each board less often with more changes per run. A run replays the
queued updates on the board's shadow (``server.documents.recorder``) to record card history with
its authors — only for changes made on this node, so nothing is counted twice — and, if this
node committed something of the room since the last run, projects. A failed run keeps its
events and is retried after an exponentially growing pause, at most ``attempts`` times in a row;
then only the document's next change (or shutdown) runs it again — a run reads the document's
whole stored history, so it must never loop. There is one tracker per document: a room reopened
while the closed room's tracker still waits (or fails) takes over its events instead of adding a
second retry loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple
from uuid import UUID

from pycrdt import Doc

from server.documents.mentions import note_mentions
from server.documents.read import ReadCache, read_board, read_note
from server.documents.recorder import REMOTE, Recorder, Sourced
from server.domain.crm import BoardState, CardEvent, Deal, now_utc
from server.domain.history import HISTORY_KINDS, reconcile
from server.domain.projection import Table, activity_record, deal_record, stage_record, work_item_record
from server.services.automation_events import enqueue_events
from server.services.feed import ChangeFeed
from server.services.file_removal import forget_deals
from server.services.ports.entry_links import ACTIVITY, CARD, EntryLink
from server.services.ports.unit import Begin, Unit
from server.services.notify import activities_assigned, deals_changed, note_mentioned
from server.services.reminders import schedule_reminders
from server.sync.connection import Connection
from server.sync.room import Origin, Room
from server.services.webhooks import BoardChange, emit_board_changes

log = logging.getLogger(__name__)
# A document's next run waits at least BUSY times as long as its last run took (wall clock), at most
# MOST_DELAY: on an idle server that is the configured delay; when runs are slow because the loop or
# the database is busy, each document is projected less often, with more changes per run, instead
# of projections taking the time the edits and automation jobs need (docs/performance.md); at most
# half the automation settle time, so a burst of edits still reaches the queue as one settled event.
BUSY = 3.0
MOST_DELAY = 1.0


class Projected(NamedTuple):
    """What one projection wrote."""

    document: str
    upserted: int
    deleted: int
    events: int


class Tracker:
    """Implements ``server.sync.ports.RoomListener`` for one open board or note room."""

    __slots__ = ("document", "recorder", "pending", "local_author", "dirty", "gone", "handle", "task", "events",
                 "failures", "sources", "took", "editors", "_schedule")

    def __init__(self, document: str, recorder: Recorder | None, schedule: Callable[[Tracker], None]) -> None:
        self.document = document
        self.recorder = recorder
        self.pending: list[tuple[bytes, Any, float]] = []
        self.local_author: UUID | Sourced | None = None  # the API caller, around a LOCAL change
        self.dirty = False  # committed since the last projection
        self.gone = False
        self.handle: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None
        self.events: list[CardEvent] = []  # recorded, not yet written
        self.sources: list[dict[str, Any] | None] = []  # each event's source (Sourced), alongside
        self.failures = 0  # failed runs in a row
        self.took = 0.0  # seconds the last run took (wall clock: a busy loop or database stretches it)
        # Who made each change since the last run (None: relayed from another node, or no person):
        # a note's new @mentions name their author when exactly one person wrote in between.
        self.editors: list[UUID | None] = []
        self._schedule = schedule

    def changed(self, update: bytes, origin: object) -> None:
        if origin is Origin.BUS:
            author: Any = REMOTE
        elif isinstance(origin, Connection):
            author = getattr(origin.user, "id", None)
        else:
            author = self.local_author
        person = author.user if isinstance(author, Sourced) else author
        if self.recorder is None:
            editor = person if isinstance(person, UUID) else None
            if not self.editors or self.editors[-1] != editor:  # runs of one person's keystrokes: one entry
                self.editors.append(editor)
        if self.recorder is None:
            return
        self.pending.append((update, author, time.time()))
        self._schedule(self)  # O(1) once scheduled; a run with nothing committed only replays

    def committed(self) -> None:
        self.dirty = True
        self._schedule(self)

    def released(self) -> None:
        self.gone = True
        self._schedule(self)


class Projector:
    """Live projection of open documents, and ``project`` / ``rebuild`` of stored ones."""

    def __init__(self, begin: Begin, *, delay: float = 0.1, retry: float = 1.0, attempts: int = 6,
                 settle: float | None = None) -> None:
        self._begin = begin
        self._settle = settle  # automation events wait this long to settle; None: none are enqueued
        # Never so slow that a burst's later changes reach the queue after its settled job ran.
        self._most_delay = min(MOST_DELAY, settle / 2) if settle else MOST_DELAY
        self._delay, self._retry, self._attempts = delay, retry, attempts
        self._trackers: dict[str, Tracker] = {}  # one per open (or just closed) document
        self._problems: dict[str, set[str]] = {}
        self._caches: dict[str, ReadCache] = {}  # open boards: entries decoded last time
        self.projections = 0
        self.failures = 0
        self.seconds = 0.0  # spent in project(), summed
        self.replay_seconds = 0.0  # spent replaying updates on shadows, summed
        self.lags: deque[float] = deque(maxlen=10_000)  # seconds from a change to its projection
        # create_app sets it: a live run that changed activities notes ``activities:<board>`` in the
        # workspace feed, after its commit, so to-do lists and calendars refetch (issue 18)
        self.feed: ChangeFeed | None = None

    async def __aenter__(self) -> Projector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Project whatever is pending (called after the committer drained)."""
        for tracker in list(self._trackers.values()):
            if tracker.handle is not None:
                tracker.handle.cancel()
                tracker.handle = None
            if tracker.task is not None:
                await asyncio.gather(tracker.task, return_exceptions=True)
            if tracker.pending or tracker.dirty or tracker.events:
                await self._run(tracker)

    def idle(self) -> bool:
        """Nothing waits to be projected on this node (tests and benchmarks wait for this)."""
        return not any((t.handle or t.task or t.pending or t.dirty or t.events) and not self._gave_up(t)
                       for t in self._trackers.values())

    @property
    def following(self) -> int:
        """Documents with a tracker: open rooms, and closed ones whose last run is still due."""
        return len(self._trackers)

    def _gave_up(self, tracker: Tracker) -> bool:
        return tracker.failures >= self._attempts and tracker.handle is None and tracker.task is None

    # --- live --------------------------------------------------------------------------------

    def attach(self, room: Room) -> None:
        """``Rooms``' ``on_open``: follow board and note rooms."""
        kind = room.name.partition(":")[0]
        if kind not in ("board", "note"):
            return
        try:
            recorder = Recorder(room.doc.get_update()) if kind == "board" else None
        except Exception:
            log.exception("could not follow %s; it is projected without history", room.name)
            recorder = None
        tracker = Tracker(room.name, recorder, self._schedule)
        previous = self._trackers.get(room.name)
        self._trackers[room.name] = tracker
        if previous is not None and previous.task is None:
            self._hand_over(previous, tracker)  # a running one hands over when its run ends
        self._caches.setdefault(room.name, ReadCache())
        room.listener = tracker

    def _hand_over(self, old: Tracker, new: Tracker) -> None:
        """``old`` (a closed room's) is replaced by ``new``: its unwritten history moves over, and
        it stops — so reopening a room never adds a second retry loop (issue 13)."""
        if old.handle is not None:
            old.handle.cancel()
            old.handle = None
        if old.recorder is not None:
            if old.pending:
                _add_replayed(old, old.recorder.replay_sourced(old.pending))
            old.recorder.close()
        new.events[:0], new.dirty = old.events, new.dirty or old.dirty or bool(old.events)
        new.sources[:0] = old.sources
        old.pending, old.events, old.sources, old.dirty = [], [], [], False
        if new.events or new.dirty:
            self._schedule(new)

    @contextmanager
    def authored(self, room: Room, author: UUID | None, source: dict[str, Any] | None = None) -> Iterator[None]:
        """Attribute the LOCAL changes made inside (``room.change``) to ``author``; ``source`` (an
        import, an automation rule) travels with their events to the automation jobs."""
        tracker = room.listener if isinstance(room.listener, Tracker) else None
        if tracker is not None:
            tracker.local_author = author if source is None else Sourced(author, source)
        try:
            yield
        finally:
            if tracker is not None:
                tracker.local_author = None

    def _schedule(self, tracker: Tracker, delay: float | None = None) -> None:
        if tracker.handle is None and tracker.task is None:
            loop = asyncio.get_running_loop()
            if delay is None:  # a busy process projects each document less often, more changes per run
                delay = min(max(self._delay, BUSY * tracker.took), max(self._delay, self._most_delay))
            tracker.handle = loop.call_later(delay, self._start, tracker)

    def _start(self, tracker: Tracker) -> None:
        tracker.handle = None
        tracker.task = asyncio.get_running_loop().create_task(self._run_and_reschedule(tracker))

    async def _run_and_reschedule(self, tracker: Tracker) -> None:
        started = time.monotonic()
        ok = await self._run(tracker)
        tracker.took = time.monotonic() - started
        tracker.task = None
        current = self._trackers.get(tracker.document)
        if current is not tracker:  # its room was reopened meanwhile
            if current is not None:
                self._hand_over(tracker, current)
        elif not ok:
            self._retry_later(tracker)
        elif tracker.pending or tracker.dirty:
            self._schedule(tracker)
        elif tracker.gone:
            self._forget(tracker)

    def _retry_later(self, tracker: Tracker) -> None:
        """Back off exponentially; after ``attempts`` failures in a row wait for the next change."""
        if tracker.failures < self._attempts:
            self._schedule(tracker, self._retry * 2 ** (tracker.failures - 1))
            return
        log.error("projection failed %d times in a row; retried on the document's next change", tracker.failures,
                  extra={"document": tracker.document})
        if tracker.gone:
            self._forget(tracker)

    def _forget(self, tracker: Tracker) -> None:
        del self._trackers[tracker.document]
        self._caches.pop(tracker.document, None)
        if tracker.recorder is not None:
            tracker.recorder.close()

    async def _run(self, tracker: Tracker) -> bool:
        pending, tracker.pending = tracker.pending, []
        if tracker.recorder is not None and pending:
            started = time.perf_counter()
            _add_replayed(tracker, tracker.recorder.replay_sourced(pending))
            self.replay_seconds += time.perf_counter() - started
        if not (tracker.dirty or tracker.events):
            return True
        tracker.dirty = False
        events, sources = tracker.events, tracker.sources
        try:
            editors = list(tracker.editors)
            await self.project(tracker.document, events, sources=sources,
                               editor=editors[0] if len(set(editors)) == 1 else None)
        except Exception:
            self.failures += 1
            tracker.failures += 1
            tracker.dirty = True
            log.exception("projection failed (%d in a row)", tracker.failures, extra={"document": tracker.document})
            return False
        tracker.failures = 0
        tracker.editors = tracker.editors[len(editors):]
        tracker.events = tracker.events[len(events):]
        tracker.sources = tracker.sources[len(events):]
        now = time.time()
        self.lags.extend(now - at for _, author, at in pending if author is not REMOTE)
        return True

    # --- one document --------------------------------------------------------------------------

    async def project(self, document: str, events: list[CardEvent] = (), *, reconcile_history: bool = False,
                      fresh: bool = False, sources: list[dict[str, Any] | None] | None = None,
                      editor: UUID | None = None) -> Projected:
        """Bring the tables in line with the stored ``document``; add ``events`` to its history and,
        in the same transaction, enqueue their automation jobs (``sources``: each event's source).
        ``editor``: who made the document's last change (a note's new @mentions name them)."""
        started = time.perf_counter()
        try:
            return await self._project(document, events, reconcile_history, fresh, sources, editor)
        finally:
            self.seconds += time.perf_counter() - started

    async def _project(self, document: str, events: list[CardEvent], reconcile_history: bool,
                       fresh: bool, sources: list[dict[str, Any] | None] | None = None,
                       editor: UUID | None = None) -> Projected:
        async with self._begin() as tx:
            await tx.projected_documents.lock(document)
            found = await tx.projected_documents.get(document)
            if found is None or found.kind not in ("board", "note"):
                return Projected(document, 0, 0, 0)
            doc = Doc()
            for update in await tx.projected_documents.stored_updates(document):
                doc.apply_update(update)
            if found.kind == "note":
                return await self._project_note(tx, document, doc, found, editor)
            warn = _Warnings()
            state = read_board(doc, found.board_kind, warn, self._caches.get(document))
            diff: list[BoardChange] | None = None if (fresh or reconcile_history) else []
            deals: dict[UUID, Any] = {}
            written = await _write_board(tx, found.board_id, found.workspace_id, state, fresh, diff, deals)
            if reconcile_history:
                history = await tx.projection.events(found.board_id)
                events = [*events, *reconcile(state.cards.values(), history, now_utc())]
            await tx.projection.add_events(found.board_id, [e for e in events if e.kind in HISTORY_KINDS])
            if self._settle is not None and events and not reconcile_history:  # live changes only (issue 16)
                await enqueue_events(tx, found.workspace_id, found.board_id, events, sources, self._settle)
            if diff is not None:  # live changes only: a rebuild sends no webhooks (issue 16)
                await emit_board_changes(tx, found.workspace_id, found.board_id, diff, list(events), deals)
                await schedule_reminders(tx, found.workspace_id, found.board_id, diff, now_utc())  # issue 18
                await activities_assigned(tx, found.workspace_id, found.board_id, diff)  # issue 18 item 3
                await deals_changed(tx, found.workspace_id, found.board_id, events, deals)
            self._flush_warnings(document, warn)
        self.projections += 1
        if self.feed is not None and diff and any(change.kind == "activity" for change in diff):
            await self.feed.changed(found.workspace_id, [f"activities:{found.board_id}"])
        return Projected(document, written[0], written[1], len(events))

    async def _project_note(self, tx: Unit, document: str, doc: Doc, found: Any,
                            editor: UUID | None = None) -> Projected:
        warn = _Warnings()
        meta = read_note(doc, warn)
        self._flush_warnings(document, warn)
        if meta is not None:  # new @mentions notify the mentioned (issue 18, services/notify.py)
            await note_mentioned(tx, document, found.workspace_id, found.board_id, meta.title, note_mentions(doc),
                                 editor)
        if meta is not None and meta.title != await tx.notes.title(document):
            await tx.notes.set_title(document, meta.title)
            return Projected(document, 1, 0, 0)
        return Projected(document, 0, 0, 0)

    async def rebuild(self, *, fresh: bool = False) -> list[Projected]:
        """Project every stored board and note document, reconciling card history."""
        async with self._begin() as tx:
            documents = await tx.projected_documents.names()
        return [await self.project(name, reconcile_history=True, fresh=fresh) for name in documents]

    # --- warnings: each problem is logged once, when it first appears --------------------------

    def _flush_warnings(self, document: str, warn: _Warnings) -> None:
        """One warning per record with a problem not seen in the previous run."""
        seen = self._problems.get(document, set())
        by_record: dict[str, list[str]] = {}
        for problem in warn.problems:
            by_record.setdefault(_record_of(problem), []).append(problem)
        for record_, problems in by_record.items():
            if any(problem not in seen for problem in problems):
                log.warning("%s: content that does not fit its shape is skipped: %s", document, "; ".join(problems),
                            extra={"document": document})
        if warn.problems:
            self._problems[document] = set(warn.problems)
        else:
            self._problems.pop(document, None)


def _add_replayed(tracker: Tracker, sourced: list[tuple[CardEvent, dict[str, Any] | None]]) -> None:
    tracker.events += [event for event, _ in sourced]
    tracker.sources += [source for _, source in sourced]


def _record_of(problem: str) -> str:
    """``cards.<id>`` of ``cards.<id>.title: expected ...`` (a problem's first two path steps)."""
    return ".".join(problem.partition(":")[0].split(".")[:2])


class _Warnings:
    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, problem: str) -> None:
        self.problems.append(problem)


async def project_seed(tx: Unit, board: UUID, workspace: UUID, kind: str, seed: bytes) -> None:
    """Project a new board's seed in the transaction that registers it: its stages exist at once."""
    doc = Doc()
    doc.apply_update(seed)
    await _write_board(tx, board, workspace, read_board(doc, kind), fresh=False)


def _linked_deal(deal: Deal, link: EntryLink | None) -> Deal:
    """The deal with its contact and organisation, which live in SQL (``record_links``), not the document."""
    return deal._replace(contact=link.contact_id if link else None, organisation=link.organisation_id if link else None)


_WEBHOOK_KINDS = {Table.DEALS: "deal", Table.ACTIVITIES: "activity"}


async def _write_board(tx: Unit, board: UUID, workspace: UUID, state: BoardState, fresh: bool,
                       diff: list[BoardChange] | None = None, deals_out: dict[UUID, Any] | None = None,
                       ) -> tuple[int, int]:
    """Diff the board's records against the tables; write the difference. Returns (upserted, deleted).
    ``diff`` collects the deals and activities written or deleted (for webhooks), ``deals_out`` every deal."""
    links = await tx.entry_links.of_board(board)  # under the projection lock: set() waits for it
    deals = {c.id: deal_record(_linked_deal(c, links.get((CARD, c.id))))
             for c in state.cards.values() if isinstance(c, Deal)}
    items = {c.id: work_item_record(c) for c in state.cards.values() if not isinstance(c, Deal)}
    activities = {a.id: activity_record(a._replace(contact=link.contact_id if (link := links.get((ACTIVITY, a.id)))
                                                   else None))
                  for a in state.activities.values()}
    desired = {
        Table.STAGES: {s.id: stage_record(s, i) for i, s in enumerate(state.ordered_stages())},
        Table.DEALS: deals,
        Table.WORK_ITEMS: items,
        Table.ACTIVITIES: activities,
    }
    if deals_out is not None:
        deals_out.update(deals)
    upserted = deleted = 0
    for table, records in desired.items():
        current = {} if fresh else await tx.projection.records(table, board)
        if fresh:
            await tx.projection.clear(table, board)
        changed = [record for key, record in records.items() if current.get(key) != record]
        gone = [key for key in current if key not in records]
        if diff is not None and table in _WEBHOOK_KINDS:
            kind = _WEBHOOK_KINDS[table]
            diff += [BoardChange(kind, current.get(key), record) for key, record in records.items()
                     if current.get(key) != record]
            diff += [BoardChange(kind, current[key], None) for key in gone]
        if changed:
            await tx.projection.upsert(table, board, workspace, changed)
        if gone:
            await tx.projection.delete(table, board, gone)
            if table is Table.DEALS:  # a deal removed from its board takes its files (docs/files.md)
                await forget_deals(tx, workspace, board, gone)
        upserted, deleted = upserted + len(changed), deleted + len(gone)
    return upserted, deleted
