"""Old tools' shapes: the stats.grok.se JSON at ``/json/{lang}/{YYYYMM}/{title}``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("compat", __name__)
