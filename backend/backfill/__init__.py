"""``wikiviews backfill``: parse many dump files in parallel (Spark or in-process), load once.

The plan: every file is parsed by the ingest's own parser in a task of its own (on Spark
executors, or in this process with ``--engine local``); the parsed files come back to the
driver in the ingest's file order and the ingest's own loader applies them, all in one
transaction, then the ingest's packing step packs settled days. The store that results is
the store ``wikiviews ingest`` of the same files gives, table by table.
"""
