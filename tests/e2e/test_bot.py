"""The report bot against a real MediaWiki: BotPassword login, real pages, the wiki's parser.

The wiki is the shared harness's (``tests/e2e/mediawiki.py``: Debian's MediaWiki 1.39 on PHP's
built-in server, reset to its snapshot before each test); pages are seeded as ``Admin`` with
``edit.php``. The CLI runs in this process (a crash test runs it as a child process) with the
read model replaced by the in-memory test double of ``tests/bot``, which implements the same
protocol as the store and the API.
"""

from __future__ import annotations

import html.parser
import json
import os
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "bot"))
from memory_source import MemorySource

from bot.cli import main

PROJECT = "lab.wikipedia"
THROUGH = date(2024, 5, 31)
AWKWARD = [
    "Pipe|in|title",
    "{{Template}} and ]]",
    "<script>alert(1)</script>",
    "Sig~~~~",
    "''italic'' = '''bold'''",
    "עברית_ויקיפדיה",
    "x" + "é" * 127,
]


@pytest.fixture
def prefix() -> str:
    return f"Bot e2e {uuid.uuid4().hex[:8]}"


@pytest.fixture
def bot(wiki, tmp_path, monkeypatch):
    """Run ``wikiviews-bot`` with a source; returns (exit code, output)."""
    monkeypatch.setenv("WIKIVIEWS_BOT_PASSWORD", wiki.bot.password)
    data_dir = tmp_path / "data"

    def run(source, *args: str, env: dict[str, str] | None = None):
        monkeypatch.setattr("bot.jobs.open_source", lambda spec: source)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        common = [
            "--site",
            wiki.api_php,
            "--user",
            wiki.bot.user,
            "--project",
            PROJECT,
            "--data-dir",
            str(data_dir),
            "--put-throttle",
            "0",
        ]
        result = CliRunner().invoke(main, [args[0], *common, *args[1:]])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output

    run.data_dir = data_dir
    return run


class Api:
    """Reads (and seeds) the wiki through its HTTP API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def get(self, **params) -> dict:
        params.update(format="json", formatversion="2")
        answer = self.http.get(self.url, params=params, timeout=30).json()
        assert "error" not in answer, answer
        return answer

    def text(self, title: str) -> str | None:
        page = self.get(
            action="query", prop="revisions", rvprop="content", rvslots="main", titles=title
        )["query"]["pages"][0]
        if page.get("missing"):
            return None
        return page["revisions"][0]["slots"]["main"]["content"]

    def revisions(self, title: str) -> int:
        page = self.get(
            action="query", prop="revisions", rvprop="ids", rvlimit="max", titles=title
        )["query"]["pages"][0]
        return len(page.get("revisions", []))

    def last_revision(self, title: str) -> dict:
        page = self.get(
            action="query", prop="revisions", rvprop="ids|user|comment|flags|tags", titles=title
        )["query"]["pages"][0]
        return page["revisions"][0]

    def html(self, title: str) -> str:
        return self.get(action="parse", page=title, prop="text")["parse"]["text"]


@pytest.fixture
def api(wiki) -> Api:
    return Api(wiki.api_php)


@pytest.fixture
def seed(wiki):
    """Save a page as Admin (edit.php, as a person would have written it)."""

    def put(title: str, text: str) -> None:
        wiki.edit(title, text)

    return put


class Cells(html.parser.HTMLParser):
    """Text of each table row's cells in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def cells(rendered: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(rendered)
    return [row for row in parser.rows if row]


def top_source() -> MemorySource:
    src = MemorySource(through=THROUGH)
    ranked = ["Alpha", *AWKWARD, "Omega"]
    for i, title in enumerate(ranked):
        views = 1000 * (len(ranked) - i)
        src.add(PROJECT, title, date(2024, 5, 7), desktop=views // 2, mobile=views // 2)
    src.add(PROJECT, "Main_Page", date(2024, 5, 7), desktop=10**6, mobile=10**6)
    src.add(PROJECT, "Spam_bot_target", date(2024, 5, 7), desktop=20_000, mobile=0)
    src.add(PROJECT, "Alpha", date(2024, 4, 7), desktop=1, mobile=1)
    return src


def test_top_report_renders_exact_titles_and_second_run_is_a_no_op(bot, api, prefix):
    page = f"Project:{prefix}/Top May"
    current = f"Project:{prefix}/Top current"
    code, out = bot(
        top_source(),
        "top-report",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        page,
        "--current-page",
        current,
        "--limit",
        "20",
    )
    assert code == 0, out
    assert "created 2" in out and "failed 0" in out

    rows = cells(api.html(page))
    header, body = rows[0], rows[1:]
    assert header == ["Rank", "Article", "Views", "Change", "Mobile share"]
    titles = [row[1] for row in body if len(row) == 5]
    # The wiki's own parser shows every title exactly as it is (underscores as spaces).
    assert titles == [t.replace("_", " ") for t in ["Alpha", *AWKWARD, "Omega"]]
    assert body[0] == ["1", "Alpha", "9,000", "=", "50%"]
    assert body[1][3] == "new"
    excluded = [row for row in body if len(row) == 4]
    assert excluded[1] == ["Spam bot target", "20,000", "0%", "mobile share 0% (under 10%)"]
    assert "Main Page" not in {row[1] for row in body}
    revision = api.last_revision(page)
    assert revision["user"] == "LabBot" and revision.get("minor") is not True
    assert api.text(current) == api.text(page)

    before = (api.revisions(page), api.revisions(current))
    code, out = bot(
        top_source(),
        "top-report",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        page,
        "--current-page",
        current,
        "--limit",
        "20",
    )
    assert code == 0 and "unchanged 2" in out
    assert (api.revisions(page), api.revisions(current)) == before


def test_only_the_marked_part_changes(bot, api, seed, prefix):
    page = f"Project:{prefix}/Kept"
    head = "{{bots|deny=SomeOtherBot}}\nWritten by people, <nowiki>~~~~</nowiki>.\n== List ==\n"
    tail = "\nFooter by people.\n== Talk ==\n<nowiki><!-- wikiviews-bot end --></nowiki>"
    begin, end = "<!-- wikiviews-bot begin -->", "<!-- wikiviews-bot end -->"
    seed(page, head + begin + "\nPrevious table\n" + end + tail)
    before = api.text(page)
    code, out = bot(
        top_source(),
        "top-report",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        page,
        "--current-page",
        "",
    )
    assert code == 0 and "edited 1" in out, out
    text = api.text(page)
    cut = before.index(begin) + len(begin)
    assert text[:cut] == before[:cut] == head + begin
    assert text[text.index(end) :] == before[before.index(end) :] == end + tail
    assert "Previous table" not in text and "Alpha" in text


def test_nobots_page_is_left_alone(bot, api, seed, prefix):
    page = f"Project:{prefix}/No bots"
    seed(page, "{{nobots}}\nHands off.")
    denied = f"Project:{prefix}/Denied"
    seed(denied, "{{bots|deny=LabBot}}\nNot you.")
    before = (api.revisions(page), api.revisions(denied))
    code, out = bot(
        top_source(),
        "top-report",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        page,
        "--current-page",
        denied,
    )
    assert code == 0 and "excluded 2" in out, out
    assert (api.revisions(page), api.revisions(denied)) == before


def test_simulate_prints_a_diff_and_edits_nothing(bot, api, prefix):
    page = f"Project:{prefix}/Simulated"
    code, out = bot(
        top_source(),
        "top-report",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        page,
        "--current-page",
        "",
        "--simulate",
    )
    assert code == 0, out
    assert f"+++ {page.replace('Project:', 'LabWiki:')} (new)" in out or "(new)" in out
    assert "+<!-- wikiviews-bot begin" in out
    assert "simulated: created 1" in out
    assert api.text(page) is None


def popular_source() -> MemorySource:
    src = MemorySource(through=THROUGH)
    for title, views in [
        ("Dinosaur", 3100),
        ("T._rex", 620),
        ("Stegosaurus", 31),
        ("Dinosaurs_redirect", 310),
        ("Unrelated", 99999),
    ]:
        src.add(PROJECT, title, date(2024, 5, 15), desktop=views, mobile=0)
    return src


def test_popular_pages_from_banners_and_categories(bot, api, seed, prefix):
    banner = f"Template:WikiProject {prefix}"
    seed(banner, "A project banner.")
    seed("Template:WikiProject banner shell", "Banners: {{{1|}}}")
    seed("Dinosaur", "Dinosaurs are reptiles. [[Category:" + prefix + " dinosaurs]]")
    seed("T. rex", "A theropod. [[Category:" + prefix + " theropods]]")
    seed("Stegosaurus", "Plates.")
    seed("Dinosaurs redirect", "#REDIRECT [[Dinosaur]]")
    seed("Category:" + prefix + " theropods", "[[Category:" + prefix + " dinosaurs]]")
    seed("Talk:Dinosaur", "{{" + banner[9:] + "|class=fa|importance=top}}")
    seed(
        "Talk:T. rex",
        "{{WikiProject banner shell|class=B|1={{" + banner[9:] + "|importance=high}}}}",
    )
    seed("Talk:Stegosaurus", "{{" + banner[9:] + "}}")
    report_b = f"Project:{prefix}/Popular by banner"
    report_c = f"Project:{prefix}/Popular by category"
    subscriptions = f"Project:{prefix}/Popular pages config.json"
    seed(
        subscriptions,
        json.dumps(
            {
                "description": "test",
                f"Project:{prefix} banner": {
                    "Report": report_b,
                    "Limit": 2,
                    "Name": prefix,
                    "Members": {"banner": banner},
                },
                f"Project:{prefix} category": {
                    "Report": report_c,
                    "Limit": 10,
                    "Name": prefix,
                    "Members": {"category": f"Category:{prefix} dinosaurs", "depth": 1},
                },
                "Broken": {"Report": "Main namespace page", "Limit": 5, "Name": "x"},
            },
            indent=1,
        ),
    )

    code, out = bot(
        popular_source(),
        "popular-pages",
        "--subscriptions",
        subscriptions,
        "--month",
        "2024-05",
        "--redirects",
        "wiki",
    )
    assert code == 1, out  # the broken subscription is a failure, the others are written
    assert "created 2" in out and "failed 1" in out

    rows = cells(api.html(report_b))
    assert rows[0] == ["Rank", "Page title", "Views", "Daily average", "Assessment", "Importance"]
    assert rows[1] == ["1", "Dinosaur", "3,410", "110", "FA", "Top"]  # redirect summed in
    assert rows[2] == ["2", "T. rex", "620", "20", "B", "High"]
    assert len(rows) == 3
    text = api.html(report_b)
    assert "<b>Total views</b>: 4,061" in text  # every member counts, not only the rows

    rows = cells(api.html(report_c))
    assert [r[1] for r in rows[1:]] == ["Dinosaur", "T. rex"]
    assert rows[1][4] == "Unknown"

    before = (api.revisions(report_b), api.revisions(report_c))
    code, out = bot(
        popular_source(),
        "popular-pages",
        "--subscriptions",
        subscriptions,
        "--month",
        "2024-05",
        "--redirects",
        "wiki",
    )
    assert "unchanged 2" in out
    assert (api.revisions(report_b), api.revisions(report_c)) == before


def test_deliver_once_per_report_revision(bot, api, seed, prefix):
    report = f"Project:{prefix}/Delivered report"
    seed(report, "Report v1")
    glad = f"Project talk:{prefix} glad"
    optout = f"Project talk:{prefix} opted out"
    seed(glad, "Talk.")
    seed(optout, "{{bots|optout=wikiviews}}\nNo notices please.")
    listing = f"Project:{prefix}/Delivery list"
    seed(listing, f"{{{{#target:{glad}}}}}\n{{{{#target:{optout}}}}}\n")

    code, out = bot(None, "deliver", "--list", listing, "--report", report)
    assert code == 0 and "edited 1" in out and "excluded 1" in out, out
    text = api.text(glad)
    assert text.count("wikiviews-bot delivery:") == 1 and "== New pageview report" in text
    assert api.revisions(optout) == 1

    # A rerun, even without the local log, delivers nothing new for the same revision.
    for path in Path(bot.data_dir, "bot").glob("deliveries-*.json"):
        path.unlink()
    code, out = bot(None, "deliver", "--list", listing, "--report", report)
    assert code == 0 and "edited 0" in out
    assert api.text(glad).count("wikiviews-bot delivery:") == 1

    seed(report, "Report v2")
    code, out = bot(None, "deliver", "--list", listing, "--report", report)
    assert "edited 1" in out
    assert api.text(glad).count("wikiviews-bot delivery:") == 2


def test_readership_pages_are_written_once(bot, api, seed, prefix):
    category = f"Category:{prefix} stale readership"
    seed(f"Talk:{prefix} Fossil", "{{Xreadership|5}}\n[[" + category + "]]")
    seed(f"Talk:{prefix} Shy", "{{nobots}}{{Xreadership}}\n[[" + category + "]]")
    src = MemorySource(through=THROUGH)
    src.add(PROJECT, f"{prefix}_Fossil", date(2024, 5, 29), desktop=7, mobile=3)
    src.add(PROJECT, f"{prefix}_Fossil", date(2024, 5, 31), desktop=1, mobile=0)

    code, out = bot(src, "readership", "--category", category)
    assert code == 0 and "created 1" in out and "excluded 1" in out, out
    assert api.text(f"Talk:{prefix} Fossil/pageviews") == "\n".join(
        [
            f'Date,"{prefix} Fossil"',
            "2024-05-27,0",
            "2024-05-28,0",
            "2024-05-29,10",
            "2024-05-30,0",
            "2024-05-31,1",
        ]
    )
    assert api.text(f"Talk:{prefix} Shy/pageviews") is None

    code, out = bot(src, "readership", "--category", category)
    assert code == 0 and "unchanged 1" in out, out
    assert api.revisions(f"Talk:{prefix} Fossil/pageviews") == 1


def test_a_crashed_run_resumes(wiki, api, prefix, tmp_path):
    import subprocess

    views = tmp_path / "views.json"
    views.write_text(
        json.dumps(
            {
                "through": "2024-05-31",
                "views": [
                    [PROJECT, "Alpha", "2024-05-07", 10, 10],
                    [PROJECT, "Beta", "2024-05-07", 5, 5],
                ],
            }
        )
    )
    first, second = f"Project:{prefix}/Crash 1", f"Project:{prefix}/Crash 2"
    args = [
        sys.executable,
        str(Path(__file__).with_name("bot_runner.py")),
        str(views),
        "top-report",
        "--site",
        wiki.api_php,
        "--user",
        wiki.bot.user,
        "--project",
        PROJECT,
        "--data-dir",
        str(tmp_path / "data"),
        "--put-throttle",
        "0",
        "--period",
        "month",
        "--date",
        "2024-05-01",
        "--page",
        first,
        "--current-page",
        second,
    ]
    env = {**os.environ, "WIKIVIEWS_BOT_PASSWORD": wiki.bot.password}
    crashed = subprocess.run(
        args,
        env={**env, "WIKIVIEWS_BOT_CRASH_AFTER_PAGES": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 75, crashed.stderr
    assert api.revisions(first) == 1 and api.text(second) is None
    state = list((tmp_path / "data" / "bot" / "state").glob("top-report-*.json"))
    assert len(state) == 1

    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "created 1" in resumed.stdout and "resumed 1" in resumed.stdout
    assert api.revisions(first) == 1 and api.revisions(second) == 1
    assert not state[0].exists()  # a clean end forgets the run


def test_install_gadget_twice_edits_once(wiki, api, tmp_path, monkeypatch):
    gadget_dir = Path(__file__).parents[2] / "gadget"
    if not (gadget_dir / "install.py").exists():
        pytest.skip("the gadget's installer is not in this tree")
    # The harness's bot password has the interface grants (editsiteconfig, editinterface).
    user = wiki.bot.user
    monkeypatch.setenv("WIKIVIEWS_BOT_PASSWORD", wiki.bot.password)
    args = [
        "install-gadget",
        "--site",
        wiki.api_php,
        "--user",
        user,
        "--data-dir",
        str(tmp_path),
        "--put-throttle",
        "0",
        "--api",
        "http://127.0.0.1:9",
        "--project",
        PROJECT,
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    gadgets = api.get(action="query", list="gadgets", gaprop="id|metadata")["query"]["gadgets"]
    ours = {g["id"]: g for g in gadgets}
    assert ours["wikiviews"]["metadata"]["settings"]["actions"] == ["history"]
    config = json.loads(api.text("MediaWiki:Gadget-wikiviews-config.json"))
    assert config["api"] == "http://127.0.0.1:9" and config["project"] == PROJECT
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "created 0, edited 0" in second.output, second.output
