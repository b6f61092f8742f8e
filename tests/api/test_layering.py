"""The read side (sources, queries, api) stands on its own: it never loads the ingest or fetch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_SIDE = ("backend/api", "backend/queries", "backend/sources")

PROBE = """
import sys
from backend import create_app
from backend.settings import load_settings
import backend.sources, backend.sources.http, backend.queries
app = create_app(load_settings(database_url="sqlite:///" + sys.argv[1]))
client = app.test_client()
assert client.get("/healthz").status_code in (200, 503)
print("\\n".join(m for m in sys.modules if m.startswith(("backend.ingest", "backend.fetch"))))
"""


def test_the_api_loads_no_ingest_or_fetch_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "store.sqlite3")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_no_private_name_crosses_a_module_and_no_ingest_import():
    offences = []
    for directory in READ_SIDE:
        for path in sorted((ROOT / directory).glob("*.py")):
            for module, names in _imports(path):
                if module.startswith(("backend.ingest", "backend.fetch")):
                    offences.append(f"{path.relative_to(ROOT)} imports {module}")
                private = [n for n in names if n.startswith("_") and n != "__future__"]
                if module.startswith("backend") and private:
                    offences.append(f"{path.relative_to(ROOT)} imports {private} from {module}")
    assert offences == []
