"""The first run is quiet: one line per step (installing, building the web app, starting the
embedded Postgres, migrating, listening), not pages of pip, npm or initdb output — which go to a
log under the data directory, and are printed (their end) when a step fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess


async def test_a_first_start_on_a_fresh_data_directory_prints_no_initdb_chatter(tmp_path: Path):
    data = tmp_path / "data"
    server = ServerProcess(None, TANDEM_DATA_DIR=str(data))
    server.env.pop("DATABASE_URL", None)  # the embedded Postgres, created now
    await server.start(timeout=120)
    assert await server.terminate() in (0, -15)
    output = server.log.read_text()
    for chatter in ("initdb", "Running commandline", "Successful postgres command", "pg_ctl", "RuntimeDirWarning",
                    "applied migration "):
        assert chatter not in output, f"{chatter!r} reached the terminal:\n{output}"
    assert output.count("embedded Postgres in") == 1 and "(created now)" in output, output
    assert output.count("migrated the database: applied") == 1, output
    assert len(output.splitlines()) <= 14, output
    assert "initdb" in (data / "postgres-setup.log").read_text()  # kept, for when something goes wrong


def test_a_step_prints_one_line_and_on_failure_the_end_of_its_log(tmp_path: Path):
    fine = subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/_venv.sh"; '
                           f'step "Installing" "{tmp_path}/ok.log" bash -c "seq 1 500"'],
                          capture_output=True, text=True, timeout=30)
    assert fine.returncode == 0 and fine.stderr == "Installing... done\n" and not fine.stdout
    assert (tmp_path / "ok.log").read_text().count("\n") == 500

    failed = subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/_venv.sh"; '
                             f'step "Building" "{tmp_path}/bad.log" bash -c "seq 1 100; echo boom: it broke; exit 3"; '
                             f'echo not reached'], capture_output=True, text=True, timeout=30)
    assert failed.returncode == 3 and "not reached" not in failed.stdout
    lines = failed.stderr.splitlines()
    assert lines[0] == "Building... failed" and "boom: it broke" in lines
    assert "61" not in lines and "62" in lines  # the log's last 40 lines
    assert lines[-1] == f"(the whole output is in {tmp_path}/bad.log)"
