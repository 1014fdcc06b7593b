# Sourced by scripts/serve and scripts/test: make .venv with the project installed, quietly,
# and only reinstall when pyproject.toml changed since the last install. pip's output goes to
# .tandem/install.log; on failure its end is printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TANDEM_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
LOGS="$ROOT/.tandem"

# step "what is being done" LOG command...: one line on the terminal, the command's output in LOG;
# if it fails, the last lines of LOG and its path, and the command's exit code.
step() {
    local what="$1" log="$2"
    shift 2
    mkdir -p "$(dirname "$log")"
    printf '%s... ' "$what" >&2
    if "$@" >"$log" 2>&1; then
        echo "done" >&2
    else
        local code=$?
        echo "failed" >&2
        tail -n 40 "$log" >&2
        echo "(the whole output is in ${log#"$ROOT"/})" >&2
        return "$code"
    fi
}

_install() {
    local extras="$1"
    # Inside `step` (an `if`), set -e does not apply: each command's failure must end the chain.
    { [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"; } \
        && "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip \
        && "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT[$extras]"
}

ensure_venv() {
    local extras="$1" stamp="$VENV/.installed-$1"
    # setup.py compiles server/protocol/update_bounds.py (mypyc): rebuild when it changes too.
    if [ ! -x "$VENV/bin/python" ] || [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] \
        || [ "$ROOT/setup.py" -nt "$stamp" ] || [ "$ROOT/server/protocol/update_bounds.py" -nt "$stamp" ]; then
        step "Installing Tandem's Python packages into ${VENV#"$ROOT"/} (a minute or two the first time)" \
            "$LOGS/install.log" _install "$extras"
        touch "$stamp"
    fi
}
