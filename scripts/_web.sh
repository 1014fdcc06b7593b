# Sourced by scripts/serve and scripts/test: build the browser app (client/web -> client/web/dist)
# when the build is missing or older than its sources. Without npm, say so and carry on: the
# server still serves the API and the sync sockets (and an older build, if there is one).
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
    echo "Building the web app (client/web)..." >&2
    if ! (web_deps && cd "$web" && npm run build --silent >/dev/null); then
        echo "error: building client/web failed (see above); the server runs without the web app" >&2
        return 1
    fi
}

# client/web/node_modules as package-lock.json says, installed when missing or older than it:
# the build needs it, and so do the tests of the web app's types (tests/unit/test_web_types.py).
web_deps() {
    local web="$ROOT/client/web"
    [ -f "$web/package.json" ] || return 0
    { [ -f "$web/node_modules/.package-lock.json" ] && [ "$web/node_modules/.package-lock.json" -nt "$web/package-lock.json" ]; } \
        || (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
}
