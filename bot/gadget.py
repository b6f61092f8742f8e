"""``install-gadget``: the gadget's pages onto a wiki, through the same writer as every report.

What the pages hold (script, stylesheet, messages, configuration, the definition lines) is
decided by the gadget's own installer, ``gadget/install.py`` (``build_pages``,
``definition_lines``, ``merge_definition``); this command writes them with pywikibot as a bot
edit, page by page, editing nothing that already holds the text.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from bot.jobs import JobError, Run
from bot.periods import Period
from bot.updates import PageUpdate

DEFAULT_GADGET_DIR = Path(__file__).resolve().parent.parent / "gadget"
DEFINITION = "MediaWiki:Gadgets-definition"
SUMMARY = "Bot: install or update the wikiviews gadget"


def load_installer(directory: Path) -> ModuleType:
    """The gadget's installer module from ``directory`` (the source tree's ``gadget/``)."""
    path = directory / "install.py"
    if not path.is_file():
        raise JobError(f"no gadget installer at {path} (give --gadget-dir)")
    spec = importlib.util.spec_from_file_location("wikiviews_gadget_install", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_install_gadget(
    run: Run, *, api: str, opt_in: bool, gadget_dir: str | None
) -> tuple[str, bool]:
    """Write every gadget page and merge the definition lines (a second run edits nothing)."""
    import pywikibot

    from bot.commands import _write

    installer = load_installer(Path(gadget_dir) if gadget_dir else DEFAULT_GADGET_DIR)
    site = run.site
    project = run.project or installer.project_of(urlsplit(site.base_url("")).hostname or "")
    options = installer.Options(api=api, project=project, opt_in=opt_in)
    updates = [
        PageUpdate(title, text, SUMMARY, whole=True)
        for title, text in installer.build_pages(options).items()
    ]
    definition = pywikibot.Page(site, DEFINITION)
    current = definition.text if definition.exists() else ""
    merged = installer.merge_definition(current, installer.definition_lines(options))
    updates.append(PageUpdate(DEFINITION, merged, SUMMARY, whole=True))
    today = Period("day", _today(), _today())
    return _write(run, updates, "install-gadget", today)


def _today():
    from datetime import UTC, datetime

    return datetime.now(UTC).date()
