"""Whether ``serve`` runs a worker in its own process (TANDEM_WORKER)."""

from __future__ import annotations

import pytest

from server.settings import load_settings
from server.worker import runs_in_process


@pytest.mark.parametrize(("env", "expected"), [
    ({}, True),  # the embedded default: `python -m server serve` alone runs the jobs
    ({"DATABASE_URL": "postgresql://db/tandem"}, False),  # a deployment runs `python -m server worker`
    ({"DATABASE_URL": "postgresql://db/tandem", "TANDEM_WORKER": "on"}, True),
    ({"TANDEM_WORKER": "off"}, False),
    ({"TANDEM_WORKER": "AUTO"}, True),
], ids=["embedded", "database-url", "on", "off", "case-insensitive"])
def test_serve_runs_a_worker_when_embedded_or_asked(env, expected):
    assert runs_in_process(load_settings(env)) is expected


def test_an_unknown_worker_mode_is_refused_naming_what_is_expected():
    with pytest.raises(SystemExit, match="expected auto, on or off, got 'sometimes'"):
        runs_in_process(load_settings({"TANDEM_WORKER": "sometimes"}))
