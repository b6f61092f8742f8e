"""Interface messages of the bot (edit summaries, table headings, notices), per language.

A wiki in a language listed here gets its messages; any other gets English. Messages take
``str.format`` fields. Add a language by adding a dictionary with the same keys.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "summary-top": "Bot: update the top articles report ({period})",
        "summary-popular": "Bot: update the popular pages report ({period})",
        "summary-deliver": "Bot: new report: {report}",
        "summary-readership": "Bot: daily pageviews through {through}",
        "top-header": (
            "The most viewed articles of {project}, from pageview data. The table below is "
            "written by a bot; text outside it is kept."
        ),
        "top-period": "'''Period''': {period} (UTC)",
        "top-rank": "Rank",
        "top-article": "Article",
        "top-views": "Views",
        "top-change": "Change",
        "top-mobile": "Mobile share",
        "top-new": "new",
        "top-exclusions": "Excluded",
        "top-exclusions-intro": ("Left out of the table because their traffic looks automated:"),
        "top-reason": "Reason",
        "flag-mobile-low": "mobile share {share} (under {limit})",
        "flag-mobile-high": "mobile share {share} (over {limit})",
        "flag-one-hour": "{share} of the views in one hour, {hour} UTC (over {limit})",
        "popular-header": (
            "This is a list of pages in the scope of {project} along with their pageviews, "
            "including all redirects. The table below is written by a bot; text outside it "
            "is kept."
        ),
        "popular-period": "'''Period''': {start} to {end}",
        "popular-total": "'''Total views''': {total}",
        "popular-rank": "Rank",
        "popular-page": "Page title",
        "popular-views": "Views",
        "popular-average": "Daily average",
        "popular-class": "Assessment",
        "popular-importance": "Importance",
        "unknown": "Unknown",
        "deliver-subject": "New pageview report: {report}",
        "deliver-body": (
            "The report {report} has a new version ({version}). This page receives these "
            "notices because it is on the delivery list {list}."
        ),
    },
}


def message(key: str, lang: str = "en", **fields: object) -> str:
    """The message ``key`` in ``lang`` (English when missing), with ``fields`` filled in."""
    catalogue = MESSAGES.get(lang, MESSAGES["en"])
    text = catalogue.get(key, MESSAGES["en"][key])
    return text.format(**fields) if fields else text
