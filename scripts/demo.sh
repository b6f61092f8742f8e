#!/usr/bin/env bash
# Set up, then run the demo on the embedded SQLite store: 30 days of sample dumps are written,
# loaded and shown, then the API is served on 127.0.0.1:8000 (WIKIVIEWS_BIND) until Ctrl-C.
# The store is the one every command uses: $WIKIVIEWS_DATA_DIR (default ~/.local/share/wikiviews).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh
exec .venv/bin/wikiviews demo --serve "$@"
