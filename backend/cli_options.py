"""Click options and helpers shared by the command lines (``wikiviews`` and its commands).

Declared once here so that every command that takes a project, the hourly window or the
store spells and documents them the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url

from backend.settings import Settings, parse_setting

F = TypeVar("F", bound=Callable[..., Any])

#: ``--project``, repeatable: the wikis a load or fetch keeps.
projects_option = click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="PROJECT",
    help="Keep only this wiki (en.wikipedia, commons.wikimedia, wikidata, or a database "
    "name such as enwiki); repeatable. Default: all.",
)

#: ``--hourly/--no-hourly``: whether a load fills the per-page hourly window.
hourly_option = click.option(
    "--hourly/--no-hourly",
    default=None,
    help="Fill the per-page hourly window (default: only with --project).",
)


def store_options(function: F) -> F:
    """``--data-dir`` and ``--database-url``, beside ``WIKIVIEWS_DATA_DIR`` / ``_DATABASE_URL``."""
    function = click.option(
        "--database-url",
        metavar="URL",
        help="The store's SQLAlchemy URL (WIKIVIEWS_DATABASE_URL; default: SQLite in the "
        "data directory).",
    )(function)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        help="Directory of the SQLite store and local state (WIKIVIEWS_DATA_DIR; default: "
        "~/.local/share/wikiviews).",
    )(function)


def apply_store_options(data_dir: str | None, database_url: str | None) -> None:
    """Make ``--data-dir`` / ``--database-url`` the settings of this process and its children.

    They are written to the environment, where every setting is read, so that every
    command, and the gunicorn workers of ``serve``, see the same store.
    """
    if database_url is not None:
        parse_setting("database_url", database_url, source="--database-url")
        os.environ["WIKIVIEWS_DATABASE_URL"] = database_url
    if data_dir is not None:
        os.environ["WIKIVIEWS_DATA_DIR"] = os.path.abspath(data_dir)


def store_line(settings: Settings) -> str:
    """``store: URL`` (password hidden): the first line every command that uses a store prints."""
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    return f"store: {url}"


def project_filter(names: Iterable[str]) -> Any:
    """The :class:`~backend.ingest.parsed.ProjectFilter` of ``--project`` values.

    An unknown project is a usage error naming the closest known names.
    """
    from backend.ingest.parsed import ProjectFilter

    try:
        return ProjectFilter.from_names(names)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--project") from exc
