"""Readership data pages in the format {{Xreadership}} reads."""

from __future__ import annotations

from datetime import date

import pytest

from bot.readership import days_wanted, render_csv, window, zero_filled

# The first rows of a real Talk:Liberation of France/pageviews (downloaded from Pageviews
# Analysis and pasted by hand), as quoted in User:Mathglot/Charts replacement project.
RECORDED = """Date,"Liberation of France"
2024-06-01,533
2024-06-02,767
2024-06-03,825
2024-06-04,1049
2024-06-05,2133
2024-06-06,6184
2024-06-07,3233
2024-06-08,1751
2024-06-09,1345"""


def test_same_bytes_as_a_pasted_download() -> None:
    views = [533, 767, 825, 1049, 2133, 6184, 3233, 1751, 1345]
    series = [(date(2024, 6, d), n) for d, n in enumerate(views, 1)]
    assert render_csv("Liberation_of_France", series) == RECORDED


def test_quotes_in_titles_are_doubled() -> None:
    assert render_csv('Say "hi"', []) == 'Date,"Say ""hi"""'


def test_zero_filled_window() -> None:
    start, end = window(date(2024, 6, 3), 3)
    assert (start, end) == (date(2024, 6, 1), date(2024, 6, 3))
    assert zero_filled({"20240602": 5}, start, end) == [
        (date(2024, 6, 1), 0),
        (date(2024, 6, 2), 5),
        (date(2024, 6, 3), 0),
    ]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("{{Xreadership}}", 75),
        ("{{xreadership|45}}", 45),
        ("{{Xreadership|days=30}}", 30),
        ("{{Xreadership|days=lots}}", 75),
        ("{{Xreadership|days=9999}}", 75),
        ("No template", 75),
        ("<!-- {{Xreadership|10}} -->", 75),
    ],
)
def test_days_from_the_call(text: str, days: int) -> None:
    assert days_wanted(text) == days
