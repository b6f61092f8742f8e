"""``wikiviews ingest-requests`` end to end, on every backend: counts, agents, countries,
duplicates, zeros for quiet hours, one transaction per input, and no personal data at rest."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select, text

from backend.cli import main
from backend.codes import Access, Agent, Source, series_code
from backend.models import (
    CountryDay,
    CountryTopArticle,
    DayCount,
    IngestedFile,
    ProjectHour,
    RequestActor,
)
from backend.settings import Settings
from tests.ingest.requests_logs import (
    FIREFOX,
    combined_line,
    early_hour_of_yesterday,
    json_line,
)

H = early_hour_of_yesterday()
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " + (
    "Chrome/131.0.0.0 Safari/537.36 SeededAgentZq81"
)
BOT = "SeededCrawlerXy77/1.0 (+https://crawler.example/bot)"
REFERER = "https://referer-seed-k3.example/path?q=SeededReferer"
IPS = ["81.2.69.161", "81.2.69.162", "2a02:c7c:1234::99", "5.9.0.42"]


def series(access: Access, agent: Agent) -> int:
    return series_code(Source.REQUESTS, access, agent)


def env_for(settings: Settings, data_dir: Path) -> dict[str, str]:
    return {
        "WIKIVIEWS_DATABASE_URL": settings.database_url,
        "WIKIVIEWS_DATA_DIR": str(data_dir),
    }


def run(settings: Settings, data_dir: Path, *args: str, input: bytes | None = None):
    result = CliRunner().invoke(main, list(args), env=env_for(settings, data_dir), input=input)
    return result


def sample_log() -> list[str]:
    """Users on desktop and mobile, a crawler, a heavy automated actor, and noise."""
    lines = []
    seq = 0

    def add(**kw):
        nonlocal seq
        seq += 1
        lines.append(json_line(sequence=seq, referer=REFERER, **kw))

    for i in range(12):  # four readers, three pages each hour over two hours
        add(
            hour=H,
            minute=i,
            ip=IPS[i % 4],
            ua=CHROME,
            path=f"/wiki/Page_{i % 3}",
            query="?secretquery=SeededQuery55",
        )
    for i in range(5):
        add(hour=H, minute=20 + i, ip=IPS[0], ua=CHROME, host="en.m.wikipedia.org")
    for i in range(7):
        add(hour=H, minute=30 + i, ip="66.249.66.1", ua=BOT)
    for i in range(900):  # more than 800 pageviews in a day: automated
        add(
            hour=H + 1,
            minute=i % 60,
            second=i % 60,
            ip="81.2.69.200",
            ua=FIREFOX,
            path=f"/wiki/Heavy_{i % 4}",
        )
    add(hour=H + 1, minute=1, ip=IPS[1], ua=CHROME, path="/w/load.php", ctype="text/javascript")
    add(hour=H + 1, minute=2, ip=IPS[1], ua=CHROME, status=404)
    add(
        hour=H + 1,
        minute=3,
        ip=IPS[1],
        ua=CHROME,
        path="/w/index.php",
        query="?title=Foo&action=edit",
    )
    # hour H+2: only a non-pageview, so a zero; H+3 closes the span
    add(hour=H + 2, minute=5, ip=IPS[2], ua=CHROME, status=500)
    add(hour=H + 3, minute=0, ip=IPS[2], ua=CHROME, path="/wiki/Late")
    lines.append(lines[3])  # a duplicate sequence number
    lines.append("garbage line from 81.2.69.161 SeededAgentZq81")
    return lines


def write(path: Path, lines: list[str], compress: bool = False) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.fixture
def loaded(migrated_settings: Settings, tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    log = write(tmp_path / "webrequest.json.gz", sample_log(), compress=True)
    result = run(migrated_settings, data_dir, "ingest-requests", str(log))
    assert result.exit_code == 0, result.output
    engine = create_engine(migrated_settings.database_url)
    yield migrated_settings, data_dir, engine, result.output, log
    engine.dispose()


def day_series(engine) -> dict[int, int]:
    table = DayCount.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.series, func.sum(table.c.views)).group_by(table.c.series)
        )
        return {s: int(v) for s, v in rows}


def test_counts_by_access_and_agent(loaded):
    _settings, _data, engine, output, _log = loaded
    assert day_series(engine) == {
        series(Access.DESKTOP, Agent.USER): 13,
        series(Access.MOBILE_WEB, Agent.USER): 5,
        series(Access.DESKTOP, Agent.SPIDER): 7,
        series(Access.DESKTOP, Agent.AUTOMATED): 900,
    }
    assert "rejected 1: sequence number seen before" in output
    assert "rejected 1: not a JSON object" in output
    assert "not a pageview 1: an edit or submit action" in output


def test_quiet_covered_hour_is_a_zero(loaded):
    _settings, _data, engine, _output, _log = loaded
    table = ProjectHour.__table__
    with engine.connect() as connection:
        hours = dict(
            connection.execute(
                select(table.c.hour, func.sum(table.c.views)).group_by(table.c.hour)
            ).all()
        )
    assert {h: int(v) for h, v in hours.items()} == {H: 24, H + 1: 900, H + 2: 0, H + 3: 1}


def test_same_content_twice_is_loaded_once(loaded):
    settings, data_dir, engine, _output, log = loaded
    before = day_series(engine)
    copy = log.parent / "renamed.gz"
    copy.write_bytes(log.read_bytes())
    result = run(settings, data_dir, "ingest-requests", str(copy))
    assert result.exit_code == 0 and "already loaded" in result.output
    assert day_series(engine) == before


def test_duplicates_across_inputs_are_dropped(loaded):
    settings, data_dir, engine, _output, _log = loaded
    before = day_series(engine)
    again = write(log_dir(data_dir) / "again.json", sample_log()[:12])
    result = run(settings, data_dir, "ingest-requests", str(again))
    assert result.exit_code == 0, result.output
    assert "rejected 12: sequence number seen before" in result.output
    assert day_series(engine) == before
    check = run(settings, data_dir, "check")
    assert "cp1001" in check.output and check.exit_code == 1  # duplicates are reported


def log_dir(data_dir: Path) -> Path:
    path = data_dir.parent / "logs"
    path.mkdir(exist_ok=True)
    return path


def test_countries_user_views_only(loaded):
    _settings, _data, engine, _output, _log = loaded
    table = CountryDay.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.country, table.c.access, func.sum(table.c.views))
            .group_by(table.c.country, table.c.access)
            .order_by(table.c.country, table.c.access)
        ).all()
    # GB readers (IPv4 and IPv6) and one DE reader; the crawler and the automated actor
    # are not users, so they are not in country counts.
    assert [(c, a, int(v)) for c, a, v in rows] == [
        ("DE", 0, 3),
        ("DE", 1, 3),
        ("GB", 0, 15),
        ("GB", 1, 10),
        ("GB", 2, 5),
    ]


def test_actor_state_holds_hashes_only(loaded):
    _settings, data_dir, engine, _output, _log = loaded
    with engine.connect() as connection:
        actors = connection.execute(select(RequestActor.__table__)).all()
    assert len(actors) == 5  # four readers (one of them also read late) and the heavy actor
    assert all(len(row.actor) == 32 for row in actors)
    assert len(list((data_dir / "actor-keys").glob("*.key"))) >= 1


def test_no_personal_data_at_rest_or_in_output(loaded):
    settings, data_dir, engine, output, _log = loaded
    # Combined logs too, through standard input.
    combined = "\n".join(
        combined_line(H + 4, i, ip=IPS[i % 4], ua=CHROME, referer=REFERER) for i in range(5)
    )
    result = run(
        settings,
        data_dir,
        "ingest-requests",
        "--host",
        "en.wikipedia.org",
        "-",
        input=(combined + "\n").encode(),
    )
    assert result.exit_code == 0, result.output
    printed = output + result.output + run(settings, data_dir, "check").output
    secrets = [
        *IPS,
        "81.2.69.200",
        "66.249.66.1",
        "SeededAgentZq81",
        "SeededCrawlerXy77",
        "referer-seed-k3",
        "SeededReferer",
        "SeededQuery55",
        "secretquery",
    ]
    variants = {s.encode() for s in secrets} | {s.encode("utf-16-le") for s in secrets}
    for secret in secrets:
        assert secret not in printed
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    if settings.database_url.startswith("sqlite"):
        files += [p for p in Path(settings.database_url[10:]).parent.glob("wikiviews.sqlite3*")]
    for path in files:
        content = path.read_bytes()
        for variant in variants:
            assert variant not in content, path.name
    # Every table's every value, on every backend.
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                joined = " ".join(str(v) for v in row)
                for secret in secrets:
                    assert secret not in joined, table


def test_a_failing_input_loads_nothing(loaded):
    settings, data_dir, engine, _output, _log = loaded
    before = day_series(engine)
    data = gzip.compress(("\n".join(json_line(H + 5, i % 60) for i in range(3000)) + "\n").encode())
    cut = log_dir(data_dir) / "cut.json.gz"
    cut.write_bytes(data[: len(data) // 2])
    result = run(settings, data_dir, "ingest-requests", str(cut))
    assert result.exit_code == 1
    assert "nothing of it was loaded" in result.output
    assert day_series(engine) == before
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(IngestedFile)).scalar() == 1


def test_combined_log_of_an_own_wiki(migrated_settings: Settings, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WIKIVIEWS_REQUEST_HOSTS", "wiki.example.org=example.wiki")
    monkeypatch.setenv("WIKIVIEWS_REQUEST_ARTICLE_PATH", "/page/")
    lines = [combined_line(H, i, path="/page/Start", ctype=None) for i in range(3)]
    lines.append(combined_line(H, 4, path="/mw/load.php?x=1", ctype=None))
    lines.append(combined_line(H + 2, 0, path="/page/Start"))
    log = write(tmp_path / "access.log", lines)
    result = run(migrated_settings, tmp_path, "ingest-requests", str(log))
    assert result.exit_code == 0, result.output
    engine = create_engine(migrated_settings.database_url)
    try:
        with engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM projects")).scalars().all()
            table = ProjectHour.__table__
            hours = connection.execute(
                select(table.c.hour, func.sum(table.c.views)).group_by(table.c.hour)
            ).all()
    finally:
        engine.dispose()
    assert names == ["example.wiki"]
    assert {h: int(v) for h, v in hours} == {H: 3, H + 1: 0, H + 2: 1}


def test_country_top_needs_more_than_a_thousand_readers(
    migrated_settings: Settings, tmp_path: Path
):
    lines = []
    for i in range(1001):  # 1001 distinct GB readers of one page, 1000 of another
        ip = f"81.2.{69 + i // 256}.{i % 256}"
        lines.append(json_line(H, i % 60, ip=ip, path="/wiki/Popular"))
        if i < 1000:
            lines.append(json_line(H, i % 60, ip=ip, path="/wiki/Almost"))
    log = write(tmp_path / "many.json", lines)
    result = run(migrated_settings, tmp_path, "ingest-requests", str(log))
    assert result.exit_code == 0, result.output
    engine = create_engine(migrated_settings.database_url)
    try:
        table = CountryTopArticle.__table__
        with engine.connect() as connection:
            rows = connection.execute(
                select(table.c.country, table.c.access, table.c.views_ceil, table.c.rank).order_by(
                    table.c.access
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("GB", 0, 1100, 1), ("GB", 1, 1100, 1)]


def test_a_covered_day_is_published_through_the_api(migrated_settings: Settings, tmp_path: Path):
    import time

    from backend import create_app

    day = int(time.time() // 86400) - 1
    lines = [json_line(day * 24, 5, path="/wiki/Foo", ip="81.2.69.161", ua=CHROME)]
    lines += [json_line(day * 24 + h, 30, path="/wiki/Foo", ua=CHROME) for h in (5, 12)]
    lines += [json_line(day * 24 + 23, 59, path="/wiki/Bar", ua=CHROME, host="en.m.wikipedia.org")]
    log = write(tmp_path / "day.json", lines)
    result = run(migrated_settings, tmp_path, "ingest-requests", str(log))
    assert result.exit_code == 0, result.output
    app = create_app(migrated_settings)
    client = app.test_client()
    stamp = time.strftime("%Y%m%d", time.gmtime(day * 86400))
    base = "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia"
    foo = client.get(
        f"{base}/all-access/user/Foo/daily/{stamp}/{stamp}", headers={"User-Agent": "tests"}
    )
    assert foo.status_code == 200, foo.get_data(as_text=True)
    assert foo.get_json()["items"][0]["views"] == 3
    bar = client.get(
        f"{base}/mobile-web/user/Bar/daily/{stamp}/{stamp}", headers={"User-Agent": "tests"}
    )
    assert bar.get_json()["items"][0]["views"] == 1
    app.extensions["wikiviews_engine"].dispose()
