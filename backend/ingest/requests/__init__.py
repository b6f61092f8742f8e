"""Raw request logs → privacy-safe pageview aggregates.

The pipeline reads a log (:mod:`.readers`), keeps the requests that are pageviews
(:mod:`.definition`), tells their access method and agent type (:mod:`.agents`, :mod:`.actors`)
and country (:mod:`.countries`), and adds them up (:mod:`.aggregate`). Only the aggregates reach
the store (:mod:`.store`); IP addresses, user agents, referers and query strings stay in memory.
"""
