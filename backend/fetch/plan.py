"""What a range of hours needs, given what the store already has (``ingested_files``).

The store is the only state: a file recorded for every project asked for is done, and a
restarted fetch plans without it. ``--project`` loads record the projects they covered, so a
later fetch for another project fetches the file again for that project only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text

from backend.fetch.layout import DumpItem, items_between, moment_of
from backend.ingest.parsed import ProjectFilter

ORDERS = ("oldest", "newest")


def dump_key(name: str) -> str:
    """A file name without its compression suffix: the same dump, however it was stored."""
    for suffix in (".gz", ".bz2"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def loaded_files(engine: Engine) -> dict[str, str]:
    """``{dump key: projects it was loaded for}`` of every dump file in the store.

    Keys are :func:`dump_key` names, so a dump loaded from an uncompressed copy counts too.
    """
    found: dict[str, str] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name, projects FROM ingested_files WHERE name LIKE 'pageviews-%'")
        )
        for name, projects in rows:
            key = dump_key(name)
            if key in found and "*" not in (found[key], projects):
                projects = ",".join(sorted(set(found[key].split(",")) | set(projects.split(","))))
            elif key in found:
                projects = "*"
            found[key] = projects
    return found


def covers(loaded: str | None, projects: ProjectFilter) -> bool:
    """Whether a file recorded as loaded for ``loaded`` (``*`` or a comma list) needs nothing."""
    if loaded is None:
        return False
    if loaded == "*":
        return True
    return projects.only is not None and projects.only <= frozenset(loaded.split(","))


@dataclass
class Plan:
    """The files of a range: those to fetch (in fetch order) and those the store has."""

    wanted: list[DumpItem]
    loaded: list[DumpItem]
    not_yet: list[DumpItem]  # their period has not ended: they cannot be published yet


def make_plan(
    first_hour: int,
    last_hour: int,
    *,
    now_hour: int,
    loaded: dict[str, str],
    projects: ProjectFilter,
    datasets: Iterable[str] = ("pageviews",),
    agents: Sequence[str] | None = None,
    order: str = "oldest",
    skip: frozenset[str] = frozenset(),
) -> Plan:
    """Plan hours ``first_hour`` … ``last_hour`` (inclusive) at ``now_hour``.

    ``skip`` names files to leave out (found missing earlier in this process).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    kwargs = {"agents": agents} if agents else {}
    wanted, done, not_yet = [], [], []
    for item in items_between(first_hour, last_hour, datasets, **kwargs):
        if covers(loaded.get(dump_key(item.name)), projects):
            done.append(item)
        elif item.ready_hour > now_hour:
            not_yet.append(item)
        elif item.name not in skip:
            wanted.append(item)
    if order == "newest":
        wanted.reverse()
    return Plan(wanted, done, not_yet)


def describe_ranges(items: Iterable[DumpItem]) -> list[str]:
    """Consecutive files of one dataset folded into ranges, for reports.

    ``pageviews 2024-03-01 05:00 … 2024-03-01 07:00 (3 files)``.
    """
    lines: list[str] = []
    run: list[DumpItem] = []

    def flush() -> None:
        if not run:
            return
        first, last = run[0], run[-1]
        if len(run) == 1:
            lines.append(f"{first.dataset} {first.label()}: {first.name}")
        else:
            lines.append(f"{first.dataset} {first.label()} … {last.label()} ({len(run)} files)")
        run.clear()

    ordered = sorted(items, key=lambda i: (i.dataset, i.first_hour, i.name))
    for item in ordered:
        if run and (
            item.dataset != run[-1].dataset
            or item.first_hour - run[-1].first_hour not in (0, run[-1].hours)
        ):
            flush()
        run.append(item)
    flush()
    return lines


def hour_text(hour: int) -> str:
    """``2024-03-01 05:00`` for an hour number."""
    return f"{moment_of(hour):%Y-%m-%d %H}:00"
