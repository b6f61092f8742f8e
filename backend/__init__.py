"""wikiviews: pageview statistics for MediaWiki wikis, self-hosted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from backend.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask app on ``settings``' store (default: settings from the environment)."""
    from backend.api.app import build_app
    from backend.settings import load_settings

    return build_app(settings or load_settings())
