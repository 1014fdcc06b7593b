"""Tracking tokens, rewritten links and privacy proxies (``server.domain.tracking``), pure."""

from __future__ import annotations

import uuid

from server.domain.tracking import from_privacy_proxy, sign, tracking_key, verify, with_tracking

KEY = tracking_key("a server key")
EMAIL = uuid.uuid4()


def test_a_signed_link_says_where_it_goes_and_an_altered_or_foreign_one_says_nothing():
    token = sign(KEY, EMAIL, "click", "https://example.com/offer?a=1&b=2")
    assert verify(KEY, token) == (EMAIL, "click", "https://example.com/offer?a=1&b=2")
    assert verify(KEY, sign(KEY, EMAIL, "open")) == (EMAIL, "open", None)
    body, mac = token.split(".")
    forged = sign(tracking_key("another key"), EMAIL, "click", "https://evil.test/")
    assert verify(KEY, forged) is None
    assert verify(KEY, f"{forged.split('.')[0]}.{mac}") is None  # another target under the real MAC
    assert verify(KEY, f"{body[:-2]}.{mac}") is None and verify(KEY, body) is None and verify(KEY, "") is None
    assert verify(KEY, "!!.??") is None


def test_only_http_links_are_redirected_to():
    assert verify(KEY, sign(KEY, EMAIL, "click", "javascript:alert(1)")) is None


def test_links_go_through_the_redirect_and_the_pixel_is_appended():
    html = with_tracking('<p><a href="https://a.test/x?y=1&amp;z=2" rel="noopener">x</a> <a href="mailto:b@c.d">b</a></p>',
                         lambda url: f"https://crm.test/t/c/[{url}]", "https://crm.test/t/o/p")
    assert '<a href="https://crm.test/t/c/[https://a.test/x?y=1&z=2]" rel="noopener">' in html
    assert '<a href="mailto:b@c.d">' in html
    assert html.endswith('<img src="https://crm.test/t/o/p" width="1" height="1" alt="" style="display:none">')


def test_apple_and_google_proxies_are_told_from_people():
    assert from_privacy_proxy("17.58.1.1", "Mozilla/5.0") is True
    assert from_privacy_proxy("203.0.113.9", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
                                             "GoogleImageProxy)") is True
    assert from_privacy_proxy("203.0.113.9", "Thunderbird/128.0") is False
    assert from_privacy_proxy(None, "") is False and from_privacy_proxy("not an ip", "") is False
