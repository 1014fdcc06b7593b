"""Pure pieces of the edge: what the log redacts, and the CSP a request gets."""

from __future__ import annotations

import pytest

from server.api.headers import content_security_policy
from server.logs import redact


@pytest.mark.parametrize(("line", "expected"), [
    ('1.2.3.4:5 - "WebSocket /sync/board:x?durable=1&token=abc-DEF_12" [accepted]',
     '1.2.3.4:5 - "WebSocket /sync/board:x?durable=1&token=[redacted]" [accepted]'),
    ("GET /invite/Zm9v_-bar?x=1", "GET /invite/[redacted]?x=1"),
    ("GET /guest/Zm9v_-bar HTTP/1.1", "GET /guest/[redacted] HTTP/1.1"),
    ("Authorization: Bearer eyJ.abc-def", "Authorization: Bearer [redacted]"),
    ("{'authorization': 'Bearer abc', 'cookie': 'tandem_session=x'}",
     "{'authorization': '[redacted]', 'cookie': '[redacted]'}"),
    ('{"token": "sekrit", "new_password": "p w"}', '{"token": "[redacted]", "new_password": "[redacted]"}'),
    ("cookie: tandem_session=abc; tandem_csrf=def", "cookie: tandem_session=[redacted]; tandem_csrf=[redacted]"),
    ("expected a password of 10 to 256 characters, got 5", "expected a password of 10 to 256 characters, got 5"),
], ids=["socket url", "invitation link", "guest link", "bearer header", "header dict", "json body", "cookie header", "harmless"])
def test_the_log_redacts_credentials_and_keeps_the_rest(line, expected):
    assert redact(line) == expected


def scope(path: str, host: bytes) -> dict:
    return {"type": "http", "path": path, "headers": [(b"host", host)]}


def test_the_app_may_open_sockets_only_to_its_own_host():
    policy = content_security_policy(scope("/w/1", b"crm.example.com:8443"))
    assert "connect-src 'self' ws://crm.example.com:8443 wss://crm.example.com:8443" in policy
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


def test_a_host_header_that_is_no_host_adds_nothing_to_the_policy():
    policy = content_security_policy(scope("/", b"evil.com; script-src *"))
    assert policy.endswith("connect-src 'self'") and "evil" not in policy


def test_the_openapi_viewer_may_load_its_cdn_scripts_but_not_be_framed():
    policy = content_security_policy(scope("/schema/swagger", b"localhost"))
    assert "script-src 'self' 'unsafe-inline' https:" in policy and "frame-ancestors 'none'" in policy
