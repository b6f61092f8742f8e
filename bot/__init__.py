"""The report bot: the ``wikiviews-bot`` command and its pywikibot jobs.

The jobs read pageviews through the read model (:mod:`backend.sources`) and write only
between their own marker comments on wiki pages. Modules:

* :mod:`bot.cli` — the click command line;
* :mod:`bot.connect` — the pywikibot site and the BotPassword login;
* :mod:`bot.writer` — the pywikibot Bot that writes pages (exclusion, no-op, simulate, state);
* :mod:`bot.markers`, :mod:`bot.wikitext`, :mod:`bot.exclusion` — editing and escaping rules;
* :mod:`bot.top_report`, :mod:`bot.popular`, :mod:`bot.deliver` — the jobs;
* :mod:`bot.membership`, :mod:`bot.subscriptions`, :mod:`bot.periods`, :mod:`bot.state`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def bot_version() -> str:
    """The installed wikiviews version (the bot is part of the same distribution)."""
    try:
        return version("wikiviews")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
