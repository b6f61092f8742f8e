"""``wikiviews unload``: take loaded files out of the store, as if they had never been loaded.

Targets are file names as ``ingested_files`` records them (or paths to such files) and hours
(``YYYYMMDDHH``: every file whose hours include that hour, daily and monthly
``pageview_complete`` files too). Everything happens in one write transaction: each file's
contribution is taken out (:mod:`backend.ingest.replace`), its record deleted, coverage of its
days rebuilt from the files that remain, and publication, top lists and project months of
those days recomputed as the loader computes them; packed days that are no longer settled
(the newest published day moved back) are unpacked. Settled days are packed afterwards, as
after a load. If any file cannot be taken out, nothing is changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select

from backend.db import WRITE
from backend.ingest import crashpoints, publication
from backend.ingest.dialect import dialect_for
from backend.ingest.packing import unpack_days
from backend.ingest.projects import project_ids
from backend.ingest.replace import CannotRemove, Removal, take_out
from backend.ingest.run import finish
from backend.ingested import LoadedFile, LoadedFor, files_covering, loaded_file
from backend.models import Coverage, IngestedFile, PackedDay, PublishedDay, core
from backend.settings import Settings
from backend.timeutil import month_days, month_of_day, parse_hour


class UnloadError(Exception):
    """A target that names no loaded file, or a file that cannot be taken out."""


def resolve(connection: Connection, targets: Iterable[str]) -> list[LoadedFile]:
    """The loaded files ``targets`` name, each once, in the order named.

    Raises :class:`UnloadError` naming every target that matches no loaded file.
    """
    found: dict[str, LoadedFile] = {}
    problems: list[str] = []
    for target in targets:
        try:
            hour = parse_hour(target)
        except ValueError as exc:
            raise UnloadError(str(exc)) from exc
        if hour is not None:
            covering = files_covering(connection, hour)
            if not covering:
                problems.append(f"{target}: no loaded file covers this hour")
            found.update((f.name, f) for f in covering if f.name not in found)
            continue
        record = loaded_file(connection, target) or loaded_file(connection, Path(target).name)
        if record is None:
            problems.append(
                f"{target}: not a loaded file (no such name in ingested_files) "
                "and not an hour (YYYYMMDDHH)"
            )
        else:
            found.setdefault(record.name, record)
    if problems:
        raise UnloadError("; ".join(problems))
    return list(found.values())


def plan(engine: Engine, targets: Sequence[str]) -> list[LoadedFile]:
    """What :func:`unload` would take out, changing nothing."""
    with engine.connect() as connection:
        return resolve(connection, targets)


def unload(
    engine: Engine,
    settings: Settings,
    targets: Sequence[str],
    progress: Callable[[str], None] | None = None,
) -> list[Removal]:
    """Take the files ``targets`` name out of the store (see the module docstring).

    Raises :class:`UnloadError` and changes nothing when a target names no loaded file or a
    file's contribution cannot be told.
    """
    with engine.connect().execution_options(**WRITE) as connection:
        dialect = dialect_for(connection)
        try:
            with connection.begin():
                dialect.lock()
                removals = _unload_in(connection, settings, resolve(connection, targets))
                crashpoints.reached("before-commit")
        except CannotRemove as exc:
            raise UnloadError(f"{exc}; the store is unchanged") from exc
        finally:
            dialect.unlock()
    for removal in removals:
        if progress:
            progress(f"unloaded {removal.name} ({_METHODS[removal.method]})")
    packed = finish(engine, settings)
    if progress and packed:
        progress(f"{packed} settled days packed")
    return removals


_METHODS = {
    "pending": "its rows still pending in the pending area",
    "series": "its series on its days",
    "window": "its per-page counts from the hourly window",
    "re-read": "what the original file holds, read again",
}


def _unload_in(
    connection: Connection, settings: Settings, records: list[LoadedFile]
) -> list[Removal]:
    removals: list[Removal] = []
    days_of_source: dict[int, set[int]] = defaultdict(set)
    for record in records:
        removal = take_out(connection, record)
        files = core(IngestedFile)
        connection.execute(delete(files).where(files.c.name == record.name))
        days_of_source[record.source].update(removal.days)
        removals.append(removal)
    for source, days in sorted(days_of_source.items()):
        rebuild_coverage(connection, source, sorted(days))
    days = sorted(set().union(*days_of_source.values()))
    changed = set().union(*(r.projects for r in removals))
    publication.refresh(
        connection, None, days, changed_projects=changed, top_size=settings.top_size
    )
    unpack_unsettled(connection, settings.staging_days)
    return removals


def unpack_unsettled(connection: Connection, staging_days: int) -> None:
    """Unpack packed days that packing would not pack now (see ``packing.settled_days``).

    Loads only ever move a project's newest published day forward; an unload can move it
    back, and a clean load of what remains would leave the days near the new edge unpacked
    (and their month without a monthly top list).
    """
    packed, published_days = core(PackedDay), core(PublishedDay)
    newest = (
        select(published_days.c.project_id, func.max(published_days.c.day).label("newest"))
        .group_by(published_days.c.project_id)
        .subquery("n")
    )
    rows = connection.execute(
        select(packed.c.project_id, packed.c.day, newest.c.newest)
        .join(newest, newest.c.project_id == packed.c.project_id)
        .where(packed.c.day > newest.c.newest - staging_days)
    ).all()
    unsettled: dict[int, list[int]] = defaultdict(list)
    complete: dict[tuple[int, int], bool] = {}
    for project, day, newest in rows:
        month = month_of_day(day)
        if month < month_of_day(newest):
            if (project, month) not in complete:
                published = publication.count_days(connection, "published_days", project, month)
                complete[(project, month)] = published == len(month_days(month))
            if complete[(project, month)]:
                continue
        unsettled[project].append(day)
    for project, days in sorted(unsettled.items()):
        unpack_days(connection, [project], sorted(days))


def rebuild_coverage(connection: Connection, source: int, days: Sequence[int]) -> None:
    """Recompute the coverage of ``source`` on ``days`` from the files still recorded.

    A file loaded for every project covers project 0; one loaded for some projects covers
    each of them, as the loader writes it.
    """
    if not days:
        return
    day_set = set(days)
    first, last = min(days) * 24, max(days) * 24 + 23
    coverage, files = core(Coverage), core(IngestedFile)
    connection.execute(
        delete(coverage).where(coverage.c.source == source, coverage.c.day.in_(days))
    )
    known = project_ids(connection)
    rows = connection.execute(
        select(files.c.first_hour, files.c.hours, files.c.projects).where(
            files.c.source == source,
            files.c.first_hour <= last,
            files.c.first_hour + files.c.hours > first,
        )
    )
    masks: dict[tuple[int, int], int] = defaultdict(int)
    for first_hour, hours, projects in rows:
        loaded = LoadedFor.parse(projects)
        targets = [0] if loaded.everything else [known[n] for n in loaded.names if n in known]
        for hour in range(max(first_hour, first), min(first_hour + hours, last + 1)):
            if hour // 24 in day_set:
                for target in targets:
                    masks[(target, hour // 24)] |= 1 << (hour % 24)
    if masks:
        connection.execute(
            insert(coverage),
            [
                {"project_id": p, "day": d, "source": source, "hours_mask": m}
                for (p, d), m in sorted(masks.items())
            ],
        )
