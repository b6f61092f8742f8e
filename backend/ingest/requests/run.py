"""Ingest one raw request log: read and classify it all, then apply it in one transaction.

An input is identified by its content (SHA-256), so the same log given twice, under any
name or through standard input, is loaded once; a rotated log with new lines is new content.
A corrupt or truncated compressed input is rejected whole and loads nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from backend.db import WRITE
from backend.ingest.dialect import dialect_for
from backend.ingest.loader import FileFacts
from backend.ingest.projects import ProjectRegistry
from backend.ingest.requests.actors import ActorKeys, AutomatedRule
from backend.ingest.requests.agents import SpiderCache
from backend.ingest.requests.aggregate import RequestTally
from backend.ingest.requests.countries import CountryCache, protected_countries
from backend.ingest.requests.definition import PageviewRules, parse_hosts
from backend.ingest.requests.readers import LogReader, UnreadableInput, open_input
from backend.ingest.requests.sequences import SequenceTracker, contains
from backend.ingest.requests.store import apply_input, build_parsed, prior_actors, stored_runs
from backend.ingest.requests.upserts import table_of
from backend.models import IngestedFile
from backend.settings import Settings


@dataclass
class RequestOutcome:
    """What happened to one input (nothing in it names a reader)."""

    name: str
    status: str  # "loaded" | "skipped" | "failed"
    message: str = ""
    lines_read: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    not_pageviews: Counter[str] = field(default_factory=Counter)
    pageviews: int = 0
    held: list[tuple[int, int, str]] = field(default_factory=list)
    seconds: float = 0.0


class Pipeline:
    """Classification state shared by the inputs of one run (caches, rules, keys)."""

    def __init__(self, settings: Settings, default_host: str = "", now: float | None = None):
        self.settings = settings
        hosts = parse_hosts(settings.request_hosts)
        self.rules = PageviewRules(
            hosts, settings.request_article_path, settings.request_script_path
        )
        self.own_projects = set(hosts.values())
        self.spiders = SpiderCache()
        self.countries = CountryCache()
        self.keys = ActorKeys(settings.data_dir, now)
        self.rule = AutomatedRule(
            max_pageviews=settings.automated_max_pageviews, max_rate=settings.automated_max_rate
        )
        self.protected = protected_countries(settings.protected_countries)
        self.default_host = default_host
        self.now = now


class LoadedMeanwhile(Exception):
    """Another process stored some of this input's sequence numbers while it was read."""


def _loaded_meanwhile(connection: Connection, sequences: SequenceTracker) -> bool:
    """Whether numbers this input takes as new are stored by now (a concurrent ingest)."""
    for (hostname, hour), state in sequences.hours.items():
        runs = stored_runs(connection, hostname, hour)
        if runs != state.stored and any(contains(runs, n) for n in state.seen):
            return True
    return False


def ingest_requests(
    engine: Engine,
    pipeline: Pipeline,
    path: str,
    registry: ProjectRegistry,
    *,
    data: bytes | None = None,
    name: str | None = None,
    cover: tuple[int, int] | None = None,
    retried: bool = False,
) -> RequestOutcome:
    """Load one log (``-``: standard input; ``data``: these bytes, named ``name``).

    ``cover`` (first hour, last hour) widens the hours the input is known to cover: an
    input of a closed hour with no request in it still makes that hour a zero.
    Never raises for a bad input.
    """
    started = time.perf_counter()
    label = name or ("standard input" if path == "-" else path)
    settings = pipeline.settings
    reader = LogReader(pipeline.default_host, pipeline.now)
    with engine.connect() as lookup:
        sequences = SequenceTracker(lambda host, hour: stored_runs(lookup, host, hour))
        tally = RequestTally(pipeline.rules, pipeline.spiders, pipeline.countries, sequences)
        try:
            stream, hashing = open_input(path, data)
            with hashing, stream:
                tally.add_all(reader.read(stream))
        except UnreadableInput as exc:
            return RequestOutcome(label, "failed", f"{label}: {exc}; nothing of it was loaded")
        except OSError as exc:
            return RequestOutcome(label, "failed", f"{label}: {exc.strerror or exc}")
    digest = hashing.sha256.hexdigest()
    base = name or ("stdin" if path == "-" else Path(path).name)
    name = f"{base[:180]}#{digest[:16]}"
    rejects = Counter(reader.rejects)
    if tally.duplicates:
        rejects["duplicate"] += tally.duplicates
    outcome = RequestOutcome(
        label,
        "loaded",
        lines_read=reader.lines,
        rejects=rejects,
        not_pageviews=Counter(tally.not_pageviews),
    )
    if cover is not None:
        first, last = cover
        tally.first_hour = first if tally.first_hour is None else min(first, tally.first_hour)
        tally.last_hour = last if tally.last_hour is None else max(last, tally.last_hour)
    if tally.first_hour is None or tally.last_hour is None:
        outcome.status, outcome.message = "skipped", "no usable request in it"
        return outcome
    table = table_of(IngestedFile)
    same = table.c.name == name if data is not None else table.c.sha256 == digest
    with engine.connect() as connection:
        known = connection.execute(select(table.c.id).where(same)).first()
    if known is not None:
        outcome.status, outcome.message = "skipped", "already loaded (same content)"
        return outcome
    tally.note_projects(pipeline.own_projects)
    if not tally.projects:  # nothing says which wikis it covers: loading it would claim all
        outcome.status, outcome.message = "skipped", "no request for a counted wiki in it"
        return outcome
    ids = {project: registry(project) for project in sorted(tally.projects)}
    hourly_window = settings.hourly_window_days > 0
    try:
        with engine.connect().execution_options(**WRITE) as connection:
            dialect = dialect_for(connection)
            try:
                with connection.begin():
                    dialect.lock()
                    if _loaded_meanwhile(connection, sequences):
                        raise LoadedMeanwhile
                    classified = tally.finish(
                        pipeline.keys,
                        pipeline.rule,
                        lambda wanted: prior_actors(connection, wanted),
                        pipeline.protected,
                    )
                    parsed = build_parsed(
                        classified,
                        ids,
                        tally.first_hour,
                        tally.last_hour,
                        reader.lines,
                        rejects,
                        outcome.not_pageviews,
                        hourly_window,
                    )
                    outcome.pageviews = parsed.views
                    facts = FileFacts(
                        name=name,
                        path="-" if path == "-" or data is not None else str(Path(path).resolve()),
                        size=hashing.size,
                        sha256=digest,
                        projects=",".join(sorted(ids)),
                        duration=time.perf_counter() - started,
                    )
                    outcome.held = apply_input(
                        connection,
                        settings,
                        name,
                        facts.path,
                        parsed,
                        classified,
                        sequences,
                        tally.first_hour,
                        tally.last_hour,
                        facts,
                    )
            finally:
                dialect.unlock()
    except LoadedMeanwhile:
        if path == "-" or retried:
            return RequestOutcome(
                label,
                "failed",
                f"{label}: another ingest loaded some of the same requests meanwhile; "
                "nothing of it was loaded (run it again)",
            )
        return ingest_requests(
            engine, pipeline, path, registry, data=data, name=name, cover=cover, retried=True
        )
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return RequestOutcome(
            label, "failed", f"{label}: the store refused it ({reason}); nothing was loaded"
        )
    outcome.seconds = time.perf_counter() - started
    return outcome
