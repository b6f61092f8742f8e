"""The store's small vocabularies: access methods, agent types, sources and series codes.

A *series* is one (source, access, agent) combination packed into a small integer; counts are
stored per series so that a better source can win a day without anything being subtracted,
and so that the combined mobile bucket of hourly dumps never answers for ``mobile-web`` or
``mobile-app``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Access(enum.IntEnum):
    """Access method of a count. ``MOBILE`` is the combined web+app bucket of hourly dumps."""

    DESKTOP = 0
    MOBILE_WEB = 1
    MOBILE_APP = 2
    MOBILE = 3


class Agent(enum.IntEnum):
    """Agent type of a count. ``UNSPLIT`` is legacy data that never separated agents."""

    USER = 0
    SPIDER = 1
    AUTOMATED = 2
    UNSPLIT = 3


class Source(enum.IntEnum):
    """Datasets, best last: per project and day the highest complete source wins."""

    PAGECOUNTS = 0
    PAGEVIEWS = 1
    COMPLETE = 2
    #: A wiki's own request logs, classified here (all agents, access split, countries).
    REQUESTS = 3


#: The datasets' names, as the API and ``wikiviews status`` show them.
SOURCE_NAMES: dict[Source, str] = {
    Source.PAGECOUNTS: "pagecounts",
    Source.PAGEVIEWS: "pageviews",
    Source.COMPLETE: "pageview_complete",
    Source.REQUESTS: "requests",
}
ACCESS_NAMES: dict[str, Access] = {
    "desktop": Access.DESKTOP,
    "mobile-web": Access.MOBILE_WEB,
    "mobile-app": Access.MOBILE_APP,
}
AGENT_NAMES: dict[str, Agent] = {
    "user": Agent.USER,
    "spider": Agent.SPIDER,
    "automated": Agent.AUTOMATED,
}
ALL_ACCESS = "all-access"
ALL_AGENTS = "all-agents"
#: Not an API value: the combined mobile bucket alone (the legacy endpoint's ``mobile-site``).
COMBINED_MOBILE = "mobile"


def series_code(source: Source, access: Access, agent: Agent) -> int:
    """Pack (source, access, agent) into the integer stored in the series column."""
    return (int(source) << 4) | (int(access) << 2) | int(agent)


def matching_series(source: Source, access: str, agent: str) -> tuple[int, ...]:
    """Series codes of ``source`` that count towards an API (access, agent) pair.

    ``all-access`` includes the combined mobile bucket and ``all-agents`` the unsplit legacy
    agent; a specific access or agent matches only series that carry exactly it.
    """
    accesses: Iterable[Access]
    if access == ALL_ACCESS:
        accesses = tuple(Access)
    elif access == COMBINED_MOBILE:
        accesses = (Access.MOBILE,)
    else:
        accesses = (ACCESS_NAMES[access],)
    agents: Iterable[Agent] = tuple(Agent) if agent == ALL_AGENTS else (AGENT_NAMES[agent],)
    return tuple(series_code(source, a, g) for a in accesses for g in agents)


#: The access methods and agent types each source tells apart (beyond the all-* totals).
SOURCE_SPLITS: dict[Source, tuple[frozenset[str], frozenset[str]]] = {
    Source.REQUESTS: (frozenset(ACCESS_NAMES), frozenset(AGENT_NAMES)),
    Source.COMPLETE: (frozenset(ACCESS_NAMES), frozenset(AGENT_NAMES)),
    Source.PAGEVIEWS: (frozenset({"desktop"}), frozenset({"user"})),
    Source.PAGECOUNTS: (frozenset({"desktop"}), frozenset()),
}


def source_answers(source: Source, access: str, agent: str) -> bool:
    """Whether ``source`` can say how many views of (access, agent) a page had, 0 included.

    Hourly dumps merge mobile web and app and hold user views only, so a day they won has
    no answer for ``mobile-web`` or ``spider``: such a day is absent, not 0.
    """
    accesses, agents = SOURCE_SPLITS[source]
    return (access == ALL_ACCESS or access in accesses) and (agent == ALL_AGENTS or agent in agents)
