"""Prometheus metrics: requests and latencies per route, and the store's data freshness.

Under ``wikiviews serve`` the workers share their counters through
``PROMETHEUS_MULTIPROC_DIR`` (set by the command before any worker starts), so a scrape
sees every worker's requests whichever worker answers it.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "wikiviews_http_requests_total", "HTTP requests answered.", ["route", "method", "status"]
)
LATENCY = Histogram(
    "wikiviews_http_request_duration_seconds",
    "Time to answer a request, by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


class _Freshness:
    """A collector of the newest published hour, read at scrape time."""

    def __init__(self, last_hour: int | None) -> None:
        self.last_hour = last_hour

    def collect(self):
        published = GaugeMetricFamily(
            "wikiviews_data_last_published_hour_timestamp_seconds",
            "Start of the newest published hour (Unix time).",
        )
        age = GaugeMetricFamily(
            "wikiviews_data_freshness_seconds",
            "Seconds from the end of the newest published hour to now.",
        )
        if self.last_hour is not None:
            published.add_metric([], self.last_hour * 3600)
            age.add_metric([], exposition_age(self.last_hour))
        yield published
        yield age


def exposition_age(last_hour: int | None) -> float | None:
    """Seconds from the end of ``last_hour`` to now (``None`` without data)."""
    if last_hour is None:
        return None
    return round(max(0.0, time.time() - (last_hour + 1) * 3600), 1)


def exposition(last_hour: int | None) -> tuple[bytes, str]:
    """The Prometheus text of every metric, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counters = generate_latest(registry)
    else:
        counters = generate_latest(REGISTRY)
    fresh = CollectorRegistry()
    fresh.register(_Freshness(last_hour))
    return counters + generate_latest(fresh), CONTENT_TYPE_LATEST
