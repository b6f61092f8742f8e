#!/usr/bin/env bash
# Create .venv and install wikiviews with its dev extras, on a fresh Debian 12 machine too.
# Idempotent and quick when nothing changed; the other scripts call it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -x .venv/bin/python ]]; then
    # Debian ships the venv module without ensurepip; python3-venv brings it.
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        if [[ $(id -u) -ne 0 ]]; then
            echo "error: python3 cannot create virtualenvs; run: sudo apt-get install python3-venv" >&2
            exit 1
        fi
        apt-get update && apt-get install -y python3-venv
    fi
    python3 -m venv .venv
fi

# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.wikiviews-installed
if [[ ! -e $stamp || pyproject.toml -nt $stamp ]]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[dev]"
    touch "$stamp"
fi
