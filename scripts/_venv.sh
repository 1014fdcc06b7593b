# Sourced by scripts/serve and scripts/test: make .venv with the project installed, quietly,
# and only reinstall when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TANDEM_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
ensure_venv() {
    local extras="$1" stamp="$VENV/.installed-$1"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    # setup.py compiles server/protocol/update_bounds.py (mypyc): rebuild when it changes too.
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/setup.py" -nt "$stamp" ] \
        || [ "$ROOT/server/protocol/update_bounds.py" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$extras]"
        touch "$stamp"
    fi
}
