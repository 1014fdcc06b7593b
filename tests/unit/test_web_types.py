"""The web app speaks the API the server describes: its API types are generated from the OpenAPI
document (``client/web/src/lib/api-schema.d.ts``, by ``npm run api-types``) and it typechecks.

So a server change that breaks the web app fails here, not in a browser. Both tests run the web
app's own tools from ``client/web/node_modules`` (``npm ci`` there first; ``scripts/test`` does).
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "client" / "web"
GENERATED = WEB / "src" / "lib" / "api-schema.d.ts"


def _tool(name: str) -> str:
    tool = WEB / "node_modules" / ".bin" / name
    if not tool.exists():
        pytest.fail(f"expected {tool.relative_to(ROOT)}, found none: run `npm ci` in client/web first "
                    "(scripts/test does)", pytrace=False)
    return str(tool)


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=180)


def _stale(checked_in: str, fresh: str) -> str:
    diff = difflib.unified_diff(checked_in.splitlines(), fresh.splitlines(), "checked in", "generated now",
                                lineterm="", n=1)
    shown = "\n".join(list(diff)[:40])
    return f"{GENERATED.relative_to(ROOT)} is stale: run `npm run api-types` in client/web\n{shown}"


def test_the_web_apps_api_types_are_generated_from_the_current_openapi_document() -> None:
    schema = _run([sys.executable, "-m", "server", "openapi"], ROOT)
    assert schema.returncode == 0, f"python -m server openapi failed:\n{schema.stderr}"
    fresh = _run([_tool("openapi-typescript")], WEB, stdin=schema.stdout)
    assert fresh.returncode == 0, f"openapi-typescript failed:\n{fresh.stderr}"
    checked_in = GENERATED.read_text()
    assert fresh.stdout == checked_in, _stale(checked_in, fresh.stdout)


def test_the_web_app_typechecks() -> None:
    result = _run([_tool("tsc"), "--noEmit", "-p", "."], WEB)
    assert result.returncode == 0, f"tsc --noEmit in client/web failed:\n{result.stdout}{result.stderr}"
