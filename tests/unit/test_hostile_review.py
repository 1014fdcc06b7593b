"""Unit checks from the hostile review of issues 13 and 14 (issue 14, R1)."""

from __future__ import annotations

import pytest
from pycrdt import Doc, Map

from server.domain.throttle import key
from server.protocol.update_bounds import MalformedUpdate, check_update


def test_an_ipv6_address_is_throttled_as_its_64_network():
    # Any IPv6 client holds a /64: counting per address let it rotate past every per-address limit.
    one, other = key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert one == other == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != one
    assert key("ada@example.com", "2001:db8:1:2::7") == key("Ada@example.com", "2001:db8:1:2::8")


def test_ipv4_addresses_and_mapped_ones_are_one_key_and_e_mails_stay_as_they_are():
    assert key("::ffff:192.0.2.7") == key("192.0.2.7") == "192.0.2.7"
    assert key("192.0.2.7") != key("192.0.2.8")
    assert key(" Ada@Example.com ") == "ada@example.com"
    assert key("unknown") == "unknown"


def _with_integer(value: int, *, raw: bytes | None = None) -> bytes:
    """A one-entry map update whose value is the lib0 signed varint (Any tag 125) of ``value``
    (what Yjs writes for an integer), or ``raw`` varint bytes."""
    doc = Doc()
    doc["m"] = Map()
    doc.get("m", type=Map)["k"] = 5.0
    update = doc.get_update()
    at = update.index(bytes.fromhex("7c40a00000"))  # pycrdt writes 5.0 as an f32
    if raw is None:
        magnitude, out = abs(value), []
        out.append((magnitude & 0x3F) | (0x40 if value < 0 else 0) | (0x80 if magnitude >> 6 else 0))
        magnitude >>= 6
        while magnitude:
            out.append((magnitude & 0x7F) | (0x80 if magnitude >> 7 else 0))
            magnitude >>= 7
        raw = bytes(out)
    return update[:at] + bytes([125]) + raw + update[at + 5:]


def test_integers_yjs_writes_are_accepted_as_pycrdt_and_yjs_read_them_alike():
    for value in (0, 5, -5, 2**31 - 1, -(2**31), 2**53 - 1, -(2**53 - 1)):
        update = _with_integer(value)
        check_update(update)
        doc = Doc()
        doc.apply_update(update)
        assert doc.get("m", type=Map)["k"] == value


def test_an_integer_past_2_53_is_refused_because_yjs_throws_or_rounds_and_yrs_wraps_it():
    # 2**70-1 in ten bytes: stock Yjs throws "Integer out of Range" on the whole update (every
    # browser relayed it, or loading it, failed) while pycrdt read it as -1 and stored it.
    wrapped = _with_integer(0, raw=bytes([0xBF] + [0xFF] * 8 + [0x0F]))
    doc = Doc()
    doc.apply_update(wrapped)
    assert doc.get("m", type=Map)["k"] == -1, "what pycrdt alone makes of it"
    for update in (wrapped, _with_integer(2**53), _with_integer(-(2**53)), _with_integer(2**60)):
        with pytest.raises(MalformedUpdate, match="2\\*\\*53-1"):
            check_update(update)
