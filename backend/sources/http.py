"""``ApiSource``: the read model over HTTP, from any API with Wikimedia's pageview routes.

Against wikiviews it uses the ``/api/wikiviews/v1/`` extensions when the server offers them
(several titles a request, redirects, the summary in one request); against Wikimedia's own
API (or with ``extensions=False``) only the compatible routes. Either way it

* sends a descriptive User-Agent (Wikimedia's User-Agent policy);
* keeps under a client-side request rate (default 10 a second, well within Wikimedia's
  access policy for its REST API) and at most ``max_workers`` requests in flight;
* retries connection errors, 429 and 5xx with exponential backoff through urllib3's
  :class:`~urllib3.util.retry.Retry` on a :class:`requests.Session`, honouring
  ``Retry-After``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from backend.sources.store import per_month, whole_months
from backend.sources.summary import read_start, summarise
from backend.sources.types import NotPublished, SourceError, Summary, TopArticle, TopList
from backend.timeutil import day_date, month_days, month_start

PAGEVIEWS = "/api/rest_v1/metrics/pageviews"
EXTENSIONS = "/api/wikiviews/v1"
DEFAULT_RATE = 10.0
DEFAULT_WORKERS = 4
#: Titles per request of the extensions' several-articles route (its default limit is 50).
TITLES_PER_REQUEST = 25
#: How long a project's ``through`` is reused before it is asked again.
THROUGH_SECONDS = 300.0
#: Without the extensions, ``through`` asks for the project's daily totals of this many recent
#: days first, and only when they are empty for every day since :data:`EARLIEST`.
RECENT_DAYS = 45
EARLIEST = date(2001, 1, 1)


def default_user_agent() -> str:
    """``wikiviews/VERSION (…)``: who calls, as Wikimedia's User-Agent policy asks."""
    try:
        release = version("wikiviews")
    except PackageNotFoundError:  # pragma: no cover - a bare checkout
        release = "unknown"
    return f"wikiviews/{release} (self-hosted pageview statistics; read model over HTTP)"


class RateLimit:
    """At most ``per_second`` request starts a second, spread evenly, across threads."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("the request rate must be positive")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may start."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


def make_session(
    user_agent: str, *, retries: int = 5, pool: int = DEFAULT_WORKERS
) -> requests.Session:
    """A :class:`requests.Session` that retries with backoff and honours ``Retry-After``."""
    retry = Retry(
        total=retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=pool, pool_maxsize=pool)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    session.headers["Accept"] = "application/json"
    return session


def _segment(text: str) -> str:
    return quote(text.replace(" ", "_"), safe="")


def _stamp(day: date) -> str:
    return f"{day:%Y%m%d}"


class ApiSource:
    """A :class:`~backend.sources.PageviewSource` over HTTP (see the module docstring).

    ``base_url`` is the part before ``/api/…`` (``https://wikimedia.org``). ``extensions``:
    ``None`` asks the server once whether it offers wikiviews' extensions, ``False`` never
    uses them. ``redirects_of(project, title)`` names the redirects to a title, for
    ``redirects=True`` without the extensions (the bot asks the wiki itself).
    """

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str | None = None,
        rate: float = DEFAULT_RATE,
        max_workers: int = DEFAULT_WORKERS,
        timeout: float = 30.0,
        retries: int = 5,
        extensions: bool | None = None,
        redirects_of: Callable[[str, str], list[str]] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = make_session(
            user_agent or default_user_agent(), retries=retries, pool=max_workers
        )
        self.rate = RateLimit(rate)
        self.max_workers = max_workers
        self.timeout = timeout
        self._extensions = extensions
        self._redirects_of = redirects_of
        self._through: dict[str, tuple[float, date | None]] = {}

    # -- HTTP ------------------------------------------------------------------------------

    def get(
        self, path: str, params: dict[str, Any] | None = None, *, absent: tuple[int, ...] = (404,)
    ) -> Any | None:
        """The JSON of ``GET path``; ``None`` for a status of ``absent`` (no data: a 404);
        :class:`SourceError` for any other failure."""
        self.rate.wait()
        try:
            response = self.session.get(self.base_url + path, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SourceError(f"{self.base_url}{path}: {exc}") from exc
        if response.status_code in absent:
            return None
        if response.status_code != 200:
            raise SourceError(
                f"{self.base_url}{path}: HTTP {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def _map(self, function: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        with ThreadPoolExecutor(self.max_workers) as pool:
            return list(pool.map(function, items))

    @property
    def extensions(self) -> bool:
        """Whether the server offers wikiviews' extensions (asked once)."""
        if self._extensions is None:
            try:
                self._extensions = self.get(f"{EXTENSIONS}/projects") is not None
            except SourceError:
                self._extensions = False
        return self._extensions

    # -- The questions ---------------------------------------------------------------------

    def through(self, project: str) -> date | None:
        """The last day with data for ``project`` (from the aggregate route), or ``None``."""
        cached = self._through.get(project)
        if cached is not None and time.monotonic() - cached[0] < THROUGH_SECONDS:
            return cached[1]
        found: date | None = None
        if self.extensions:
            body = self.get(f"{EXTENSIONS}/freshness/{_segment(project)}")
            if body is not None and body.get("last_day"):
                found = _parse_day(body["last_day"])
        else:
            today = date.today()
            for first in (today - timedelta(days=RECENT_DAYS), EARLIEST):
                series = self.aggregate(project, first, today, agent="all-agents")
                if series:
                    found = _parse_day(max(series))
                    break
        self._through[project] = (time.monotonic(), found)
        return found

    def daily(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
        zero_fill: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDD": views}}`` for every title given (see the protocol)."""
        if self.extensions:
            series = self._daily_extension(project, titles, start, end, access, agent, redirects)
        else:
            series = self._daily_compatible(project, titles, start, end, access, agent, redirects)
        if zero_fill:
            through = self.through(project)
            if through is not None:
                filled = [
                    _stamp(start + timedelta(days=n))
                    for n in range((min(end, through) - start).days + 1)
                ]
                series = {
                    title: {key: per_day.get(key, 0) for key in sorted(set(per_day) | set(filled))}
                    for title, per_day in series.items()
                }
        return series

    def _daily_extension(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        access: str,
        agent: str,
        redirects: bool,
    ) -> dict[str, dict[str, int]]:
        wanted = {title: title.replace(" ", "_") for title in titles}
        names = list(dict.fromkeys(wanted.values()))
        chunks = [
            names[i : i + TITLES_PER_REQUEST] for i in range(0, len(names), TITLES_PER_REQUEST)
        ]
        path = (
            f"{EXTENSIONS}/per-article/{_segment(project)}/{access}/{agent}/daily/"
            f"{_stamp(start)}/{_stamp(end)}"
        )

        def fetch(chunk: list[str]) -> Any:
            return self.get(path, {"title": chunk, "redirects": int(redirects)})

        found: dict[str, dict[str, int]] = {}
        for body in self._map(fetch, chunks):
            for item in (body or {}).get("items", []):
                per_day = found.setdefault(item["article"], {})
                per_day[item["timestamp"][:8]] = item["views"]
        return {title: dict(sorted(found.get(key, {}).items())) for title, key in wanted.items()}

    def _daily_compatible(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        access: str,
        agent: str,
        redirects: bool,
    ) -> dict[str, dict[str, int]]:
        if redirects and self._redirects_of is None:
            raise SourceError(
                "redirects=True needs wikiviews' extensions or a redirects_of function "
                "(Wikimedia's API does not sum redirects)"
            )
        wanted = {title: title.replace(" ", "_") for title in titles}
        names = list(dict.fromkeys(wanted.values()))
        redirects_of = self._redirects_of
        summed: dict[str, list[str]] = {
            name: [name, *(redirects_of(project, name) if redirects and redirects_of else [])]
            for name in names
        }
        every = list(dict.fromkeys(n for group in summed.values() for n in group))
        fetched = dict(
            zip(
                every,
                self._map(
                    lambda name: self._article(project, name, start, end, access, agent), every
                ),
                strict=True,
            )
        )
        result = {}
        for title, name in wanted.items():
            total: dict[str, int] = {}
            for member in summed[name]:
                for key, views in fetched[member].items():
                    total[key] = total.get(key, 0) + views
            result[title] = dict(sorted(total.items()))
        return result

    def _article(
        self, project: str, name: str, start: date, end: date, access: str, agent: str
    ) -> dict[str, int]:
        body = self.get(
            f"{PAGEVIEWS}/per-article/{_segment(project)}/{access}/{agent}/{_segment(name)}/"
            f"daily/{_stamp(start)}/{_stamp(end)}"
        )
        return {item["timestamp"][:8]: item["views"] for item in (body or {}).get("items", [])}

    def hourly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDDHH": views}}``: one request a title to the extensions'
        ``per-article-hourly`` route.

        Wikimedia's pageview API keeps no hourly per-article data (its per-article route
        refuses ``hourly``), so a server without the extensions gets no request at all and
        every title has an empty series."""
        wanted = {title: title.replace(" ", "_") for title in titles}
        if not self.extensions:
            return {title: {} for title in titles}
        names = list(dict.fromkeys(wanted.values()))
        first, last = f"{_stamp(start)}00", f"{_stamp(end)}23"

        def fetch(name: str) -> dict[str, int]:
            path = (
                f"{EXTENSIONS}/per-article-hourly/{_segment(project)}/{access}/{agent}/"
                f"{_segment(name)}/{first}/{last}"
            )
            body = self.get(path, absent=(404,))
            items = (body or {}).get("items", [])
            return dict(sorted((item["timestamp"][:10], item["views"]) for item in items))

        fetched = dict(zip(names, self._map(fetch, names), strict=True))
        return {title: fetched[key] for title, key in wanted.items()}

    def monthly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMM01": views}}`` over the whole months within ``start``..``end``."""
        months = whole_months(start, end)
        if months is None:
            return {title: {} for title in titles}
        daily = self.daily(
            project,
            titles,
            month_start(months[0]),
            day_date(month_days(months[1])[-1]),
            access=access,
            agent=agent,
            redirects=redirects,
        )
        return {title: per_month(series) for title, series in daily.items()}

    def top(
        self,
        project: str,
        start: date,
        end: date | None = None,
        *,
        access: str = "all-access",
        limit: int = 1000,
    ) -> TopList:
        """A day's list (``end`` omitted), a whole month's, or a range's (extensions only)."""
        last = start if end is None else end
        month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if start == last or (start.day == 1 and last == month_end):
            day = f"{start:%d}" if start == last else "all-days"
            body = self.get(
                f"{PAGEVIEWS}/top/{_segment(project)}/{access}/{start:%Y}/{start:%m}/{day}"
            )
            articles = body["items"][0]["articles"] if body else []
            return TopList(
                project,
                access,
                start,
                last,
                [
                    TopArticle(a["article"], a["views"], a["rank"])
                    for a in articles
                    if a["rank"] <= limit
                ],
            )
        if not self.extensions:
            raise SourceError("top lists over a range need wikiviews' extensions")
        body = self.get(
            f"{EXTENSIONS}/top/{_segment(project)}/{access}/{_stamp(start)}/{_stamp(last)}",
            {"limit": limit},
        )
        if body is None:
            return TopList(project, access, start, last, [])
        item = body["items"][0]
        return TopList(
            project,
            access,
            _parse_day(item["start"]),
            _parse_day(item["end"]),
            [TopArticle(a["article"], a["views"], a["rank"]) for a in item["articles"]],
            "exact" if item["granularity"] == "daily" else "months",
        )

    def aggregate(
        self,
        project: str,
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        granularity: str = "daily",
    ) -> dict[str, int]:
        """A project's (or ``all-projects``') views: ``{"YYYYMMDD[HH]": views}``."""
        if granularity == "hourly":
            first, last, width = f"{_stamp(start)}00", f"{_stamp(end)}23", 10
        else:
            first, last, width = f"{_stamp(start)}00", f"{_stamp(end)}00", 8
        body = self.get(
            f"{PAGEVIEWS}/aggregate/{_segment(project)}/{access}/{agent}/{granularity}/"
            f"{first}/{last}"
        )
        return {item["timestamp"][:width]: item["views"] for item in (body or {}).get("items", [])}

    def summary(
        self,
        project: str,
        title: str,
        *,
        days: int = 60,
        agent: str = "user",
        access: str = "all-access",
        redirects: bool = False,
    ) -> Summary:
        """The gadget's summary: one request with the extensions, else built from the
        per-article route and the day's top list with the same arithmetic as the store's."""
        if self.extensions:
            body = self.get(
                f"{EXTENSIONS}/summary/{_segment(project)}/{_segment(title)}",
                {"days": days, "agent": agent, "access": access, "redirects": int(redirects)},
            )
            if body is None:
                raise NotPublished(project)
            return _summary_of(body, title)
        through = self.through(project)
        if through is None:
            raise NotPublished(project)
        first = read_start(through, days)
        series = self.daily(
            project, [title], first, through, access=access, agent=agent, redirects=redirects
        )[title]
        name = title.replace(" ", "_")
        top = self.top(project, through, access=access)
        rank = next((a.rank for a in top.articles if a.title == name), None)
        return summarise(
            project,
            title,
            through,
            {_parse_day(key): views for key, views in series.items()},
            days=days,
            rank=rank,
            redirects=(
                self._redirects_of(project, name) if redirects and self._redirects_of else []
            ),
        )


def _parse_day(stamp: str) -> date:
    return date(int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]))


def _summary_of(body: dict[str, Any], title: str) -> Summary:
    return Summary(
        project=body["project"],
        title=title,
        through=_parse_day(body["through"]),
        series=[(_parse_day(point["date"]), point["views"]) for point in body["series"]],
        total_30=body["total_30"],
        average_30=body["average_30"],
        previous_total_30=body["previous_total_30"],
        change_pct=body["change_pct"],
        rank=body["rank"],
        rank_date=_parse_day(body["rank_date"]) if body.get("rank_date") else None,
        redirects=list(body.get("redirects", [])),
    )
