"""Unit checks from the hostile review of issues 13 and 14 (issue 14, R1)."""

from __future__ import annotations

from server.domain.throttle import key


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
