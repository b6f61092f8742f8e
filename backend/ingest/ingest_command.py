"""``wikiviews ingest``: migrate, load every file with a progress bar, pack, print a summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click
from tqdm import tqdm

from backend import db
from backend.ingest.parsed import ProjectFilter
from backend.ingest.projects import ProjectRegistry
from backend.ingest.replace import CannotReplace
from backend.ingest.run import FileOutcome, finish, ingest_file
from backend.ingest.summary import format_errors, format_summary
from backend.settings import Settings


def run_ingest(
    settings: Settings,
    files: Sequence[Path],
    projects: ProjectFilter,
    *,
    replace: bool = False,
    hourly: bool | None = None,
) -> bool:
    """Load ``files``; returns False when any file failed. Prints progress and a summary."""
    db.upgrade(settings)
    engine = db.make_engine(settings)
    started = time.perf_counter()
    outcomes: list[FileOutcome] = []
    registry = ProjectRegistry(engine)
    bar = tqdm(unit=" lines", unit_scale=True, dynamic_ncols=True, disable=None, file=sys.stderr)
    try:
        for number, path in enumerate(files, 1):
            bar.set_description(f"[{number}/{len(files)}] {path.name}")
            try:
                outcome = ingest_file(
                    engine,
                    settings,
                    path,
                    projects,
                    replace_loaded=replace,
                    hourly=hourly,
                    on_lines=bar.update,
                    registry=registry,
                )
            except CannotReplace as exc:
                outcome = FileOutcome(path, "failed", str(exc))
            outcomes.append(outcome)
        bar.set_description("packing settled days")
        packed = finish(engine, settings)
    finally:
        registry.close()
        bar.close()
        engine.dispose()
    click.echo(format_summary(outcomes, time.perf_counter() - started, packed))
    for line in format_errors(outcomes):
        click.echo(line, err=True)
    return all(o.status != "failed" for o in outcomes)
