"""Apply one classified input to the store in one transaction.

The page counts go through the dump loader (:func:`backend.ingest.loader.load_parsed`), so
raw logs share its title dictionary, rollups, coverage, publication and top lists; the
country counts, actor state and sequence runs are added beside them in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, select

from backend.codes import Access, Agent, series_code
from backend.dumpfiles import DumpFile
from backend.ingest import crashpoints
from backend.ingest.loader import FileFacts, load_parsed
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.requests import country_tops, gate
from backend.ingest.requests.actors import ActorDay
from backend.ingest.requests.aggregate import SOURCE, Classified
from backend.ingest.requests.sequences import (
    SequenceTracker,
    format_runs,
    merge_runs,
    parse_runs,
    runs_of,
)
from backend.ingest.requests.upserts import bulk_upsert, table_of, upsert
from backend.models import (
    CountryDay,
    RequestActor,
    RequestCountryActor,
    RequestCountryPage,
    RequestSequence,
    Title,
)
from backend.settings import Settings

ZERO_SERIES = series_code(SOURCE, Access.DESKTOP, Agent.USER)


def build_parsed(
    classified: Classified,
    ids: dict[str, int],
    first_hour: int,
    last_hour: int,
    lines_read: int,
    rejects: Counter[str],
    skipped: Counter[str],
    hourly_window: bool,
) -> ParsedFile:
    """The loader's view of an input: page rows, project sums, zeros for quiet hours."""
    parsed = ParsedFile(projects={pid: name for name, pid in ids.items()})
    days: Counter[Any] = Counter()
    for (project, title, hour, series), views in classified.pages.items():
        pid = ids[project]
        days[(pid, title, hour // 24, series)] += views
        parsed.project_hours[(pid, hour, series)] += views
        parsed.project_days[(pid, hour // 24, series)] += views
        if hourly_window:
            parsed.hour_rows.append((pid, title, hour, series, views))
        parsed.views += views
    parsed.rows = [(p, t, d, s, v) for (p, t, d, s), v in days.items()]
    for pid in ids.values():  # a covered hour without pageviews is a zero, not a gap
        for hour in range(first_hour, last_hour + 1):
            parsed.project_hours[(pid, hour, ZERO_SERIES)] += 0
            parsed.project_days[(pid, hour // 24, ZERO_SERIES)] += 0
    parsed.lines_read = lines_read
    parsed.rejects = rejects
    parsed.skipped = skipped
    return parsed


def stored_runs(connection: Connection, hostname: str, hour: int) -> list[tuple[int, int]]:
    """Sequence runs earlier inputs brought for (hostname, hour)."""
    table = table_of(RequestSequence)
    text = connection.execute(
        select(table.c.ranges).where(table.c.hostname == hostname, table.c.hour == hour)
    ).scalar()
    return parse_runs(text) if text else []


def prior_actors(
    connection: Connection, wanted: list[tuple[int, str]]
) -> dict[tuple[int, str], ActorDay]:
    """Stored state of the (day, actor hash) pairs ``wanted``."""
    table = table_of(RequestActor)
    found: dict[tuple[int, str], ActorDay] = {}
    by_day: dict[int, list[str]] = {}
    for day, actor in wanted:
        by_day.setdefault(day, []).append(actor)
    for day, actors in by_day.items():
        for start in range(0, len(actors), 500):
            rows = connection.execute(
                select(
                    table.c.actor,
                    table.c.pageviews,
                    table.c.first_minute,
                    table.c.last_minute,
                    table.c.nocookies,
                    table.c.distinct_pages,
                    table.c.ua_length,
                ).where(table.c.day == day, table.c.actor.in_(actors[start : start + 500]))
            )
            for actor, *state in rows:
                found[(day, actor)] = ActorDay(*state)
    return found


def apply_input(
    connection: Connection,
    settings: Settings,
    name: str,
    path: str,
    parsed: ParsedFile,
    classified: Classified,
    sequences: SequenceTracker,
    first_hour: int,
    last_hour: int,
    facts: FileFacts,
) -> list[tuple[int, int, str]]:
    """Everything one input changes, inside the caller's write transaction.

    Returns the hours the publish gate held.
    """
    totals: Counter[Any] = Counter()
    for (pid, hour, _series), views in parsed.project_hours.items():
        totals[(pid, hour)] += views
    held = gate.hold_new_hours(connection, settings, totals)
    dump = DumpFile(name, "requests", SOURCE, first_hour, last_hour - first_hour + 1)
    load_parsed(
        connection,
        dump,
        parsed,
        ProjectFilter(frozenset(parsed.projects.values())),
        facts,
        hourly_window=bool(parsed.hour_rows),
        top_size=settings.top_size,
    )
    _add_countries(connection, settings, parsed, classified)
    crashpoints.reached("countries")
    _store_actors(connection, classified)
    _store_sequences(connection, sequences)
    return held


def _title_ids(connection: Connection, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    table = table_of(Title)
    by_project: dict[int, list[str]] = {}
    for project, title in wanted:
        by_project.setdefault(project, []).append(title)
    ids: dict[tuple[int, str], int] = {}
    for project, titles in by_project.items():
        for start in range(0, len(titles), 500):
            rows = connection.execute(
                select(table.c.title, table.c.id).where(
                    table.c.project_id == project, table.c.title.in_(titles[start : start + 500])
                )
            )
            ids.update({(project, title): tid for title, tid in rows})
    return ids


def _add_countries(
    connection: Connection, settings: Settings, parsed: ParsedFile, classified: Classified
) -> None:
    if not classified.country_pages:
        return
    pids = {name: pid for pid, name in parsed.projects.items()}
    title_ids = _title_ids(
        connection, {(pids[p], t) for (_d, _c, p, t, _a) in classified.country_pages}
    )
    days: Counter[Any] = Counter()
    pages = []
    for (day, country, project, title, access), views in classified.country_pages.items():
        pid = pids[project]
        days[(pid, day, country, access)] += views
        days[(pid, day, country, 0)] += views
        if day in classified.state_days:
            pages.append((day, country, pid, title_ids[(pid, title)], access, views))
    upsert(
        connection,
        table_of(CountryDay),
        [
            {"project_id": p, "day": d, "country": c, "access": a, "views": v}
            for (p, d, c, a), v in days.items()
        ],
        ("project_id", "day", "country", "access"),
        add=("views",),
    )
    keys = ("day", "country", "project_id", "title_id", "access")
    bulk_upsert(
        connection, table_of(RequestCountryPage), (*keys, "views"), pages, keys, add=("views",)
    )
    bulk_upsert(
        connection,
        table_of(RequestCountryActor),
        (*keys, "actor"),
        (
            (d, c, pids[p], title_ids[(pids[p], t)], a, actor)
            for (d, c, p, t, a, actor) in classified.country_actors
        ),
        (*keys, "actor"),
    )
    for day in sorted({row[0] for row in pages}):
        country_tops.recompute_day(connection, day, settings.country_min_actors, settings.top_size)


_ACTOR_STATE = (
    "pageviews",
    "first_minute",
    "last_minute",
    "nocookies",
    "distinct_pages",
    "ua_length",
)


def _store_actors(connection: Connection, classified: Classified) -> None:
    if not classified.actors:
        return
    bulk_upsert(
        connection,
        table_of(RequestActor),
        ("day", "actor", *_ACTOR_STATE),
        (
            (
                day,
                actor,
                s.pageviews,
                s.first_minute,
                s.last_minute,
                s.nocookies,
                s.distinct_pages,
                s.ua_length,
            )
            for (day, actor), s in classified.actors.items()
        ),
        ("day", "actor"),
        replace=_ACTOR_STATE,
    )


def _store_sequences(connection: Connection, sequences: SequenceTracker) -> None:
    rows = []
    for (hostname, hour), state in sequences.hours.items():
        runs = merge_runs(stored_runs(connection, hostname, hour), runs_of(state.seen))
        if not runs:
            continue
        rows.append(
            {
                "hostname": hostname,
                "hour": hour,
                "first_seq": runs[0][0],
                "last_seq": runs[-1][1],
                "received": sum(b - a + 1 for a, b in runs),
                "duplicates": state.duplicates,
                "ranges": format_runs(runs),
            }
        )
    upsert(
        connection,
        table_of(RequestSequence),
        rows,
        ("hostname", "hour"),
        replace=("first_seq", "last_seq", "received", "ranges"),
        add=("duplicates",),
    )
