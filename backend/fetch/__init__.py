"""``wikiviews fetch``: download Wikimedia's public pageview dumps and ingest them as they arrive.

One module per job: :mod:`~backend.dumpfiles` (names and URLs of the dump files, shared with
the ingest), :mod:`~backend.fetch.plan` (what a range needs, given what the store has),
:mod:`~backend.fetch.checksums` (the published checksum files), :mod:`~backend.fetch.transfer`
(HTTP downloads with resume, retries and the connection limit), :mod:`~backend.fetch.pipeline`
(download ahead, ingest in order), :mod:`~backend.fetch.follow` (the live edge) and
:mod:`~backend.fetch.command` (the command line's glue and its report).
"""
