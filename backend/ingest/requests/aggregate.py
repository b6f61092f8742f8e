"""Add up one input's requests: pageviews by page, hour, access, agent and country.

Parsing keeps, per input, a counter per (project, title, hour, access, country, actor) for
readers that are not spiders, and per (project, title, hour, access) for spiders. The agent
of a reader is known only once the input is read (the automated rule looks at an actor's
whole day), so :meth:`RequestTally.finish` classifies the actors, then folds them away: what
leaves this module is counts and keyed hashes, never an address or a user agent.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from backend.codes import Access, Agent, Source, series_code
from backend.ingest.requests.actors import ActorDay, ActorKeys, AutomatedRule
from backend.ingest.requests.agents import SpiderCache
from backend.ingest.requests.countries import UNKNOWN, CountryCache
from backend.ingest.requests.definition import PageviewRules
from backend.ingest.requests.records import Request
from backend.ingest.requests.sequences import SequenceTracker

SOURCE = Source.REQUESTS
#: ``top_articles``/``country_*`` access column: 0 is all-access, else 1 + Access.
ACCESS_COLUMN = {Access.DESKTOP: 1, Access.MOBILE_WEB: 2, Access.MOBILE_APP: 3}
SERIES = {
    (access, agent): series_code(SOURCE, access, agent) for access in Access for agent in Agent
}


@dataclass
class _Actor:
    day: int
    ip: str
    user_agent: str
    state: ActorDay
    pages: set[Any] = field(default_factory=set)


@dataclass
class Classified:
    """An input's counts after classification (what may reach the store)."""

    #: (project, title, hour, series) → views, every agent
    pages: Counter[Any] = field(default_factory=Counter)
    #: (day, country, project, title, access column) → user views
    country_pages: Counter[Any] = field(default_factory=Counter)
    #: (day, country, project, title, access column, actor hash) of user views
    country_actors: set[Any] = field(default_factory=set)
    #: (day, actor hash) → the actor's merged state, for days whose state may be kept
    actors: dict[Any, Any] = field(default_factory=dict)
    #: days whose actor key lives, so whose per-actor working state may be stored
    state_days: set[Any] = field(default_factory=set)
    automated_actors: int = 0
    actors_seen: int = 0


class RequestTally:
    """Counts pageviews of one input as its requests stream past."""

    def __init__(
        self,
        rules: PageviewRules,
        spiders: SpiderCache,
        countries: CountryCache,
        sequences: SequenceTracker,
    ):
        self.rules = rules
        self.spiders = spiders
        self.countries = countries
        self.sequences = sequences
        self.not_pageviews: Counter[str] = Counter()
        self.duplicates = 0
        self.first_hour: int | None = None
        self.last_hour: int | None = None
        self.projects: set[str] = set()
        self.pageviews = 0
        self.spider_counts: Counter[Any] = Counter()
        self.reader_counts: Counter[Any] = Counter()
        self._actors: list[_Actor] = []
        self._actor_ids: dict[tuple[int, str, str], int] = {}

    def add_all(self, requests: Iterable[Request]) -> None:
        """Count every request of ``requests``."""
        judge = self.rules.judge
        spiders, countries = self.spiders, self.countries
        fresh = self.sequences.fresh
        actor_ids, actors = self._actor_ids, self._actors
        spider_counts, reader_counts = self.spider_counts, self.reader_counts
        not_pageviews = self.not_pageviews
        first: int | None = None
        last: int | None = None
        hosts_seen: set[str] = set()
        for request in requests:
            hour = request.hour
            if request.host not in hosts_seen:  # a host in the log: its wiki is covered
                hosts_seen.add(request.host)
                site = self.rules.project_of(request.host)
                if site is not None:
                    self.projects.add(site[0])
            if first is None or hour < first:
                first = hour
            if last is None or hour > last:
                last = hour
            if request.sequence >= 0 and not fresh(request.hostname, hour, request.sequence):
                self.duplicates += 1
                continue
            verdict = judge(request)
            if isinstance(verdict, str):
                not_pageviews[verdict] += 1
                continue
            project, title, access = verdict
            user_agent = request.user_agent
            if spiders(user_agent):
                spider_counts[(project, title, hour, access)] += 1
                continue
            day = hour // 24
            key = (day, request.ip, user_agent)
            index = actor_ids.get(key)
            if index is None:
                index = actor_ids[key] = len(actors)
                actors.append(
                    _Actor(
                        day,
                        request.ip,
                        user_agent,
                        ActorDay(0, request.minute, request.minute, 0, 0, len(user_agent)),
                    )
                )
            actor = actors[index]
            state = actor.state
            state.pageviews += 1
            minute = request.minute
            if minute < state.first_minute:
                state.first_minute = minute
            elif minute > state.last_minute:
                state.last_minute = minute
            if request.x_analytics and "nocookies=1" in request.x_analytics:
                state.nocookies += 1
            actor.pages.add((project, title))
            reader_counts[(project, title, hour, access, countries(request.ip), index)] += 1
        if first is not None and last is not None:
            self.first_hour = first if self.first_hour is None else min(first, self.first_hour)
            self.last_hour = last if self.last_hour is None else max(last, self.last_hour)

    def note_projects(self, names: Iterable[str]) -> None:
        """Projects the input covers even if none of their pages was read in it."""
        self.projects.update(names)

    def finish(
        self,
        keys: ActorKeys,
        rule: AutomatedRule,
        prior: Callable[[list[tuple[int, str]]], dict[tuple[int, str], ActorDay]],
        protected: frozenset[str],
    ) -> Classified:
        """Classify the actors (with their earlier state from ``prior``) and fold them away.

        After this, the tally holds no address or user agent any more.
        """
        out = Classified()
        hashes: list[str] = []
        kept: list[bool] = []
        day_keys = {day: keys.key(day) for day in {actor.day for actor in self._actors}}
        blake2b = hashlib.blake2b
        for actor in self._actors:
            actor.state.distinct_pages = len(actor.pages)
            key, keep = day_keys[actor.day]
            digest = blake2b(f"{actor.ip}\n{actor.user_agent}".encode(), key=key, digest_size=16)
            hashes.append(digest.hexdigest())
            kept.append(keep)
            actor.ip = actor.user_agent = ""
            actor.pages = set()
        earlier = prior(
            [(a.day, h) for a, h, k in zip(self._actors, hashes, kept, strict=True) if k]
        )
        agents: list[Agent] = []
        for actor, actor_hash, keep in zip(self._actors, hashes, kept, strict=True):
            merged = actor.state.merged(earlier.get((actor.day, actor_hash), ActorDay()))
            automated = rule.is_automated(merged)
            out.automated_actors += automated
            agents.append(Agent.AUTOMATED if automated else Agent.USER)
            if keep:
                out.actors[(actor.day, actor_hash)] = merged
                out.state_days.add(actor.day)
        out.actors_seen = len(self._actors)
        pages = out.pages
        for (project, title, hour, access), views in self.spider_counts.items():
            pages[(project, title, hour, SERIES[access, Agent.SPIDER])] += views
        country_pages, country_actors = out.country_pages, out.country_actors
        for (project, title, hour, access, country, index), views in self.reader_counts.items():
            agent = agents[index]
            pages[(project, title, hour, SERIES[access, agent])] += views
            if agent is Agent.USER and country != UNKNOWN and country not in protected:
                day = hour // 24
                column = ACCESS_COLUMN[access]
                country_pages[(day, country, project, title, column)] += views
                if kept[index]:
                    country_actors.add((day, country, project, title, column, hashes[index]))
        self._actors = []
        self._actor_ids = {}
        self.reader_counts = Counter()
        self.spider_counts = Counter()
        return out
