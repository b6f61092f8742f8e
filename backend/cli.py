"""The ``wikiviews`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from backend import db
from backend.backfill.command import backfill
from backend.cli_options import (
    apply_store_options,
    hourly_option,
    project_filter,
    projects_option,
    store_line,
    store_options,
)
from backend.fetch.cli import fetch
from backend.ingest.requests.commands import register as register_request_commands
from backend.ingest.run import MissingPath, expand_paths
from backend.partition_command import partition
from backend.sample import FORMATS, write_sample
from backend.settings import InvalidSetting, load_settings, parse_setting
from backend.version import release


class _Main(click.Group):
    """The top-level group: store and settings errors become one-line messages, not tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            url = make_url(load_settings().database_url).render_as_string(hide_password=True)
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"cannot use the store at {url}: {first}") from exc
        except InvalidSetting as exc:
            raise click.ClickException(str(exc)) from exc


#: Commands that get no ``store:`` line first: ``sample`` uses no store, and ``status``
#: names it itself as the first line of its report.
_NO_STORE_LINE = frozenset({"sample", "status"})


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(release(), "--version", prog_name="wikiviews")
@store_options
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, database_url: str | None) -> None:
    """Pageview statistics for MediaWiki wikis: load dumps, keep a store, serve it.

    Every command uses one store: WIKIVIEWS_DATABASE_URL (or --database-url), else the
    SQLite file in WIKIVIEWS_DATA_DIR (or --data-dir, default ~/.local/share/wikiviews).
    Each names it on its first line; every setting is checked before any work starts.
    """
    apply_store_options(data_dir, database_url)
    settings = load_settings()
    if ctx.invoked_subcommand not in _NO_STORE_LINE:
        click.echo(store_line(settings), err=True)


@main.group("db")
def db_group() -> None:
    """Manage the store's schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create the store or migrate it to the newest schema, printing each migration step.

    Back the store up first (see the README's upgrade guide).
    """
    settings = load_settings()
    steps: list[str] = []

    def step(line: str) -> None:
        steps.append(line)
        click.echo(line)

    db.upgrade(settings, revision, progress=step)
    target = db.head_revision(settings) if revision == "head" else revision
    click.echo(f"store at revision {target}" if steps else f"store already at revision {target}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the store down to REVISION (``base`` removes every table)."""
    settings = load_settings()
    db.downgrade(settings, revision, progress=click.echo)
    click.echo(f"store at revision {revision}")


def _current_store(settings):
    """The store's engine; a schema behind the code is an error naming the fix."""
    engine = db.make_engine(settings)
    if not db.schema_is_current(settings, engine):
        engine.dispose()
        raise click.ClickException(
            "the store's schema is not the code's: run `wikiviews db upgrade` first"
        )
    return engine


@main.group("blocklist")
def blocklist_group() -> None:
    """Keep titles out of per-article results and top lists (per project, any letter case)."""


@blocklist_group.command("add")
@click.argument("project")
@click.argument("title")
@click.option("--reason", default="", help="Why it is blocked (shown by `blocklist list`).")
def blocklist_add(project: str, title: str, reason: str) -> None:
    """Block TITLE of PROJECT (en.wikipedia …), at once and for data already loaded."""
    from backend import blocklist

    try:
        entry = blocklist.make_entry(project, title, reason)
    except blocklist.InvalidEntry as exc:
        raise click.BadParameter(str(exc)) from exc
    engine = _current_store(load_settings())
    try:
        with engine.begin() as connection:
            added, updated = blocklist.add_entries(connection, [entry])
    finally:
        engine.dispose()
    state = "blocked" if added else "reason updated" if updated else "already blocked"
    click.echo(f"{state}: {entry.project} {entry.title}")


@blocklist_group.command("remove")
@click.argument("project")
@click.argument("title")
def blocklist_remove(project: str, title: str) -> None:
    """Unblock TITLE of PROJECT (any letter case). Exits with 1 if it was not blocked."""
    from backend import blocklist

    try:
        entry = blocklist.make_entry(project, title)
    except blocklist.InvalidEntry as exc:
        raise click.BadParameter(str(exc)) from exc
    engine = _current_store(load_settings())
    try:
        with engine.begin() as connection:
            removed = blocklist.remove_entry(connection, entry.project, entry.title)
    finally:
        engine.dispose()
    if not removed:
        raise click.ClickException(f"not blocked: {entry.project} {entry.title}")
    click.echo(f"unblocked: {entry.project} {entry.title}")


@blocklist_group.command("list")
@click.argument("project", required=False)
def blocklist_list(project: str | None) -> None:
    """Print the blocked titles (of PROJECT if given) in the format `blocklist load` reads."""
    from backend import blocklist

    engine = _current_store(load_settings())
    try:
        with engine.connect() as connection:
            entries = blocklist.list_entries(connection, project)
    except blocklist.InvalidEntry as exc:
        raise click.BadParameter(str(exc)) from exc
    finally:
        engine.dispose()
    if entries:
        click.echo(blocklist.format_entries(entries))


@blocklist_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def blocklist_load(file: Path) -> None:
    """Block every entry of FILE: lines of project<TAB>title[<TAB>reason]; # comments.

    The whole file is checked first: a bad line blocks nothing. Loading it again changes
    nothing; entries not in the file stay blocked.
    """
    from backend import blocklist

    try:
        entries = blocklist.read_blocklist(file)
    except blocklist.InvalidEntry as exc:
        raise click.ClickException(f"{exc}; nothing was blocked") from exc
    engine = _current_store(load_settings())
    try:
        with engine.begin() as connection:
            added, updated = blocklist.add_entries(connection, entries)
    finally:
        engine.dispose()
    click.echo(
        f"{added} added, {updated} updated, {len(entries) - added - updated} already blocked"
    )


@main.command("unload")
@click.argument("targets", nargs=-1, required=True, metavar="FILE|HOUR...")
@click.option("--dry-run", is_flag=True, help="Only list the files that would be unloaded.")
def unload(targets: tuple[str, ...], dry_run: bool) -> None:
    """Take loaded files out of the store, as if they had never been loaded.

    FILE is a name as recorded when it was loaded (or a path to it); HOUR is YYYYMMDDHH (UTC,
    the hour starting then) and stands for every file that covers it, daily and monthly files
    included. All of it happens in one transaction; publication, top lists and monthly
    totals are recomputed. When a file's share cannot be told (its hour is outside the
    hourly window and the original file is gone or changed) nothing is changed and the
    exit status is 1.
    """
    from backend.ingest.unload import UnloadError, plan
    from backend.ingest.unload import unload as unload_files

    settings = load_settings()
    engine = _current_store(settings)
    try:
        if dry_run:
            for record in plan(engine, targets):
                click.echo(f"would unload {record.name}")
            return
        unload_files(engine, settings, targets, progress=click.echo)
    except UnloadError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@projects_option
@click.option("--replace", is_flag=True, help="Reload files that were loaded before.")
@hourly_option
def ingest(
    paths: tuple[str, ...], projects: tuple[str, ...], replace: bool, hourly: bool | None
) -> None:
    """Load dump files, directories or globs (.gz, .bz2 or plain) into the store.

    Each file loads in one transaction; files already loaded are skipped. Exits with 1 when
    a file could not be read or loaded, 2 when a path does not exist.
    """
    from backend.ingest.ingest_command import run_ingest

    projects_kept = project_filter(projects)
    try:
        files = expand_paths(paths)
    except MissingPath as exc:
        raise click.BadParameter(f"no such file or directory: {exc}", param_hint="PATHS") from exc
    settings = load_settings()
    ok = run_ingest(settings, files, projects_kept, replace=replace, hourly=hourly)
    if not ok:
        sys.exit(1)


@main.command("sample")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2024-03-01",
    show_default=True,
    help="First day.",
)
@click.option("--days", type=click.IntRange(1, 3660), default=1, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--titles",
    type=click.IntRange(1),
    default=3000,
    show_default=True,
    help="Titles of the largest wiki (the others get fewer).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    default=("pageviews",),
    show_default=True,
    help="Repeatable.",
)
@click.option(
    "--clean/--malformed",
    default=False,
    help="Leave out the few malformed lines mixed into every file.",
)
def sample(
    out_dir: Path, start, days: int, seed: int, titles: int, formats: tuple[str, ...], clean: bool
) -> None:
    """Write realistic sample dump files to OUT_DIR, deterministically from a seed."""
    written = write_sample(
        out_dir,
        start=start.date(),
        days=days,
        seed=seed,
        formats=formats,
        titles=titles,
        malformed=not clean,
    )
    click.echo(f"wrote {len(written)} files and manifest.json to {out_dir}")


@main.command("demo")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--serve", "then_serve", is_flag=True, help="Then serve the API (until Ctrl-C).")
def demo(seed: int, then_serve: bool) -> None:
    """Generate 30 days of sample dumps, load them into the store and show what it holds."""
    from backend.demo import example_urls, run_demo

    settings = load_settings()
    if not run_demo(settings, seed):
        sys.exit(1)
    if then_serve:
        from backend.serve import run_server

        click.echo("\nthe API, on the demo store (Ctrl-C stops it):")
        for url in example_urls(settings):
            click.echo(f"  {url}")
        click.echo("")
        run_server(settings)


@main.command("serve")
@click.option("--bind", help="Address:port to listen on (default: WIKIVIEWS_BIND).")
@click.option("--workers", type=click.IntRange(1), help="Worker processes (WIKIVIEWS_WORKERS).")
def serve(bind: str | None, workers: int | None) -> None:
    """Serve the JSON API with gunicorn (refuses a store whose schema is behind)."""
    from backend.serve import run_server

    if bind is not None:
        parse_setting("bind", bind, source="--bind")
    run_server(load_settings(bind=bind, workers=workers))


main.add_command(fetch)
main.add_command(backfill)
main.add_command(partition)


@main.command("status")
def status() -> None:
    """What the store holds: projects, published days, sources, held hours, size."""
    from backend.sources import StoreSource
    from backend.sources.status import status_lines

    settings = load_settings()
    engine = _current_store(settings)
    click.echo(f"store: {make_url(settings.database_url).render_as_string(hide_password=True)}")
    for line in status_lines(StoreSource(engine).status()):
        click.echo(line)
    engine.dispose()


@main.group("redirects")
def redirects_group() -> None:
    """Manage the redirects whose views can be summed into their targets."""


@redirects_group.command("load")
@click.argument("project")
@click.argument("source")
@click.option(
    "--page-dump",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The wiki's `page` table dump, naming the redirects' page ids (dump SOURCE only; "
    "default: the page ids the store keeps).",
)
@click.option(
    "--namespace",
    "namespaces",
    type=int,
    multiple=True,
    default=(0,),
    show_default=True,
    help="Namespace of the target pages (API SOURCE only); repeatable.",
)
def redirects_load(
    project: str, source: str, page_dump: Path | None, namespaces: tuple[int, ...]
) -> None:
    """Replace PROJECT's redirects with those of SOURCE, in one transaction.

    SOURCE is a MediaWiki API URL (https://en.wikipedia.org/w/api.php) or a `redirect` table
    SQL dump (enwiki-YYYYMMDD-redirect.sql.gz; main namespace only).
    """
    from backend.redirects import RedirectSourceError, is_url, load_redirects

    if page_dump is not None and is_url(source):
        raise click.BadParameter("only a dump SOURCE takes a page dump", param_hint="--page-dump")
    try:
        result = load_redirects(
            load_settings(),
            project,
            source,
            page_dump=page_dump,
            namespaces=namespaces,
            progress=click.echo,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PROJECT") from exc
    except RedirectSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{result.project}: {result.loaded} redirects stored (replacing {result.replaced}), "
        f"{result.skipped} skipped"
    )


register_request_commands(main)
