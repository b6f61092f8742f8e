"""``--follow``: keep up with the live edge, polling at a polite interval.

Each poll plans again from the store (so a restart resumes where the store is), fetches the
hours whose period has ended and that are not loaded, and sleeps. A 404 at the live edge
means "not published yet" and is retried at the next poll; a file still missing
:data:`~backend.dumpfiles.LIVE_EDGE_HOURS` after its period ended (48 hours for hourly
files, a week for daily ones) is reported as missing and no longer asked for by this
process (a restart asks again). A file that fails :data:`MAX_FAILURES` polls in a row is
reported and left alone the same way.

Publication stays the store's business: the ingest publishes a day only once all its hours
are loaded and none of them is in ``held_hours``, so held hours stay held whatever the
fetcher loads around them. The clock, the sleep and the number of polls are parameters,
so tests run the loop deterministically without waiting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from backend.dumpfiles import hour_of
from backend.fetch.pipeline import Fetcher, ItemOutcome
from backend.fetch.plan import describe_ranges, loaded_files, make_plan

#: Polls a file may fail in a row before this process stops asking for it.
MAX_FAILURES = 3


@dataclass
class FollowState:
    """What one follow run has seen, for its report."""

    polls: int = 0
    outcomes: list[ItemOutcome] = field(default_factory=list)
    given_up: dict[str, ItemOutcome] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)


def follow(
    fetcher: Fetcher,
    *,
    first_hour: int,
    datasets: tuple[str, ...],
    agents: tuple[str, ...],
    order: str,
    poll_seconds: float,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    echo: Callable[[str], None],
    max_polls: int | None = None,
) -> FollowState:
    """Poll until interrupted (or ``max_polls`` polls); returns what happened."""
    state = FollowState()
    while True:
        now_hour = hour_of(clock())
        plan = make_plan(
            first_hour,
            now_hour - 1,
            now_hour=now_hour,
            loaded=loaded_files(fetcher.engine),
            projects=fetcher.projects,
            datasets=datasets,
            agents=agents,
            order=order,
            skip=frozenset(state.given_up),
        )
        outcomes = fetcher.run(plan.wanted, now_hour)
        fetcher.finish()
        state.polls += 1
        state.outcomes.extend(outcomes)
        waiting = []
        for outcome in outcomes:
            name = outcome.item.name
            if outcome.status == "missing":
                if not outcome.item.at_live_edge(now_hour):
                    state.given_up[name] = outcome
                else:
                    waiting.append(outcome.item)
            elif outcome.status == "failed":
                state.failures[name] += 1
                if state.failures[name] >= MAX_FAILURES:
                    state.given_up[name] = outcome
            else:
                state.failures.pop(name, None)
        echo(_poll_line(clock(), outcomes, waiting, poll_seconds))
        if max_polls is not None and state.polls >= max_polls:
            return state
        sleep(poll_seconds)


def _poll_line(
    now: datetime, outcomes: list[ItemOutcome], waiting: list, poll_seconds: float
) -> str:
    loaded = [o.item for o in outcomes if o.status == "loaded"]
    failed = [o for o in outcomes if o.status == "failed"]
    parts = [f"[{now:%Y-%m-%d %H:%M} UTC] loaded {len(loaded)} file(s)"]
    if loaded:
        parts.append("; ".join(describe_ranges(loaded)))
    if waiting:
        parts.append("not published yet: " + "; ".join(describe_ranges(waiting)))
    if failed:
        parts.append("failed: " + "; ".join(f"{o.item.name}: {o.message}" for o in failed))
    parts.append(f"next poll in {poll_seconds:g} s")
    return " — ".join(parts)
