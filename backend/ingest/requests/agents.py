"""Spider or not, by user agent: ua-parser's device family plus Wikimedia's pattern list.

Both are asked once per distinct user agent: logs repeat a few thousand agents millions of
times, so a dictionary in front of the parser answers nearly every line.
"""

from __future__ import annotations

import re

from ua_parser import parse_device

from backend.ingest.requests.memo import CountingMemo

#: Wikimedia's spider pattern (refinery ``Webrequest.java``), matched case-insensitively,
#: "to be used in addition to ua-parser device_family field being identified as Spider".
_SPIDER_CONTAINS = (
    r"bot|spider|WordPress|AppEngine|AppleDictionaryService|Python-urllib|python-requests"
    r"|Google-HTTP-Java-Client|[Ff]acebook|[Yy]ahoo|RockPeaks|PhantomJS|http"
)
_SPIDER_STARTS = (
    r"goo wikipedia|MediaWikiCrawler-Google|wikiwix-bot|Java/|curl|PHP/|Faraday|HTTPC|Ruby"
    r"|\.NET|Python|Apache|Scrapy|PycURL|libwww|Zend|wget|nodemw|WinHttpRaw|Twisted|com\.eusoft"
    r"|Lagotto|Peggo|Recuweb|check_http|Magnus|MLD|Jakarta|find-link|J\. River|projectplan9"
    r"|ADmantX|httpunit|LWP|iNaturalist|WikiDemo|FSResearchIt|livedoor|Microsoft Monitoring"
    r"|MediaWiki|User:|User_talk:|github|tools\.wmflabs\.org|Blackboard Safeassign"
    r"|Damn Small XSS|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}"
)
SPIDER_PATTERN = re.compile(
    rf"(?:{_SPIDER_CONTAINS})|^(?:{_SPIDER_STARTS})|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{{2,}}",
    re.IGNORECASE,
)

#: Distinct agents remembered; past this the cache starts over (bounded memory).
CACHE_SIZE = 200_000


def is_spider_uncached(user_agent: str) -> bool:
    """Whether ``user_agent`` is a spider (``-`` and empty agents are)."""
    if not user_agent or user_agent == "-":
        return True
    if SPIDER_PATTERN.search(user_agent):
        return True
    device = parse_device(user_agent)
    return device is not None and device.family == "Spider"


class SpiderCache(CountingMemo[str, bool]):
    """:func:`is_spider_uncached` behind a bounded memo, with hit counts for the benchmark."""

    def __init__(self) -> None:
        super().__init__(is_spider_uncached, CACHE_SIZE)
