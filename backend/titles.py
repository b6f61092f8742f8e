"""Rules about page titles that the ingest and the read side share."""

from __future__ import annotations

#: Longest title accepted, in UTF-8 bytes (Wikimedia turns longer ones into ``-``).
MAX_TITLE_BYTES = 512
