"""What the HTML shell of a view carries: its language, messages, projects and limits.

The shell is rendered on the server with everything the first request needs except the data
itself: the messages of the reader's language, every project with its published span (so the
default range ends at the last published day without another request), and the API's limits.
The page's script reads it from a JSON block (``<script type="application/json">``), which the
Content-Security-Policy allows because it is never executed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import Connection

from backend.queries.catalogue import project_spans
from backend.timeutil import day_stamp

MESSAGES = Path(__file__).parent / "messages"
STATIC = Path(__file__).parent / "static"
DEFAULT_LANGUAGE = "en"
VIEWS = ("pageviews", "siteviews", "topviews", "redirectviews", "massviews")
#: Project preferred as the default when the store has it.
PREFERRED_PROJECT = "en.wikipedia"
#: Scripts and styles from this server only, no inline script, data only from this server
#: (and, for the many-pages view's category source, from the one wiki named in its URL).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'{extra}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def content_security_policy(view: str) -> str:
    """The page's policy: the category source's wiki is the only other host it may ask."""
    extra = ""
    if view == "massviews" and request.args.get("source") == "category":
        origins = {wiki_origin(request.args.get(name, "")) for name in ("site", "target")}
        extra = "".join(f" {origin}" for origin in sorted(o for o in origins if o))
    return CONTENT_SECURITY_POLICY.format(extra=extra)


def wiki_origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or ``None`` when it is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not _HOST.match(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of ``language``, English filling what it lacks."""
    messages = json.loads((MESSAGES / f"{DEFAULT_LANGUAGE}.json").read_text("utf-8"))
    if language != DEFAULT_LANGUAGE:
        messages.update(json.loads((MESSAGES / f"{language}.json").read_text("utf-8")))
    return {k: v for k, v in messages.items() if not k.startswith("@")}


@functools.cache
def static_version() -> str:
    """A digest of every static file: part of their URLs, so browsers may cache them for good."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages with a catalogue, English first."""
    others = sorted(p.stem for p in MESSAGES.glob("*.json") if p.stem != DEFAULT_LANGUAGE)
    return (DEFAULT_LANGUAGE, *others)


def choose_language() -> str:
    """``uselang`` when it names a catalogue, else the best match of ``Accept-Language``."""
    asked = request.args.get("uselang", "").strip().lower()
    if asked in languages():
        return asked
    # In the reader's order of preference; de-CH is read as de.
    for tag, _quality in request.accept_languages:
        primary = tag.lower().split("-")[0]
        if primary in languages():
            return primary
    return DEFAULT_LANGUAGE


def project_name(raw: str) -> str:
    """A project as Pageviews Analysis links name it (``en.wikipedia.org``) in the API's form."""
    return raw.strip().lower().removeprefix("www.").removesuffix(".org")


@dataclass(frozen=True)
class Shell:
    """Everything a view's HTML shell is rendered with."""

    view: str
    language: str
    messages: dict[str, str]
    projects: list[dict[str, str | None]]
    default_project: str | None
    limits: dict[str, int]

    def context(self) -> dict[str, object]:
        """The template's variables: the view, its messages and the page's JSON config."""
        return {
            "view": self.view,
            "views": VIEWS,
            "lang": self.language,
            "dir": self.messages.get("dir", "ltr"),
            "msg": self.messages,
            "version": static_version(),
            "config": {
                "view": self.view,
                "lang": self.language,
                "messages": self.messages,
                "projects": self.projects,
                "defaultProject": self.default_project,
                "limits": self.limits,
            },
        }


def shell(db: Connection, view: str) -> Shell:
    """The shell of ``view`` for the current request."""
    language = choose_language()
    spans = project_spans(db)
    projects = [
        {
            "name": span.name,
            "first": day_stamp(span.first_day) if span.first_day is not None else None,
            "last": day_stamp(span.last_day) if span.last_day is not None else None,
        }
        for span in spans
    ]
    published = [p["name"] for p in projects if p["last"] is not None]
    default = PREFERRED_PROJECT if PREFERRED_PROJECT in published else next(iter(published), None)
    settings = current_app.config["WIKIVIEWS_SETTINGS"]
    limits = {"maxArticles": settings.max_articles, "maxDays": settings.max_days}
    return Shell(view, language, catalogue(language), projects, default, limits)
