"""The title blocklist: per project, any letter case, at once for loaded data, tops re-ranked."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from backend import queries
from backend.blocklist import (
    Entry,
    InvalidEntry,
    add_entries,
    fold_title,
    list_entries,
    make_entry,
    parse_blocklist,
    remove_entry,
)
from backend.cli import main
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.timeutil import day_number
from tests.helpers import store_connection, write_dump

DAY = date(2024, 3, 1)
D = day_number(DAY)


def test_titles_fold_with_casefold_and_underscores():
    assert fold_title("Straße") == fold_title("STRASSE") == "strasse"
    assert fold_title(" Main page ") == fold_title("main_Page") == "main_page"


def test_the_file_format():
    entries = parse_blocklist(
        [
            "# project<TAB>title<TAB>reason",
            "",
            "en.wikipedia\tSome title\tasked by its subject",
            "EN.Wikipedia.org\tOther",
            "de.wikipedia\tBerlin\tfirst",
            "de.wikipedia\tberlin\tsecond",  # the same folded title: the later line wins
        ]
    )
    assert entries == [
        Entry("en.wikipedia", "Some_title", "asked by its subject"),
        Entry("en.wikipedia", "Other", ""),
        Entry("de.wikipedia", "berlin", "second"),
    ]
    with pytest.raises(InvalidEntry, match=r"list.tsv:2: expected 'project<TAB>title"):
        parse_blocklist(["en.wikipedia\tA", "en.wikipedia A"], "list.tsv")
    with pytest.raises(InvalidEntry, match=r":1: invalid project name"):
        parse_blocklist(["en wiki\tA"])
    with pytest.raises(InvalidEntry, match=r":1: empty title"):
        parse_blocklist(["en.wikipedia\t  \treason"])


@pytest.fixture
def store(migrated_settings, tmp_path):
    """One published day: en A 50, B 30, C 30, Straße 20, D 10; de A 5."""
    lines = [
        f"en.wikipedia {title} null desktop {views} A{views}"
        for title, views in [("A", 50), ("B", 30), ("C", 30), ("Straße", 20), ("D", 10)]
    ]
    write_dump(
        tmp_path, f"pageviews-{DAY:%Y%m%d}-user.bz2", [*lines, "de.wikipedia A null desktop 5 A5"]
    )
    assert run_ingest(
        migrated_settings, sorted(tmp_path.glob("*.bz2")), ProjectFilter(), hourly=False
    )
    with store_connection(migrated_settings) as connection:
        yield connection


def top(connection, project="en.wikipedia"):
    return [
        (e.title, e.views, e.rank)
        for e in queries.top_articles(connection, project, "all-access", day=D)
    ]


def daily(connection, title, project="en.wikipedia"):
    return queries.article_daily(connection, project, title, "all-access", "all-agents", D, D)


def block(connection, project, title, reason=""):
    add_entries(connection, [make_entry(project, title, reason)])
    connection.commit()


def test_blocked_titles_leave_results_at_once_and_the_rest_is_re_ranked(store):
    assert top(store) == [
        ("A", 50, 1),
        ("B", 30, 2),
        ("C", 30, 2),
        ("Straße", 20, 4),
        ("D", 10, 5),
    ]
    block(store, "en.wikipedia", "b")
    block(store, "en.wikipedia", "STRASSE")  # casefold: matches Straße
    assert top(store) == [("A", 50, 1), ("C", 30, 2), ("D", 10, 3)]
    assert daily(store, "B") == [] and daily(store, "Straße") == []
    assert (
        queries.article_monthly(store, "en.wikipedia", "B", "all-access", "all-agents", D, D) == []
    )
    assert daily(store, "C") == [(D, 30)]
    block(store, "en.wikipedia", "A")
    # the tie below the blocked leader shares the first rank, as rank() gives it
    assert top(store) == [("C", 30, 1), ("D", 10, 2)]
    # per project: de's A is not blocked
    assert daily(store, "A", "de.wikipedia") == [(D, 5)]
    assert top(store, "de.wikipedia") == [("A", 5, 1)]
    assert remove_entry(store, "en.wikipedia", "straße")
    assert not remove_entry(store, "en.wikipedia", "Never_blocked")
    store.commit()
    assert daily(store, "Straße") == [(D, 20)]
    assert top(store) == [("C", 30, 1), ("Straße", 20, 2), ("D", 10, 3)]


def test_the_helpers_for_the_api_and_the_bot(store):
    block(store, "en.wikipedia", "Main page", "test")
    assert queries.blocked_titles(store, "en.wikipedia") == frozenset({"main_page"})
    assert queries.blocked_titles(store, "de.wikipedia") == frozenset()
    assert queries.is_blocked(store, "en.wikipedia", "MAIN_PAGE")
    assert not queries.is_blocked(store, "de.wikipedia", "Main_Page")
    assert not queries.is_blocked(store, "en.wikipedia", "Main_Page_2")
    [entry] = list_entries(store)
    assert (entry.project, entry.title, entry.reason) == ("en.wikipedia", "Main_page", "test")


def invoke(settings, *args):
    env = {"WIKIVIEWS_DATA_DIR": settings.data_dir, "WIKIVIEWS_DATABASE_URL": settings.database_url}
    return CliRunner(env=env).invoke(main, ["blocklist", *args])


def test_the_blocklist_command(migrated_settings, tmp_path):
    listing = tmp_path / "blocked.tsv"
    listing.write_text(
        "# wiki\ttitle\treason\nen.wikipedia\tSome title\tasked\nde.wikipedia\tBerlin\n",
        encoding="utf-8",
    )
    first = invoke(migrated_settings, "load", str(listing))
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 already blocked" in first.output
    again = invoke(migrated_settings, "load", str(listing))
    assert "0 added, 0 updated, 2 already blocked" in again.output
    listed = invoke(migrated_settings, "list")
    assert listed.stdout == "de.wikipedia\tBerlin\nen.wikipedia\tSome_title\tasked\n"
    # `list` prints the file format: its output loads back unchanged
    (tmp_path / "copy.tsv").write_text(listed.stdout, encoding="utf-8")
    assert (
        "2 already blocked" in invoke(migrated_settings, "load", str(tmp_path / "copy.tsv")).output
    )

    added = invoke(migrated_settings, "add", "en.wikipedia", "Other", "--reason", "spam")
    assert added.exit_code == 0 and "blocked: en.wikipedia Other" in added.output
    updated = invoke(migrated_settings, "add", "en.wikipedia", "OTHER", "--reason", "bots")
    assert "reason updated" in updated.output
    assert invoke(migrated_settings, "list", "en.wikipedia").stdout == (
        "en.wikipedia\tOTHER\tbots\nen.wikipedia\tSome_title\tasked\n"
    )
    assert invoke(migrated_settings, "remove", "en.wikipedia", "other").exit_code == 0
    missing = invoke(migrated_settings, "remove", "en.wikipedia", "other")
    assert missing.exit_code == 1 and "not blocked" in missing.output
    assert invoke(migrated_settings, "add", "en wiki", "X").exit_code == 2
    assert invoke(migrated_settings, "add", "en.wikipedia", "X", "--reason", "a\tb").exit_code == 2

    bad = tmp_path / "bad.tsv"
    bad.write_text("fr.wikipedia\tParis\nfr.wikipedia\n", encoding="utf-8")
    refused = invoke(migrated_settings, "load", str(bad))
    assert refused.exit_code == 1 and "bad.tsv:2:" in refused.output
    assert "nothing was blocked" in refused.output
    bad.write_bytes(b"fr.wikipedia\tPar\xefs\n")
    assert "not UTF-8" in invoke(migrated_settings, "load", str(bad)).output
    assert invoke(migrated_settings, "list", "fr.wikipedia").stdout == ""
