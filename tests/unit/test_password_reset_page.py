"""The password reset link's page and mail (docs/accounts.md "Password reset"): the mail carries the
link to ``/reset/<token>`` and the token, the page is served without any Referer leaving it, and
the token in its path never reaches a log."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import create_test_client

from server.api.web import web_app
from server.domain.system_mail import Count, render
from server.logs import REDACTED, redact


def test_the_reset_page_sends_no_referrer_and_other_pages_stay_same_origin(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>Tandem</title>")
    with create_test_client([web_app(tmp_path)]) as client:
        reset, home = client.get("/reset/secret-token"), client.get("/w/1")
    assert reset.status_code == 200 and reset.headers["Referrer-Policy"] == "no-referrer"
    assert home.headers["Referrer-Policy"] == "same-origin"


def test_the_reset_mail_links_to_the_page_and_keeps_the_token_for_the_api() -> None:
    link = "https://crm.example/reset/tok-123"
    mail = render("password_reset", "en", {"minutes": Count(60, "minute"), "token": "tok-123"}, link)
    assert "within 60 minutes" in mail.text and "\n\ntok-123\n\n" in mail.text
    assert mail.text.endswith(f"Choose a new password: {link}\n")
    assert f'<a href="{link}">Choose a new password</a>' in mail.html


def test_a_reset_links_token_is_redacted_from_logs() -> None:
    assert redact('"GET /reset/tok-123?x=1 HTTP/1.1" 200') == f'"GET /reset/{REDACTED}?x=1 HTTP/1.1" 200'
