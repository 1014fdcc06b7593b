# Sourced by scripts/serve and scripts/test (after _venv.sh): build the browser app (client/web ->
# client/web/dist) when the build is missing or older than its sources. Without npm, say so and
# carry on: the server still serves the API and the sync sockets (and an older build, if there is
# one). npm's output goes to .tandem/web-build.log; on failure its end is printed.
build_web() {
    local web="$ROOT/client/web"
    [ -f "$web/package.json" ] || return 0
    local stamp="$web/dist/index.html"
    if [ -f "$stamp" ] && [ -z "$(find "$web/src" "$web/public" "$web/index.html" "$web/package.json" \
            "$web/package-lock.json" "$web/vite.config.ts" "$web/tsconfig.json" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "note: npm is not installed, so the web app (client/web) was not built${1:+; }${1:-}." >&2
        echo "      Install Node.js 20+ with npm, then run this again (or: cd client/web && npm ci && npm run build)." >&2
        return 0
    fi
    if ! step "Building the web app (client/web)" "$LOGS/web-build.log" _build_web; then
        echo "error: building client/web failed; the server runs without the web app" >&2
        return 1
    fi
}

_build_web() {
    _web_deps && (cd "$ROOT/client/web" && npm run build)  # a subshell: the caller stays where it was
}

# client/web/node_modules as package-lock.json says, installed when missing or older than it:
# the build needs it, and so do the tests of the web app's types (tests/unit/test_web_types.py).
web_deps() {
    _web_deps_current || step "Installing the web app's npm packages" "$LOGS/web-build.log" _web_deps
}

_web_deps_current() {
    local web="$ROOT/client/web"
    [ ! -f "$web/package.json" ] \
        || { [ -f "$web/node_modules/.package-lock.json" ] && [ "$web/node_modules/.package-lock.json" -nt "$web/package-lock.json" ]; }
}

_web_deps() {
    _web_deps_current || (cd "$ROOT/client/web" && npm ci --no-audit --no-fund --loglevel=error)
}
