"""Who wrote a note's change (issue 18: a mention names its author): a note room's ``Tracker``
notes each change's person — the API caller inside ``Projector.authored``, nobody for a change
relayed from another node — one entry per run of one person's changes; the projection names the
author only when exactly one person wrote since the last run (``Projector._run``)."""

from __future__ import annotations

from uuid import uuid4

from server.documents.recorder import Sourced
from server.services.projection import Tracker
from server.sync.room import Origin


def test_a_note_tracker_notes_each_changes_person_once_per_run_of_changes():
    ada, bo = uuid4(), uuid4()
    tracker = Tracker("note:x", None, lambda t: None)
    tracker.local_author = ada
    for _ in range(5):  # Ada types: one entry, however many keystrokes
        tracker.changed(b"", Origin.LOCAL)
    assert tracker.editors == [ada]
    tracker.local_author = Sourced(bo, {"import": True})
    tracker.changed(b"", Origin.LOCAL)
    tracker.changed(b"", Origin.BUS)  # from another node: nobody known
    tracker.local_author = None
    tracker.changed(b"", Origin.LOCAL)
    assert tracker.editors == [ada, bo, None]
    assert len(set(tracker.editors)) != 1, "several people: the mention is told without a name"
    assert tracker.pending == [], "a note keeps no updates to replay (only boards record history)"
