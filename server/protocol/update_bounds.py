"""A bounded check of an incoming Yjs update (format v1) before pycrdt ever sees its bytes.

Why it exists: yrs, under pycrdt, decodes ``Any`` values recursively, so an update of ~200 KB
holding an array nested 100,000 deep overflows the native stack inside ``apply_update`` — a
segfault, not an exception — and takes every socket of the process down with it. Stock Yjs (npm)
overflows its JavaScript stack from ~6,000 deep, so a board holding a value 20,000 deep loads
empty in every browser. Neither can be caught after the fact; the bytes must be refused first.

``check_update`` walks the whole update without recursion (an explicit stack for nested values)
and raises an ``UpdateRefused`` subclass for anything it does not accept:

- ``MalformedUpdate``: truncated or garbled bytes, unknown struct or content kinds, clocks past
  yrs's 32-bit clock, client ids past 2**53 (JavaScript could not read them back), invalid UTF-8
  (yrs reads strings unchecked), Embed/Format content that is not JSON, and the legacy JSON
  content (ref 2, never written by Yjs 13 or yrs, and read differently by the two: yrs reads
  one more string than Yjs, so the bytes after it would mean something else to pycrdt than to
  this check).
- ``UpdateTooDeep``: an ``Any`` value (or Embed/Format JSON, or a subdocument's options) nested
  more than ``max_depth`` containers deep, or a shared type nested more than ``max_depth`` types
  deep along the parent references inside the update.
- ``UpdateTooLarge``: more structs and delete ranges than ``max_structs``.

The format, from Yjs 13.6 (``utils/encoding.js`` readClientsStructRefs, ``structs/Item.js``
readItemContent, ``utils/DeleteSet.js`` readDeleteSet), lib0 ``decoding.js`` readAny, and
yrs ``update.rs`` / ``block.rs`` / ``any.rs`` where they differ (yrs takes GC and Skip only as
the exact info bytes 0 and 10, and masks the content ref with 4 bits where Yjs uses 5; both
agree on what this check accepts)::

    update    = varuint #clients, per client: varuint #structs, varuint client, varuint clock,
                #structs x struct;  then the delete set
    struct    = info u8: 0 -> GC varuint len | 10 -> Skip varuint len | else an Item:
                [left origin id if info&0x80] [right origin id if info&0x40]
                [if neither: varuint parent kind (1: root name string, else parent id),
                             parent key string if info&0x20]  content(info & 0x1f)
    content   = 1 Deleted len | 2 JSON len x string | 3 Binary bytes | 4 String string
              | 5 Embed json-string | 6 Format key-string json-string | 7 Type varuint ref
                (3 XmlElement and 5 XmlHook: + name string) | 8 Any len x any
              | 9 Doc guid-string any
    any       = u8 tag: 127 undefined, 126 null, 125 varint, 124 f32, 123 f64, 122 i64, 121
                false, 120 true, 119 string, 118 object (varuint n, n x (string, any)),
                117 array (varuint n, n x any), 116 bytes
    delete set = varuint #clients, per client: varuint client, varuint #ranges, #ranges x
                (varuint clock, varuint len)

Pure and transport-free; it runs on every incoming update, so it is written for the common
small update (a few structs): one pass, no objects per struct.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from server.protocol.messages import InvalidPayload, json_depth


class UpdateRefused(InvalidPayload):
    """An update this server does not accept; the subclasses say why."""


class MalformedUpdate(UpdateRefused):
    """Bytes that are not a Yjs v1 update both Yjs and yrs read the same way (close 1007, HTTP 422)."""


class UpdateTooDeep(UpdateRefused):
    """Values or types nested deeper than the limit (close 1007, HTTP 422)."""


class UpdateTooLarge(UpdateRefused):
    """More structs and delete ranges than the limit (close 1009, HTTP 413)."""


class Bounds(NamedTuple):
    """The limits an update is held to."""

    max_depth: int = 64
    max_structs: int = 200_000


class Checked(NamedTuple):
    """What a checked update holds: structs plus delete ranges, and its deepest nesting."""

    entries: int
    depth: int


_MAX_CLOCK = (1 << 32) - 1  # yrs keeps clocks in a u32
_MAX_CLIENT = (1 << 53) - 1  # Yjs keeps client ids (and integers) in a JavaScript number
_XML_NAMED = (3, 5)  # YXmlElement and YXmlHook carry a name
_FIXED = {124: 4, 123: 8, 122: 8}  # Any tags with a fixed-size payload


def check_update(update: bytes, bounds: Bounds = Bounds()) -> Checked:
    """Walk ``update`` and return what it holds; raise an ``UpdateRefused`` if it is refused."""
    try:
        return _walk(update, bounds.max_depth, bounds.max_structs)
    except IndexError:
        raise MalformedUpdate(f"update truncated: {len(update)} bytes end inside a struct") from None


# The walk is flat functions over (data, pos) with the one-byte varint read inline: it runs on
# every incoming update, where method calls and objects per struct would cost as much as the
# apply itself. An IndexError anywhere means the bytes ended early (``check_update`` says so).


def _walk(data: bytes, max_depth: int, max_structs: int) -> Checked:
    entries = deepest = 0
    types: dict[tuple[int, int], int] = {}  # shared type item id -> how deep it nests
    clients, pos = _uint(data, 0)
    for _ in range(clients):
        n = data[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = _uint(data, pos)
        entries += n + 1
        if entries > max_structs:
            raise UpdateTooLarge(f"update holds more than {max_structs} structs and delete ranges")
        client, pos = _client(data, pos)
        clock = data[pos]
        if clock < 0x80:
            pos += 1
        else:
            clock, pos = _uint(data, pos)
        for _ in range(n):
            info = data[pos]
            pos += 1
            if info == 0 or info == 10:  # GC, Skip: exactly these bytes, as yrs reads them
                length, pos = _uint(data, pos)
            else:
                length, pos, depth = _item(data, pos, info, client, clock, max_depth, types)
                if depth > deepest:
                    deepest = depth
            clock += length
        if clock > _MAX_CLOCK:
            raise MalformedUpdate(f"clock {clock} of client {client} is past {_MAX_CLOCK}")
    clients = data[pos]
    pos += 1
    if clients >= 0x80:
        clients, pos = _uint(data, pos - 1)
    for _ in range(clients):
        client, pos = _client(data, pos)
        n, pos = _uint(data, pos)
        entries += n + 1
        if entries > max_structs:
            raise UpdateTooLarge(f"update holds more than {max_structs} structs and delete ranges")
        for _ in range(n):
            clock, pos = _uint(data, pos)
            length, pos = _uint(data, pos)
            if clock + length > _MAX_CLOCK:
                raise MalformedUpdate(f"delete range of client {client} past clock {_MAX_CLOCK}")
    if pos != len(data):
        raise MalformedUpdate(f"{len(data) - pos} unexpected trailing bytes after byte {pos}")
    return Checked(entries, deepest)


def _item(
    data: bytes, pos: int, info: int, client: int, clock: int, max_depth: int, types: dict[tuple[int, int], int]
) -> tuple[int, int, int]:
    """Read one Item after its info byte; return (clock ticks, next position, nesting depth)."""
    ref = info & 0x1F
    if ref == 0 or ref > 9:
        raise MalformedUpdate(f"struct info {info} at byte {pos - 1}: expected content 1-9, GC (0) or Skip (10)")
    if info & 0x80:  # left origin
        _, pos = _client(data, pos)
        _, pos = _uint(data, pos)
    if info & 0x40:  # right origin
        _, pos = _client(data, pos)
        _, pos = _uint(data, pos)
    parent = None
    if not info & 0xC0:  # no origin to copy the parent from: it is written out
        kind = data[pos]
        pos += 1
        if kind == 1:
            _, pos = _string(data, pos)
        elif kind < 0x80:
            parent_client, pos = _client(data, pos)
            parent_clock, pos = _uint(data, pos)
            parent = (parent_client, parent_clock)
        else:
            raise MalformedUpdate(f"parent kind at byte {pos - 1}: expected 0 or 1")
        if info & 0x20:  # the key in a parent map
            _, pos = _string(data, pos)
    if ref == 4:  # String; Yjs counts its length in UTF-16 code units
        text, pos = _string(data, pos)
        return (len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2), pos, 0
    if ref == 8:  # Any
        n = data[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = _uint(data, pos)
        pos, depth = _any(data, pos, n, max_depth)
        return n, pos, depth
    if ref == 1:  # Deleted
        n, pos = _uint(data, pos)
        return n, pos, 0
    if ref == 7:
        pos, depth = _type(data, pos, parent, max_depth, types)
        types[(client, clock)] = depth
        return 1, pos, depth
    if ref == 3:  # Binary
        return 1, _skip_bytes(data, pos), 0
    if ref == 5:  # Embed
        pos, depth = _json(data, pos, max_depth)
        return 1, pos, depth
    if ref == 6:  # Format: a key, then JSON
        _, pos = _string(data, pos)
        pos, depth = _json(data, pos, max_depth)
        return 1, pos, depth
    if ref == 9:  # Doc: a guid and its options
        _, pos = _string(data, pos)
        pos, depth = _any(data, pos, 1, max_depth)
        return 1, pos, depth
    raise MalformedUpdate(f"legacy JSON content (ref 2) before byte {pos}: Yjs 13 writes Any (ref 8)")


def _type(
    data: bytes, pos: int, parent: tuple[int, int] | None, max_depth: int, types: dict[tuple[int, int], int]
) -> tuple[int, int]:
    """A shared type's content: its kind (and XML name). Its depth counts the types above it that
    this update names as parents; a parent outside the update counts as the root."""
    kind = data[pos]
    pos += 1
    if kind > 6:
        raise MalformedUpdate(f"shared type {kind} at byte {pos - 1}: expected 0-6")
    if kind in _XML_NAMED:
        _, pos = _string(data, pos)
    depth = types.get(parent, 0) + 1 if parent is not None else 1
    if depth > max_depth:
        raise UpdateTooDeep(f"shared types nest more than {max_depth} deep")
    return pos, depth


def _any(data: bytes, pos: int, count: int, max_depth: int) -> tuple[int, int]:
    """Read ``count`` Any values, nested containers on an explicit stack (never recursion);
    return the next position and the deepest nesting. Strings (keys and values: most of the
    bytes of a large sync step 2) are read inline, one-byte lengths first."""
    size = len(data)
    _claim(data, pos, count)
    stack: list[tuple[int, bool]] = []
    left, keyed, deepest = count, False, 0
    while True:
        if not left:
            if not stack:
                return pos, deepest
            left, keyed = stack.pop()
            continue
        left -= 1
        if keyed:
            n = data[pos]
            if n < 0x80 and pos + 1 + n <= size:
                key = data[pos + 1:pos + 1 + n]
                if not key.isascii():
                    _string(data, pos)  # validates, or says what is wrong
                pos += 1 + n
            else:
                _, pos = _string(data, pos)
        tag = data[pos]
        pos += 1
        if tag == 119:
            n = data[pos]
            if n < 0x80 and pos + 1 + n <= size:
                text = data[pos + 1:pos + 1 + n]
                if not text.isascii():
                    _string(data, pos)
                pos += 1 + n
            else:
                _, pos = _string(data, pos)
        elif tag == 118 or tag == 117:
            n, pos = _uint(data, pos)
            _claim(data, pos, n)
            level = len(stack) + 1
            if level > max_depth:
                raise UpdateTooDeep(f"a value nests more than {max_depth} deep (at byte {pos})")
            if level > deepest:
                deepest = level
            if n:
                stack.append((left, keyed))
                left, keyed = n, tag == 118
        elif tag == 125:
            pos = _skip_varint(data, pos)
        elif tag in _FIXED:
            pos = _skip(data, pos, _FIXED[tag])
        elif tag == 116:
            pos = _skip_bytes(data, pos)
        elif tag < 120:
            raise MalformedUpdate(f"value tag {tag} at byte {pos - 1}: expected 116-127")


def _json(data: bytes, pos: int, max_depth: int) -> tuple[int, int]:
    """A JSON text (Embed, Format): bounded in depth before it is parsed, and parsable by
    ``JSON.parse`` (no NaN or Infinity), or no browser could read the update back."""
    start = pos
    text, pos = _string(data, pos)
    depth = json_depth(text)
    if depth > max_depth:
        raise UpdateTooDeep(f"embedded JSON nests {depth} deep; the limit is {max_depth}")
    try:
        json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise MalformedUpdate(f"embedded content at byte {start} is not JSON") from None
    return pos, depth


# --- primitives ---------------------------------------------------------------------------------


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value, shift = byte & 0x7F, 7
    for i in range(pos + 1, pos + 10):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i + 1
        shift += 7
    raise MalformedUpdate(f"varint at byte {pos} is longer than 10 bytes")


def _skip_varint(data: bytes, pos: int) -> int:
    """Past a lib0 signed varint (sign in the first byte), refused beyond 2**53-1 either way: Yjs
    writes at most 31 bits here, lib0 throws "Integer out of Range" on a longer one (so every
    browser would fail on the update) or rounds it, and yrs wraps it to 64 bits (-1 for 2**70-1)."""
    magnitude, shift = data[pos] & 0x3F, 6
    for i in range(pos, pos + 10):
        if i > pos:
            magnitude |= (data[i] & 0x7F) << shift
            shift += 7
        if magnitude > _MAX_CLIENT:
            raise MalformedUpdate(f"integer at byte {pos} is past 2**53-1: Yjs cannot read it")
        if data[i] < 0x80:
            return i + 1
    raise MalformedUpdate(f"signed varint at byte {pos} is longer than 10 bytes")


def _client(data: bytes, pos: int) -> tuple[int, int]:
    client, pos = _uint(data, pos)
    if client > _MAX_CLIENT:
        raise MalformedUpdate(f"client id {client} before byte {pos} is past 2**53-1")
    return client, pos


def _claim(data: bytes, pos: int, n: int) -> None:
    """``n`` elements follow, each at least a byte: refuse counts the bytes cannot hold (yrs
    reserves room for the count before it reads the elements)."""
    if n > len(data) - pos:
        raise MalformedUpdate(f"{n} elements at byte {pos} cannot fit in {len(data) - pos} bytes")


def _skip(data: bytes, pos: int, n: int) -> int:
    end = pos + n
    if end > len(data):
        raise MalformedUpdate(f"{n} bytes at byte {pos} run past the end ({len(data)} bytes)")
    return end


def _skip_bytes(data: bytes, pos: int) -> int:
    n, pos = _uint(data, pos)
    return _skip(data, pos, n)


def _string(data: bytes, pos: int) -> tuple[str, int]:
    start = pos
    n = data[pos]
    if n < 0x80:
        pos += 1
    else:
        n, pos = _uint(data, pos)
    end = pos + n
    if end > len(data):
        raise MalformedUpdate(f"string of {n} bytes at byte {start} runs past the end ({len(data)} bytes)")
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise MalformedUpdate(f"string at byte {start} is not UTF-8: {exc.reason}") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")
