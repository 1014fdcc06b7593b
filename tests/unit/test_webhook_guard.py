"""The webhook receiver guard (SSRF), URL and event checks, and the signature (issue 16)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from server.domain.accounts import InvalidInput
from server.domain.webhooks import Refused, address_allowed, check_addresses, check_events, check_url, signature


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "10.255.1.2", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255",
    "100.64.0.1", "2002:7f00:1::", "64:ff9b::7f00:1", "not an address",
])
def test_loopback_private_link_local_multicast_reserved_and_unspecified_addresses_are_refused(address):
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address)


def test_a_host_with_any_refused_address_is_refused():
    assert check_addresses("example.com", ["93.184.215.14"]) == ["93.184.215.14"]
    with pytest.raises(Refused, match="private"):
        check_addresses("rebind.example", ["93.184.215.14", "127.0.0.1"])
    with pytest.raises(Refused, match="does not resolve"):
        check_addresses("nowhere.example", [])


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "example.com/hook", "http://",
                                 "https://user:pw@example.com/", "gopher://example.com", "http://[::1"])
def test_only_http_and_https_urls_with_a_host_and_no_credentials_are_receivers(url):
    with pytest.raises(InvalidInput):
        check_url(url)


def test_a_receiver_url_gives_its_host_and_port():
    receiver = check_url(" https://hooks.example.com/in?x=1 ")
    assert (receiver.url, receiver.scheme, receiver.host, receiver.port) == (
        "https://hooks.example.com/in?x=1", "https", "hooks.example.com", 443)
    assert check_url("http://[::ffff:127.0.0.1]:8080/").host == "::ffff:127.0.0.1"


def test_events_are_checked_and_kept_in_catalogue_order():
    assert check_events(["deal.won", "deal.created", "deal.won"]) == ["deal.created", "deal.won"]
    with pytest.raises(InvalidInput, match="deal.exploded"):
        check_events(["deal.exploded"])
    with pytest.raises(InvalidInput):
        check_events([])


def test_the_signature_is_an_hmac_sha256_of_the_timestamp_dot_body():
    body = b'{"event":"deal.won"}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature(b"whsec_x", 1700000000, body) == f"t=1700000000,v1={expected}"
