"""The demo's choices: which sample files fill the hourly window, the redirect dump."""

from __future__ import annotations

from pathlib import Path

from backend.demo import in_hourly_window, sql_string
from backend.redirects import sql_rows
from backend.settings import Settings


def test_only_the_window_days_fill_the_hourly_window() -> None:
    settings = Settings(data_dir="/nonexistent", hourly_window_days=7)
    assert in_hourly_window(Path("pageviews-20240301-230000.gz"), settings)
    assert in_hourly_window(Path("pageviews-20240224-user.bz2"), settings)
    assert not in_hourly_window(Path("pageviews-20240223-spider.bz2"), settings)
    assert not in_hourly_window(Path("pagecounts-20140501-010000.gz"), settings)
    off = Settings(data_dir="/nonexistent", hourly_window_days=0)
    assert not in_hourly_window(Path("pageviews-20240301-230000.gz"), off)


def test_redirect_dump_strings_read_back_as_written() -> None:
    titles = ["It's", "Back\\slash", "Stasi,_Anter", "(a),(b)"]
    rows = ",".join(f"({n},0,{sql_string(t)},'','')" for n, t in enumerate(titles, 1))
    line = f"INSERT INTO `redirect` VALUES {rows};\n".encode()
    assert [row[2].decode() for row in sql_rows([line], "redirect")] == titles
