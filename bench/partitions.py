"""Partitions on PostgreSQL: what they cost and buy, against an unpartitioned store.

Builds PostgreSQL stores of the same synthetic ``page_months`` and ``day_counts`` rows
(``--titles`` pages read every month for ``--years`` years, and one month of daily rows
for a tenth of them): a plain one, one created with ``WIKIVIEWS_PARTITION_LARGE_TABLES=1``
(``page_months`` by year), and, for the record of why it is by year, one whose
``page_months`` is re-made with a partition per month. It measures in the same run,
median of ``--repeat``:

* **taking out the oldest year** of per-page data: ``DELETE`` on the plain store, detaching
  and dropping the year's partitions on the partitioned ones (inside a transaction that
  is rolled back, so every repeat removes the same rows; the DELETE's later vacuum, which
  a dropped partition needs none of, is not counted);
* **a per-article read** of one title over the last 12 months, with the store's own query
  (``fetch_rows`` and the ``page_months`` SQL of :mod:`backend.queries.article_ids`, so
  psycopg prepares it after five runs as in the API);
* **the loader's partition check**: :func:`backend.partitions.ensure_partitions` when every
  partition exists (its cost on every file);
* the primary key index of ``page_months``: in all and its largest piece.

Run from the repository root: ``.venv/bin/python bench/partitions.py`` (~4 minutes with
the defaults). The figures are wall times on a shared machine: compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, create_engine, text

from backend import db
from backend.partitions import PARTITIONED, ensure_partitions, partition_name
from backend.queries.common import fetch_rows
from backend.settings import Settings
from backend.timeutil import month_days, month_number

FIRST_MONTH = month_number(2024, 1)
#: The per-article read of packed months, as backend/queries/article_ids.py sends it.
READ_SQL = (
    "SELECT title_id, month, packed FROM page_months WHERE project_id = :p "
    "AND month IN :months AND title_id IN :ids"
)
KINDS = ("plain", "partitioned", "monthly page_months")


def say(message: str = "") -> None:
    print(message, flush=True)


@contextmanager
def database(admin_url: str, name: str, kind: str) -> Iterator[Settings]:
    """A new migrated store ``name`` of ``kind`` on ``admin_url``'s server, dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    partitioned = kind != "plain"
    settings = Settings(data_dir="/tmp", database_url=url, partition_large_tables=partitioned)
    try:
        db.upgrade(settings)
        yield settings
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def fill(connection: Connection, titles: int, months: int, kind: str) -> None:
    """``titles`` rows a month in ``page_months`` and one month of ``day_counts``."""
    last = FIRST_MONTH + months - 1
    days = [day for month in range(FIRST_MONTH, last + 1) for day in month_days(month)]
    ensure_partitions(connection, days)  # a no-op on the plain store
    if kind == "monthly page_months":
        connection.execute(text("DROP TABLE page_months"))
        connection.execute(
            text(
                "CREATE TABLE page_months (project_id smallint, month smallint, "
                "title_id bigint, packed bytea NOT NULL, user_all bigint NOT NULL, "
                "user_desktop bigint NOT NULL, user_mobile_web bigint NOT NULL, "
                "user_mobile_app bigint NOT NULL, "
                "PRIMARY KEY (project_id, month, title_id)) PARTITION BY RANGE (month)"
            )
        )
        for month in range(FIRST_MONTH, last + 1):
            connection.execute(
                text(
                    f"CREATE TABLE page_months_m{month} PARTITION OF page_months "
                    f"FOR VALUES FROM ({month}) TO ({month + 1})"
                )
            )
    connection.execute(
        text(
            "INSERT INTO page_months SELECT 1, m, t, decode(md5(t::text || m::text) "
            "|| md5(m::text || t::text), 'hex'), t % 997, t % 500, t % 300, t % 197 "
            "FROM generate_series(CAST(:first AS int), CAST(:last AS int)) m, "
            "generate_series(1, CAST(:titles AS int)) t "
            "ORDER BY m, t"
        ),
        {"first": FIRST_MONTH, "last": last, "titles": titles},
    )
    recent = month_days(last)
    connection.execute(
        text(
            "INSERT INTO day_counts SELECT 1, d, t, 16, (t * d) % 1000 + 1 "
            "FROM generate_series(CAST(:first AS int), CAST(:last AS int)) d, "
            "generate_series(1, CAST(:titles AS int)) t ORDER BY d, t"
        ),
        {"first": recent[0], "last": recent[-1], "titles": titles // 10},
    )


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def take_out_year(connection: Connection, kind: str) -> None:
    """Remove the oldest year of per-page data, then roll back."""
    first_day, last_day = month_days(FIRST_MONTH)[0], month_days(FIRST_MONTH + 11)[-1]
    with connection.begin() as transaction:
        if kind == "plain":
            connection.execute(
                text(
                    f"DELETE FROM page_months WHERE month BETWEEN {FIRST_MONTH} "
                    f"AND {FIRST_MONTH + 11}"
                )
            )
            connection.execute(
                text(f"DELETE FROM day_counts WHERE day BETWEEN {first_day} AND {last_day}")
            )
        else:
            names = {
                (table, partition_name(table, month))
                for table in PARTITIONED
                for month in range(FIRST_MONTH, FIRST_MONTH + 12)
            }
            if kind == "monthly page_months":
                names = {(t, n) for t, n in names if t != "page_months"} | {
                    ("page_months", f"page_months_m{m}")
                    for m in range(FIRST_MONTH, FIRST_MONTH + 12)
                }
            for table, name in sorted(names):
                connection.execute(text(f"ALTER TABLE {table} DETACH PARTITION {name}"))
                connection.execute(text(f"DROP TABLE {name}"))
        transaction.rollback()


def read_articles(connection: Connection, titles: int, months: int, queries: int) -> None:
    """``queries`` per-article reads of one random title over the last 12 months."""
    chooser = random.Random(1)
    last = FIRST_MONTH + months - 1
    wanted = list(range(last - 11, last + 1))
    for _ in range(queries):
        values = {"p": 1, "months": wanted, "ids": [chooser.randint(1, titles)]}
        assert len(fetch_rows(connection, READ_SQL, values)) == 12


def index_size(connection: Connection) -> tuple[int, int]:
    """Bytes of ``page_months``' primary key index in all, and of its largest piece."""
    sizes = connection.execute(
        text(
            "SELECT pg_relation_size(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE i.indisprimary AND t.relname LIKE 'page_months%'"
        )
    ).scalars()
    values = list(sizes)
    return sum(values), max(values)


def measure(
    connection: Connection, kind: str, args: argparse.Namespace
) -> tuple[float, float, float]:
    """Median seconds: take out a year, ``args.queries`` reads, one ensure_partitions."""
    take = median_seconds(lambda: take_out_year(connection, kind), args.repeat)
    months = args.years * 12
    read = median_seconds(
        lambda: read_articles(connection, args.titles, months, args.queries), args.repeat
    )
    days = list(month_days(FIRST_MONTH + months - 1))

    def check() -> None:
        for _ in range(100):
            ensure_partitions(connection, days)

    if kind == "monthly page_months":  # not a layout ensure_partitions knows
        return take, read, float("nan")
    return take, read, median_seconds(check, args.repeat) / 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "WIKIVIEWS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    months = args.years * 12
    say(
        f"page_months: {args.titles:,} titles x {months} months; day_counts: "
        f"{args.titles // 10:,} titles x 1 month; median of {args.repeat}"
    )
    results: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        name = f"wv_bench_partitions_{kind.split()[0]}_{os.getpid()}"
        with database(args.postgres_url, name, kind) as settings:
            engine = db.make_engine(settings)
            with engine.begin() as connection:
                started = time.perf_counter()
                fill(connection, args.titles, months, kind)
                filled = time.perf_counter() - started
            raw = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
            with raw.connect() as connection:
                connection.execute(text("VACUUM ANALYZE page_months"))
                connection.execute(text("VACUUM ANALYZE day_counts"))
            raw.dispose()
            with engine.connect() as connection:
                take, read, ensure = measure(connection, kind, args)
                connection.rollback()
                total, largest = index_size(connection)
            engine.dispose()
        results[kind] = {"take": take, "read": read / args.queries, "largest": largest}
        say(
            f"{kind:>19}: filled in {filled:.1f} s; take out a year {take * 1000:.1f} ms; "
            f"per-article read {read / args.queries * 1e6:.0f} µs; ensure_partitions "
            f"{ensure * 1e6:.0f} µs; page_months key index {total / 1e6:.1f} MB "
            f"(largest piece {largest / 1e6:.1f} MB)"
        )
    plain = results["plain"]
    for kind in KINDS[1:]:
        other = results[kind]
        say(
            f"ratios {kind}/plain: take out a year {other['take'] / plain['take']:.3f}, "
            f"per-article read {other['read'] / plain['read']:.2f}, "
            f"largest index piece {other['largest'] / plain['largest']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
