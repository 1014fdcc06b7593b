"""The pick lists in the workspace document (``workspace:<id>``, SHAPES.md): ``lostReasons``, a
Y.Array of strings, and ``labels``, a Y.Array of Y.Maps ``{name, colour}``. Only the server
writes them (after an admin's request), replacing a list whole; every member reads them live."""

from __future__ import annotations

from pycrdt import Array, Doc, Map

from server.domain.workspace_lists import LABEL_COLOURS, Label, PickLists


def read_lists(doc: Doc) -> PickLists:
    """The lists as stored; entries that do not fit the shape are skipped."""
    reasons = [r for r in doc.get("lostReasons", type=Array).to_py() if isinstance(r, str) and r.strip()]
    labels = []
    for entry in doc.get("labels", type=Array):
        if isinstance(entry, Map) and isinstance(entry.get("name"), str):
            colour = entry.get("colour")
            labels.append(Label(entry["name"], colour if colour in LABEL_COLOURS else "grey"))
    return PickLists(reasons, labels)


def write_lost_reasons(doc: Doc, reasons: list[str]) -> None:
    target = doc.get("lostReasons", type=Array)
    if target.to_py() != reasons:
        target.clear()
        target.extend(reasons)


def write_labels(doc: Doc, labels: list[Label]) -> None:
    target = doc.get("labels", type=Array)
    if read_lists(doc).labels != labels or len(target) != len(labels):
        target.clear()
        target.extend([Map({"name": label.name, "colour": label.colour}) for label in labels])
