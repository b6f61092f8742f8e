"""Country of an IP address, offline, from the ``iptocc`` package; ``--`` when unknown.

``iptocc`` ships the regional internet registries' delegation data inside its wheel (IPv4 and
IPv6, refreshed with each release) and looks an address up in well under a microsecond, with
no file to download or load at start-up. See docs/raw-logs.md for why it was chosen.
"""

from __future__ import annotations

import iptocc

from backend.ingest.requests.memo import CountingMemo

UNKNOWN = "--"

#: Countries whose readers are never published by country. Wikimedia's exact list is not
#: public; this is the deny list AQS uses for editors by country, the closest published one.
PROTECTED_COUNTRIES = frozenset(
    [
        "AE",
        "AF",
        "AZ",
        "BI",
        "BH",
        "BY",
        "CN",
        "CU",
        "DJ",
        "EG",
        "GQ",
        "ER",
        "ET",
        "IR",
        "IQ",
        "KZ",
        "LA",
        "LY",
        "MM",
        "KP",
        "PK",
        "RU",
        "RW",
        "SA",
        "SG",
        "SO",
        "SD",
        "SY",
        "TJ",
        "TH",
        "TR",
        "TM",
        "UZ",
        "VE",
        "VN",
        "YE",
    ]
)

CACHE_SIZE = 500_000


def protected_countries(extra: str = "") -> frozenset[str]:
    """The built-in protected list plus the comma-separated ``extra`` codes."""
    added = {code.strip().upper() for code in extra.split(",") if code.strip()}
    return PROTECTED_COUNTRIES | added


def country_of(ip: str) -> str:
    """The ISO country code of ``ip`` from the offline database, or ``--`` when unknown."""
    try:
        return iptocc.country_code(ip) or UNKNOWN
    except (ValueError, TypeError):
        return UNKNOWN


class CountryCache(CountingMemo[str, str]):
    """:func:`country_of` behind a bounded memo (kept in memory only), with hit counts."""

    def __init__(self) -> None:
        super().__init__(country_of, CACHE_SIZE)
