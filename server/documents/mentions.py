"""The @mentions in a note document: Tiptap's mention nodes, stored by y-prosemirror in the note's
``content`` fragment as ``<mention id="<user id>" label="<name>">`` elements (issue 18 item 3)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pycrdt import Doc, XmlElement, XmlFragment

from server.domain.notification_settings import mentioned_ids

MENTION = "mention"  # the node's name (Tiptap's Mention extension)


def note_mentions(doc: Doc) -> set[UUID]:
    """The user ids the note's mention nodes name, wherever they sit (lists, quotes, tables)."""
    ids: list[Any] = []
    stack: list[Any] = list(doc.get("content", type=XmlFragment).children)
    while stack:  # no recursion: a note may nest deep
        node = stack.pop()
        if not isinstance(node, XmlElement):
            continue
        if node.tag == MENTION:
            ids.append(node.attributes.get("id"))
        else:
            stack.extend(node.children)
    return mentioned_ids([i for i in ids if i is not None])
