"""The ``wikiviews`` command."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import click

from backend import db
from backend.settings import load_settings


def _version() -> str:
    try:
        return version("wikiviews")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="wikiviews")
def main() -> None:
    """Pageview statistics for MediaWiki wikis: load dumps, keep a store, serve it."""


@main.group("db")
def db_group() -> None:
    """Manage the store's schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create the store or migrate it to the newest schema."""
    settings = load_settings()
    db.upgrade(settings, revision)
    click.echo(
        f"store at revision {db.head_revision(settings) if revision == 'head' else revision}"
    )


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the store down to REVISION (``base`` removes every table)."""
    settings = load_settings()
    db.downgrade(settings, revision)
    click.echo(f"store at revision {revision}")
