"""``wikiviews fetch``: plan a range, fetch and ingest it (or follow the live edge), report."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from backend import db, version
from backend.dumpfiles import COMPLETE_AGENTS, hour_of
from backend.fetch.follow import follow
from backend.fetch.pipeline import Fetcher, ItemOutcome
from backend.fetch.plan import Plan, describe_ranges, hour_text, loaded_files, make_plan
from backend.fetch.transfer import Policy, Transfer
from backend.ingest.parsed import REJECT_REASONS, ProjectFilter
from backend.ingest.summary import format_warnings
from backend.ingested import LoadedFor
from backend.settings import Settings


def utc_now() -> datetime:
    """The current time as a naive UTC datetime (what the hour arithmetic expects)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FetchRequest:
    """What to fetch: a range of hours (``last_hour`` ``None``: up to the live edge)."""

    first_hour: int
    last_hour: int | None
    projects: ProjectFilter
    datasets: tuple[str, ...] = ("pageviews",)
    agents: tuple[str, ...] = COMPLETE_AGENTS
    order: str = "oldest"
    keep: bool = False
    hourly: bool | None = None


def download_dir(settings: Settings) -> Path:
    """Where downloads wait for their ingest."""
    return Path(settings.fetch_download_dir or Path(settings.data_dir) / "downloads")


def make_transfer(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Transfer:
    """The HTTP side, configured from the settings."""
    return Transfer(
        settings.fetch_base_url,
        connections=settings.fetch_connections,
        policy=Policy(retries=settings.fetch_retries),
        user_agent=user_agent(settings),
        sleep=sleep,
    )


def user_agent(settings: Settings) -> str:
    """The User-Agent sent to the dumps host (Wikimedia asks for one that says who calls)."""
    return version.user_agent("wikiviews fetch", settings.fetch_user_agent)


def plan_request(settings: Settings, request: FetchRequest, now: datetime) -> Plan:
    """The plan of a non-follow run at ``now``, without changing the store."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        loaded: dict[str, LoadedFor] = {}  # no store yet: do not create one just to look
    else:
        engine = db.make_engine(settings)
        try:
            has_store = inspect(engine).has_table("ingested_files")
            loaded = loaded_files(engine) if has_store else {}
        finally:
            engine.dispose()
    now_hour = hour_of(now)
    last = request.last_hour if request.last_hour is not None else now_hour - 1
    return make_plan(
        request.first_hour,
        last,
        now_hour=now_hour,
        loaded=loaded,
        projects=request.projects,
        datasets=request.datasets,
        agents=request.agents,
        order=request.order,
    )


def format_dry_run(plan: Plan, base_url: str) -> str:
    """What a run would fetch: one URL a line, then the counts."""
    lines = [item.url(base_url) for item in plan.wanted]
    lines.append(
        f"would fetch {len(plan.wanted)} file(s); {len(plan.loaded)} already in the store"
        + (f"; {len(plan.not_yet)} not published yet (period not over)" if plan.not_yet else "")
    )
    return "\n".join(lines)


def is_live_edge(outcome: ItemOutcome, now_hour: int) -> bool:
    """Whether a 404 is for a file that may simply not be published yet."""
    return outcome.item.at_live_edge(now_hour)


def format_report(
    outcomes: list[ItemOutcome], plan_loaded: int, seconds: float, now_hour: int
) -> str:
    """The end-of-run report: what was loaded, verified, missing, failed, and how fast.

    A 404 for a file at the live edge (:data:`~backend.dumpfiles.LIVE_EDGE_HOURS`) is
    "not published yet", an older one "missing on the server".
    """
    by_status: dict[str, list[ItemOutcome]] = {}
    for outcome in outcomes:
        status = outcome.status
        if status == "missing" and is_live_edge(outcome, now_hour):
            status = "not published yet"
        by_status.setdefault(status, []).append(outcome)
    loaded = by_status.get("loaded", [])
    received = sum(o.bytes for o in outcomes)
    verified = [o for o in loaded if o.verified_by]
    rate = received / seconds if seconds > 0 else 0.0
    out = [
        f"files: {len(loaded)} loaded, {len(by_status.get('skipped', []))} skipped, "
        f"{len(by_status.get('missing', []))} missing, {len(by_status.get('failed', []))} "
        f"failed; {plan_loaded} were already in the store",
        f"downloaded: {received / 1e6:,.1f} MB in {seconds:.1f} s ({rate / 1e6:,.1f} MB/s)",
    ]
    ingests = [o.ingest for o in loaded if o.ingest is not None]
    if ingests:
        rejects: Counter[str] = Counter()
        for result in ingests:
            rejects.update(result.rejects)
        out.append(
            f"lines: {sum(r.lines_read for r in ingests):,} read, "
            f"{sum(r.lines_rejected for r in ingests):,} rejected; "
            f"views loaded: {sum(r.views for r in ingests):,}"
        )
        out.extend(
            f"  rejected {count:,} × {REJECT_REASONS.get(reason, reason)} ({reason})"
            for reason, count in rejects.most_common()
        )
        out.extend(format_warnings(ingests))
    if loaded:
        sources = sorted({o.verified_by for o in verified})
        out.append(
            f"checksums: {len(verified)} verified"
            + (f" against {', '.join(sources)}" if sources else "")
            + (
                f", {len(loaded) - len(verified)} not listed in any published checksum file "
                "(checked by the archive's own CRC while loading)"
                if len(verified) < len(loaded)
                else ""
            )
        )
        hours = sum(o.item.hours for o in loaded if o.item.dataset == "pageviews")
        if hours and seconds > 0:
            out.append(
                f"speed: {hours} hour(s) of pageviews in {seconds:.1f} s, "
                f"{hours * 3600 / seconds:,.0f}× the live rate"
            )
    missing = [o.item for o in by_status.get("missing", [])]
    if missing:
        out.append("missing on the server (404), not loaded:")
        out.extend(f"  {line}" for line in describe_ranges(missing))
    waiting = [o.item for o in by_status.get("not published yet", [])]
    if waiting:
        out.append("not published yet (404 at the live edge; a later run gets them):")
        out.extend(f"  {line}" for line in describe_ranges(waiting))
    for outcome in by_status.get("failed", []):
        out.append(f"FAILED {outcome.item.name}: {outcome.message}")
    return "\n".join(out)


def run_fetch(
    settings: Settings,
    request: FetchRequest,
    *,
    follow_edge: bool = False,
    max_polls: int | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
) -> int:
    """Fetch and ingest ``request``; returns the exit status (0 ok, 1 something failed)."""
    db.upgrade(settings)
    engine = db.make_engine(settings)
    transfer = make_transfer(settings, sleep)
    fetcher = Fetcher(
        engine,
        settings,
        transfer,
        request.projects,
        download_dir=download_dir(settings),
        connections=settings.fetch_connections,
        keep=request.keep,
        hourly=request.hourly,
        progress=progress,
    )
    started = time.perf_counter()
    try:
        if follow_edge:
            echo(
                f"following {', '.join(request.datasets)} from {hour_text(request.first_hour)} "
                f"at {settings.fetch_base_url}, polling every {settings.fetch_poll_seconds} s"
            )
            state = follow(
                fetcher,
                first_hour=request.first_hour,
                datasets=request.datasets,
                agents=request.agents,
                order=request.order,
                poll_seconds=settings.fetch_poll_seconds,
                clock=clock,
                sleep=sleep,
                echo=echo,
                max_polls=max_polls,
            )
            # A file retried at every poll is reported once: as loaded, or as given up.
            outcomes = [o for o in state.outcomes if o.status in ("loaded", "skipped")]
            outcomes += state.given_up.values()
            already = 0
        else:
            now = clock()
            plan = plan_request(settings, request, now)
            outcomes = fetcher.run(plan.wanted, hour_of(now))
            fetcher.finish()
            already = len(plan.loaded)
            if plan.not_yet:
                echo(f"not published yet (period not over): {len(plan.not_yet)} file(s)")
    finally:
        fetcher.close()
        engine.dispose()
    now_hour = hour_of(clock())
    echo(format_report(outcomes, already, time.perf_counter() - started, now_hour))
    failed = any(o.status == "failed" for o in outcomes)
    # Only 404s for files that should long exist: a wrong base URL or wrong dates.
    found_nothing = bool(outcomes) and all(
        o.status == "missing" and not is_live_edge(o, now_hour) for o in outcomes
    )
    if found_nothing and not follow_edge:
        echo(
            f"nothing of the range was found at {settings.fetch_base_url} "
            "(check WIKIVIEWS_FETCH_BASE_URL and the dates)"
        )
    return 1 if failed or (found_nothing and not follow_edge) else 0
