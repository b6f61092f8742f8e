"""What a range of hours needs, given what the store already has (``ingested_files``).

The store is the only state: a file recorded for every project asked for is done, and a
restarted fetch plans without it. ``--project`` loads record the projects they covered, so a
later fetch for another project fetches the file again for that project only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select

from backend.dumpfiles import DumpFile, dump_key, dumps_between, moment_of
from backend.ingest.parsed import ProjectFilter
from backend.ingested import LoadedFor
from backend.models import IngestedFile, core

ORDERS = ("oldest", "newest")


def loaded_files(engine: Engine) -> dict[str, LoadedFor]:
    """``{dump key: projects it was loaded for}`` of every dump file in the store.

    Keys are :func:`~backend.dumpfiles.dump_key` names, so a dump loaded from an
    uncompressed copy counts too.
    """
    files = core(IngestedFile)
    found: dict[str, LoadedFor] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(files.c.name, files.c.projects).where(files.c.name.startswith("pageviews-"))
        )
        for name, projects in rows:
            key = dump_key(name)
            loaded = LoadedFor.parse(projects)
            found[key] = found[key].union(loaded) if key in found else loaded
    return found


@dataclass
class Plan:
    """The files of a range: those to fetch (in fetch order) and those the store has."""

    wanted: list[DumpFile]
    loaded: list[DumpFile]
    not_yet: list[DumpFile]  # their period has not ended: they cannot be published yet


def make_plan(
    first_hour: int,
    last_hour: int,
    *,
    now_hour: int,
    loaded: dict[str, LoadedFor],
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
    for item in dumps_between(first_hour, last_hour, datasets, **kwargs):
        record = loaded.get(item.key)
        if record is not None and record.covers(projects.only):
            done.append(item)
        elif item.ready_hour > now_hour:
            not_yet.append(item)
        elif item.name not in skip:
            wanted.append(item)
    if order == "newest":
        wanted.reverse()
    return Plan(wanted, done, not_yet)


def describe_ranges(items: Iterable[DumpFile]) -> list[str]:
    """Consecutive files of one dataset folded into ranges, for reports.

    ``pageviews 2024-03-01 05:00 … 2024-03-01 07:00 (3 files)``.
    """
    lines: list[str] = []
    run: list[DumpFile] = []

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
