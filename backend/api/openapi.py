"""The OpenAPI 3 document of every route: ``backend/api/openapi.yaml``, loaded once.

The document is data: paths, parameters, schemas and responses are written in the YAML file,
and the tests check it against the app (every route documented, nothing else; enums equal to
the allowed values in :mod:`backend.api.params`). Only ``info.version`` is filled in here.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from typing import Any

import yaml

Document = dict[str, Any]

#: The YAML file, next to this module (installed with the package).
SOURCE = files("backend.api").joinpath("openapi.yaml")


@cache
def load_document() -> Document:
    """The OpenAPI document, read once per process (shared: do not change it)."""
    document: Document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    document["info"]["version"] = _version()
    return document


def _version() -> str:
    try:
        return version("wikiviews")
    except PackageNotFoundError:
        return "0.0.0"
