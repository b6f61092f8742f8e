"""Fuzzing: schemathesis against the OpenAPI document, and bad input aimed at the parsers.

Both run in-process against the Flask app (WSGI) on the small store of
``tests/api/conftest.py``, deterministically (Hypothesis ``derandomize``) and with a bounded
number of examples: many on SQLite, fewer on PostgreSQL and MariaDB. They require that no
answer is a 5xx and that every answer has a documented status, content type, headers and
body schema.

* :func:`test_schemathesis_finds_nothing` runs schemathesis' own phases (the documented
  examples, boundary values of every parameter, then generated valid and invalid values)
  over every documented operation.
* The ``test_bad_*`` tests send what a schema cannot describe: raw, still-encoded path
  segments with broken or overlong percent-escapes, invalid UTF-8, NUL and control
  characters, dot segments, real and impossible dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.engine import Status, events, from_schema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import create_app
from backend.settings import Settings

pytestmark = pytest.mark.slow

UA = {"User-Agent": "wikiviews-tests/1.0 (tests@example.org)"}
P = "/api/rest_v1/metrics/pageviews"
#: Examples per operation and phase (schemathesis) and per bad-input test, by backend.
SCHEMATHESIS_EXAMPLES = {"sqlite": 40, "postgresql": 8, "mariadb": 8}
BAD_INPUT_EXAMPLES = {"sqlite": 250, "postgresql": 40, "mariadb": 40}
#: Checks of each answer in the bad-input tests.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Operations that must have answered 200 at least once (from their documented examples).
WITH_DATA = {
    "pageviews.listing",
    "pageviews.per_article",
    "pageviews.aggregate",
    "pageviews.top",
    "legacy.aggregate",
    "health.healthz",
    "health.prometheus",
    "docs.openapi",
}


@pytest.fixture(scope="module")
def app(api_store: Settings) -> Iterator[Flask]:
    """The app on ``api_store`` without the extensions' rate limit (fuzzing is a flood)."""
    application = create_app(replace(api_store, rate_limit=""))
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


@pytest.fixture
def empty_app(sqlite_settings: Settings) -> Iterator[Flask]:
    """The app on an empty SQLite store: for answers decided before the store is read."""
    application = create_app(sqlite_settings)
    yield application
    application.extensions["wikiviews_engine"].dispose()


def backend_of(app: Flask) -> str:
    """``sqlite``, ``postgresql`` or ``mariadb``: the store the app reads."""
    name = app.extensions["wikiviews_engine"].dialect.name
    return "mariadb" if name in ("mysql", "mariadb") else name


def schemathesis_config(max_examples: int) -> schemathesis.Config:
    """Deterministic, bounded, every check but ``positive_data_acceptance``.

    That check expects every schema-valid request to succeed, but a date like ``20230229``
    matches ``^[0-9]{8}$`` and is refused with a documented 400, as Wikimedia refuses it:
    calendar validity is not expressible in JSON Schema.
    """
    return schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": max_examples, "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
            "checks": {"positive_data_acceptance": {"enabled": False}},
            "continue-on-failure": True,
            "suppress-health-check": ["all"],
            "headers": UA,
        }
    )


@dataclass
class Run:
    """What a schemathesis run saw: statuses per operation, and every failure found."""

    statuses: dict[str, Counter] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def run_schemathesis(app: Flask, max_examples: int) -> Run:
    """Every phase of schemathesis over the app's document, collected into a :class:`Run`."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/openapi.json", app, config=schemathesis_config(max_examples), headers=UA
    )
    ids = {op.label: op.definition.raw.get("operationId") for op in _operations(schema)}
    run = Run()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            seen = run.statuses.setdefault(ids.get(recorder.label, recorder.label), Counter())
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    seen[interaction.response.status_code] += 1
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        run.failures.append(_describe(recorder, case_id, check))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.failures.append(f"schemathesis error: {event!r}"[:2000])
    return run


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _describe(recorder: Any, case_id: str, check: Any) -> str:
    interaction = recorder.interactions.get(case_id)
    request = (
        "" if interaction is None else f"{interaction.request.method} {interaction.request.uri}"
    )
    failure = check.failure_info.failure if check.failure_info else None
    title = getattr(failure, "title", "") if failure else ""
    message = getattr(failure, "message", "") if failure else ""
    return f"{recorder.label}: {check.name}: {title}: {message}\n    {request}"


def test_schemathesis_finds_nothing(app: Flask) -> None:
    run = run_schemathesis(app, SCHEMATHESIS_EXAMPLES[backend_of(app)])
    assert run.failures == [], "\n".join(run.failures)
    documented = {op.definition.raw["operationId"] for op in _operations(_schema(app))}
    assert set(run.statuses) == documented, "an operation was not exercised"
    for operation in WITH_DATA & documented:
        assert run.statuses[operation][200] > 0, f"{operation} never answered 200"
    for operation, statuses in run.statuses.items():
        assert not any(status >= 500 for status in statuses), (operation, statuses)


def _schema(app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi(
        "/api/openapi.json", app, config=schemathesis_config(1), headers=UA
    )


# --- bad input the document cannot describe ----------------------------------------------------

ESCAPES = ["%", "%2", "%G0", "%zz", "%2F", "%25", "%00", "%0A", "%7F", "%20", "%3F", "%23"]
PIECES = ["..", ".", "_", "/", "//", "%2E%2E", "+", "~", ";", "=", "&", "@", ":", "'", "*", "$"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6)
RAW_TITLE = st.lists(
    st.one_of(
        TEXT.map(lambda s: quote(s, safe="")),
        st.binary(min_size=1, max_size=4).map(lambda b: quote_from_bytes(b, safe="")),
        st.sampled_from(ESCAPES + PIECES),
        st.just(quote("é" * 200, safe="")),
    ),
    min_size=1,
    max_size=8,
).map("".join)
GOOD_DAY = st.dates(date(2001, 1, 1), date(2100, 12, 31)) | st.dates(
    date(2024, 1, 25), date(2024, 3, 5)
)
STAMP = st.one_of(
    GOOD_DAY.map(lambda d: f"{d:%Y%m%d}"),
    st.tuples(GOOD_DAY, st.integers(0, 30)).map(lambda t: f"{t[0]:%Y%m%d}{t[1]:02d}"),
    st.text("0123456789", max_size=12),
    st.sampled_from(["2024022900", "2023022900", "20240231", "99991231", "00010101", "2024013124"]),
    TEXT.map(lambda s: quote(s, safe="")),
)
PROJECT = st.one_of(
    st.sampled_from(
        [
            "en.wikipedia",
            "EN.WIKIPEDIA.ORG",
            "www.de.wikipedia.org",
            "all-projects",
            " en.wikipedia",
        ]
    ),
    TEXT.map(lambda s: quote(s, safe="")),
    RAW_TITLE,
)
ACCESS = st.sampled_from(["all-access", "desktop", "mobile-app", "mobile-web"])
AGENT = st.sampled_from(["all-agents", "automated", "spider", "user"])
YEAR = st.one_of(st.integers(1990, 2110).map(str), st.sampled_from(["all-years", "24", "02024"]))
MONTH = st.one_of(
    st.integers(0, 13).map(lambda m: f"{m:02d}"), st.sampled_from(["2", "all-months"])
)
DAY = st.one_of(
    st.integers(0, 32).map(lambda d: f"{d:02d}"), st.sampled_from(["all-days", "all-dayz", "1"])
)


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """``good`` about two times in three, else ``bad`` (``a | b`` is far from even here)."""
    return st.tuples(st.integers(0, 2), good, bad).map(lambda t: t[1] if t[0] else t[2])


class Checker:
    """Sends raw paths with a test client and validates each answer against the document."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.schema = _schema(app)
        self.statuses: Counter = Counter()

    def check(self, path: str, template: str, parameters: dict[str, str]) -> None:
        """GET ``path`` (sent as is) and validate it as an answer of ``template``."""
        response = self.client.get(path, headers=UA)
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, (path, response.get_data(as_text=True))
        case = self.schema[template]["GET"].Case(path_parameters=parameters)
        case.validate_response(response, checks=CHECKS)


def fuzz(app: Flask, strategy: st.SearchStrategy, send: Callable[[Checker, Any], None]) -> Counter:
    """Run ``send`` on examples of ``strategy``; the statuses seen."""
    checker = Checker(app)

    @settings(
        max_examples=BAD_INPUT_EXAMPLES[backend_of(app)],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example: Any) -> None:
        send(checker, example)

    run()
    return checker.statuses


def test_bad_titles_and_dates_per_article(app: Flask) -> None:
    template = P + "/per-article/{project}/{access}/{agent}/{article}/{granularity}/{start}/{end}"

    def send(checker: Checker, example: tuple) -> None:
        access, agent, title, granularity, start, end = example
        path = f"{P}/per-article/en.wikipedia/{access}/{agent}/{title}/{granularity}/{start}/{end}"
        checker.check(
            path,
            template,
            {
                "project": "en.wikipedia",
                "access": access,
                "agent": agent,
                "article": title,
                "granularity": granularity,
                "start": start,
                "end": end,
            },
        )

    titles = RAW_TITLE | st.sampled_from(["Main_Page", "AC%2FDC", "AC/DC", "100%25_Pure"])
    strategy = st.tuples(ACCESS, AGENT, titles, st.sampled_from(["daily", "monthly"]), STAMP, STAMP)
    statuses = fuzz(app, strategy, send)
    assert statuses[400] and statuses[404], statuses


def test_bad_projects_and_dates_aggregate(app: Flask) -> None:
    template = P + "/aggregate/{project}/{access}/{agent}/{granularity}/{start}/{end}"

    def send(checker: Checker, example: tuple) -> None:
        project, access, agent, granularity, start, end = example
        checker.check(
            f"{P}/aggregate/{project}/{access}/{agent}/{granularity}/{start}/{end}",
            template,
            {
                "project": project,
                "access": access,
                "agent": agent,
                "granularity": granularity,
                "start": start,
                "end": end,
            },
        )

    granularity = st.sampled_from(["hourly", "daily", "monthly"])
    strategy = st.tuples(PROJECT, ACCESS, AGENT, granularity, STAMP, STAMP)
    statuses = fuzz(app, strategy, send)
    assert statuses[400], statuses


def test_bad_periods_top_and_countries(app: Flask) -> None:
    def send(checker: Checker, example: tuple) -> None:
        route, project, access, year, month, day = example
        if route == "top":
            checker.check(
                f"{P}/top/{project}/{access}/{year}/{month}/{day}",
                P + "/top/{project}/{access}/{year}/{month}/{day}",
                {"project": project, "access": access, "year": year, "month": month, "day": day},
            )
        elif route == "top-by-country":
            checker.check(
                f"{P}/top-by-country/{project}/{access}/{year}/{month}",
                P + "/top-by-country/{project}/{access}/{year}/{month}",
                {"project": project, "access": access, "year": year, "month": month},
            )
        else:
            country = project[:2].upper() if route == "upper" else project[:3]
            checker.check(
                f"{P}/top-per-country/{country}/{access}/{year}/{month}/{day}",
                P + "/top-per-country/{country}/{access}/{year}/{month}/{day}",
                {"country": country, "access": access, "year": year, "month": month, "day": day},
            )

    routes = st.sampled_from(["top", "top-by-country", "upper", "lower"])
    strategy = st.tuples(routes, PROJECT, ACCESS, YEAR, MONTH, DAY)
    statuses = fuzz(app, strategy, send)
    assert statuses[400], statuses


def test_bad_legacy_requests(app: Flask) -> None:
    legacy = "/api/rest_v1/metrics/legacy/pagecounts/aggregate"

    def send(checker: Checker, example: tuple) -> None:
        project, site, granularity, start, end = example
        checker.check(
            f"{legacy}/{project}/{site}/{granularity}/{start}/{end}",
            legacy + "/{project}/{access-site}/{granularity}/{start}/{end}",
            {
                "project": project,
                "access-site": site,
                "granularity": granularity,
                "start": start,
                "end": end,
            },
        )

    site = st.sampled_from(["all-sites", "desktop-site", "mobile-site", "mobile-app"])
    granularity = st.sampled_from(["hourly", "daily", "monthly", "weekly"])
    legacy_day = st.dates(date(2014, 4, 28), date(2014, 5, 3)).map(lambda d: f"{d:%Y%m%d}00")
    strategy = st.tuples(PROJECT, site, granularity, STAMP | legacy_day, STAMP | legacy_day)
    statuses = fuzz(app, strategy, send)
    assert statuses[400], statuses


QUERY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
QUERY_VALUE = st.one_of(
    QUERY_TEXT,
    st.integers(-5, 5000).map(str),
    st.sampled_from(["1", "0", "TRUE", " yes", "off", "csv", "json", "xml", "", "1e3", "0x10"]),
)
EXTENSION_QUERY = st.dictionaries(
    st.sampled_from(["days", "agent", "access", "redirects", "zero_fill", "format", "limit"]),
    QUERY_VALUE,
    max_size=4,
)
TITLES_QUERY = st.lists(
    st.tuples(st.sampled_from(["titles", "title"]), QUERY_TEXT | st.sampled_from(["AC/DC"])),
    max_size=5,
)
EXTENSIONS = "/api/wikiviews/v1"


def test_bad_extension_requests(app: Flask) -> None:
    def send(checker: Checker, example: tuple) -> None:
        route, project, title, access, agent, start, end, query, titles = example
        pairs = [*query.items(), *titles] if route == "per-article" else list(query.items())
        suffix = "?" + urlencode(pairs, quote_via=quote) if pairs else ""
        common = {"project": project, "access": access, "agent": agent}
        if route == "summary":
            path, template = f"/summary/{project}/{title}", "/summary/{project}/{title}"
            parameters = {"project": project, "title": title}
        elif route == "per-article":
            path = f"/per-article/{project}/{access}/{agent}/daily/{start}/{end}"
            template = "/per-article/{project}/{access}/{agent}/{granularity}/{start}/{end}"
            parameters = {**common, "granularity": "daily", "start": start, "end": end}
        elif route == "hourly":
            path = f"/per-article-hourly/{project}/{access}/{agent}/{title}/{start}00/{end}23"
            template = "/per-article-hourly/{project}/{access}/{agent}/{article}/{start}/{end}"
            parameters = {**common, "article": title, "start": start, "end": end}
        elif route == "top":
            path = f"/top/{project}/{access}/{start}/{end}"
            template = "/top/{project}/{access}/{start}/{end}"
            parameters = {"project": project, "access": access, "start": start, "end": end}
        else:
            path, template = f"/freshness/{project}", "/freshness/{project}"
            parameters = {"project": project}
        checker.check(EXTENSIONS + path + suffix, EXTENSIONS + template, parameters)

    routes = st.sampled_from(["summary", "per-article", "hourly", "top", "freshness"])
    projects = mostly(st.sampled_from(["en.wikipedia", "de.wikipedia", "EN.WIKIPEDIA"]), PROJECT)
    titles = mostly(st.sampled_from(["Main_Page", "AC%2FDC", "Berlin"]), RAW_TITLE)
    days = mostly(st.dates(date(2024, 1, 28), date(2024, 3, 3)).map(lambda d: f"{d:%Y%m%d}"), STAMP)
    strategy = st.tuples(
        routes, projects, titles, ACCESS, AGENT, days, days, EXTENSION_QUERY, TITLES_QUERY
    )
    statuses = fuzz(app, strategy, send)
    assert statuses[200] and statuses[400] and statuses[404], statuses


def test_bad_stats_grok_requests(app: Flask) -> None:
    def send(checker: Checker, example: tuple) -> None:
        lang, month, title = example
        checker.check(
            f"/json/{lang}/{month}/{title}",
            "/json/{lang}/{month}/{title}",
            {"lang": lang, "month": month, "title": title},
        )

    langs = mostly(st.sampled_from(["en", "EN", "de", "www", "en.m"]), PROJECT)
    months = mostly(
        st.sampled_from(["202402", "202403", "201405", "202413", "202400", "2024-02"]),
        st.integers(200001, 210013).map(str) | STAMP,
    )
    titles = mostly(st.sampled_from(["Main_Page", "AC%2FDC", "Berlin"]), RAW_TITLE)
    statuses = fuzz(app, st.tuples(langs, months, titles), send)
    assert statuses[200] and statuses[400], statuses


def test_the_fuzzers_reach_the_data(app: Flask) -> None:
    """Not vacuous: dates near the store's data give 200s through the same checks."""
    checker = Checker(app)
    template = P + "/per-article/{project}/{access}/{agent}/{article}/{granularity}/{start}/{end}"
    first = date(2024, 2, 1)
    for offset in range(0, 29, 7):
        day = f"{first + timedelta(days=offset):%Y%m%d}"
        checker.check(
            f"{P}/per-article/en.wikipedia/all-access/all-agents/AC%2FDC/daily/{day}/{day}",
            template,
            {
                "project": "en.wikipedia",
                "access": "all-access",
                "agent": "all-agents",
                "article": "AC/DC",
                "granularity": "daily",
                "start": day,
                "end": day,
            },
        )
    assert checker.statuses == Counter({200: 5})


# --- regressions found by fuzzing --------------------------------------------------------------


def test_a_title_that_begins_with_or_is_made_of_slashes_is_not_redirected(empty_app: Flask) -> None:
    """``%2Fdev%2Fnull`` decodes to ``//dev/null`` in the path: no merge-slashes redirect."""
    client = empty_app.test_client()
    for title in ("%2Fdev%2Fnull", "%2F%2F", "AC%2F%2FDC", "AC%2FDC%2F"):
        response = client.get(
            f"{P}/per-article/en.wikipedia/all-access/all-agents/{title}/daily/20240201/20240202",
            headers=UA,
        )
        assert response.status_code == 404, (title, response.status_code)
        assert response.get_json()["detail"] != "Invalid route", title


def test_a_405_names_the_allowed_methods(empty_app: Flask) -> None:
    response = empty_app.test_client().post(f"{P}/", headers=UA)
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_superscript_digit_in_a_number_parameter_is_a_400(empty_app: Flask) -> None:
    client = empty_app.test_client()
    for path in (
        f"{EXTENSIONS}/summary/en.wikipedia/Main_Page?days=%C2%B2",
        f"{EXTENSIONS}/top/en.wikipedia/all-access/20240201/20240207?limit=%C2%B2",
        f"{EXTENSIONS}/freshness/en.wikipedia?days=%C2%B2",
    ):
        response = client.get(path, headers=UA)
        assert response.status_code == 400, (path, response.get_data(as_text=True))
