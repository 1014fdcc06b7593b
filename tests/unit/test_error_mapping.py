"""One module (server/api/errors.py) says which error becomes which HTTP status or close code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.api import errors
from server.domain.access import NotFound
from server.domain.accounts import Unauthenticated
from server.protocol.close_codes import TERMINAL, CloseCode
from server.protocol.messages import InvalidPayload
from server.protocol.update_bounds import MalformedUpdate, UpdateTooDeep, UpdateTooLarge
from server.services.sockets import Ending
from server.sync.room import CLOSE_CODES, DocumentTooLarge

ROOT = Path(__file__).resolve().parents[2]
# Modules that may name a close code: the mapping, the codes themselves, and the engine, which
# owns its table of rejected frames (mapped through errors.frame_close) and closes slow readers.
MAY_NAME_CLOSE_CODES = {"server/api/errors.py", "server/protocol/close_codes.py", "server/sync/room.py",
                        "server/sync/connection.py", "server/api/sync.py"}
# Handlers whose answer is a status, not an error: /health (503 while not serving), an import's
# report (422 when it found problems), the browser app (503 while it is not built).
ANSWER_WITH_A_STATUS = {"server/api/health.py", "server/api/transfer.py", "server/api/web.py"}


def test_unknown_and_forbidden_close_alike_at_the_handshake_and_a_revocation_says_so() -> None:
    assert errors.admission_close(NotFound("no such board")) == (4404, "no such document")
    assert errors.admission_close(Unauthenticated("no session token")).code == 4401
    assert errors.RECHECK_CLOSE[Ending.REVOKED] == (4403, "access to this document was revoked")
    assert {errors.RECHECK_CLOSE[e].code for e in (Ending.SIGNED_OUT, Ending.EXPIRED)} == {4401}


def test_every_ending_of_an_admitted_socket_has_a_close() -> None:
    assert set(errors.RECHECK_CLOSE) == set(Ending)


@pytest.mark.parametrize("kind", list(CLOSE_CODES), ids=lambda kind: kind.__name__)
def test_a_rejected_frame_closes_with_the_engines_code_and_a_reason_that_fits(kind: type[Exception]) -> None:
    close = errors.frame_close(kind("x" * 300))
    assert close.code == CLOSE_CODES[kind][0]
    assert close.reason.startswith(CLOSE_CODES[kind][1]) and len(close.reason.encode()) <= 123


@pytest.mark.parametrize(("error", "status"), [
    (UpdateTooLarge("too many structs"), 413), (DocumentTooLarge("too large"), 413),
    (UpdateTooDeep("too deep"), 422), (MalformedUpdate("truncated"), 422), (InvalidPayload("garbage"), 400),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value))
def test_a_refused_update_answers_the_status_of_its_most_specific_kind(error: Exception, status: int) -> None:
    answer = errors.refused_update(error)
    assert answer.status_code == status and answer.detail.startswith("expected a")


def test_the_closes_clients_must_not_retry_are_the_refusals() -> None:
    assert TERMINAL == {CloseCode.BAD_DOCUMENT_NAME, CloseCode.UNAUTHORIZED, CloseCode.FORBIDDEN,
                        CloseCode.NOT_FOUND}
    assert errors.LOAD_FAILED.code not in TERMINAL and errors.SHUTDOWN.code not in TERMINAL


def test_no_other_module_picks_a_close_code_or_an_error_status() -> None:
    picked = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text()
        if name not in MAY_NAME_CLOSE_CODES and re.search(r"CloseCode\.|close\(\s*4\d\d\d", text):
            picked.append(f"{name}: names a close code")
        if name not in {"server/api/errors.py", *ANSWER_WITH_A_STATUS} and re.search(r"status_code=(4|5)\d\d", text):
            picked.append(f"{name}: picks an error status")
    assert not picked, "\n".join(picked)
