#!/usr/bin/env bash
# Run the whole test suite: lint, format check, type check, then pytest (arguments go to pytest).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The gadget's JavaScript: lint (ES5 for the gadget) and unit tests (node's runner + jsdom).
if [[ ! -d node_modules ]] && command -v npm >/dev/null; then
    echo "setup: installing the JavaScript test tools (npm ci)"
    npm ci --no-audit --no-fund --silent
fi
if [[ -d node_modules ]]; then
    npm run --silent lint
    npm test --silent
elif [[ ${WIKIVIEWS_REQUIRE_SERVICES:-} == 1 ]]; then
    echo "error: node_modules missing; run npm ci" >&2
    exit 1
else
    echo "skipping the JavaScript tests: run npm ci first" >&2
fi
exec .venv/bin/python -m pytest "$@"
