"""The floor of the API benchmark: a minimal Flask app answering a fixed JSON body.

``bench/api.py`` serves it with the same gunicorn settings as ``wikiviews serve`` (sync
workers, no access log) and drives it with the same load generator; its rate is the most a
Flask app can answer on this machine, and the API's figures are given as a share of it.
"""

from __future__ import annotations

from flask import Flask, Response

#: One item of a per-article answer, about the size of the smallest real answers.
BODY = (
    b'{"items":[{"project":"en.wikipedia","article":"Main_Page","granularity":"daily",'
    b'"timestamp":"2024010100","access":"all-access","agent":"all-agents","views":1}]}'
)

app = Flask("floor")


@app.get("/<path:anything>")
def fixed(anything: str) -> Response:
    """The same body for every path."""
    return Response(BODY, content_type="application/json; charset=utf-8")
