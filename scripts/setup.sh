#!/usr/bin/env bash
# Create .venv and install wikiviews with its dev extras, on a fresh Debian 12 machine too.
# Idempotent and quick when nothing changed; the other scripts call it first. It says what it
# is doing on stderr (a first install takes about a minute).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "setup: $*" >&2; }

if [[ ! -x .venv/bin/python ]]; then
    # Debian ships the venv module without ensurepip; python3-venv brings it.
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        if [[ $(id -u) -ne 0 ]]; then
            echo "error: python3 cannot create virtualenvs; run: sudo apt-get install python3-venv" >&2
            exit 1
        fi
        say "installing python3-venv with apt-get"
        apt-get update -q && apt-get install -y -q python3-venv
    fi
    say "creating the virtualenv .venv"
    python3 -m venv .venv
fi

# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.wikiviews-installed
if [[ ! -e $stamp || pyproject.toml -nt $stamp ]]; then
    say "updating pip"
    .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
    say "installing wikiviews and its dependencies into .venv (about a minute the first time)"
    .venv/bin/pip install -q --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
    say "done: .venv is ready"
fi
