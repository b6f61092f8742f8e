"""Install the wikiviews gadget on a MediaWiki wiki through its action API, idempotently.

Writes the bootstrap script, the drawing and Wikimedia-mode scripts, the stylesheet, the
configuration, the messages (as interface messages, ``MediaWiki:Wikiviews-views/de``, so
MediaWiki applies its language fallbacks and users translate them on the wiki), the gadget's
description and its ``MediaWiki:Gadgets-definition`` lines; a page already holding the text
is left alone, so a second run edits nothing. Run it as an account in the
``interface-admin`` group (a BotPassword with the ``editsiteconfig`` and ``editinterface``
grants)::

    WIKIVIEWS_WIKI_USER='Admin@gadget' WIKIVIEWS_WIKI_PASSWORD='…' \\
        python gadget/install.py --site https://wiki.example.org/w/api.php \\
        --api https://wikiviews.example.org [--project NAME] [--opt-in]

``--out DIR`` writes the pages as files instead (one per page, named after it) for installing
by hand. Only ``requests`` is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

HERE = Path(__file__).resolve().parent
NAME = "wikiviews"
SECTION = "wikiviews"
#: ResourceLoader modules the bootstrap and the drawing module need, all in MediaWiki core.
DEPENDENCIES = ("mediawiki.util", "mediawiki.storage", "user.options")
RENDER_DEPENDENCIES = ("mediawiki.language",)
USER_AGENT = "wikiviews-gadget-installer/1.0 (https://github.com/wikiviews/wikiviews)"
SUMMARY = "Install or update the wikiviews gadget"
#: Message keys that describe the gadget in Special:Preferences, not the gadget's own UI.
DESCRIPTION_KEY = "gadget-wikiviews"
_OWN_LINE = re.compile(r"^\*\s*wikiviews(?:-aqs|-render)?\s*\[")


@dataclass(frozen=True)
class Options:
    """What the installer writes: backend root URL, project name, on by default or not."""

    api: str
    project: str
    opt_in: bool = False
    namespaces: tuple[int, ...] = (0,)
    #: "summary" (a wikiviews server), "aqs" (Wikimedia's routes only), "" (by the host).
    mode: str = ""
    #: The wiki's content language: its messages are the pages without a /code suffix.
    language: str = "en"


def project_of(host: str) -> str:
    """The project name Wikimedia gives a wiki's host: ``fr.wikivoyage.org`` → ``fr.wikivoyage``."""
    host = host.lower().rstrip(".")
    host = host.removeprefix("www.")
    return host.removesuffix(".org")


def read_messages() -> dict[str, dict[str, str]]:
    """The gadget's messages by language code, from ``i18n/*.json`` (documentation excluded)."""
    messages = {}
    for path in sorted((HERE / "i18n").glob("*.json")):
        if path.stem == "qqq":
            continue
        table = json.loads(path.read_text(encoding="utf-8"))
        messages[path.stem] = {k: v for k, v in table.items() if not k.startswith("@")}
    return messages


def definition_lines(options: Options) -> list[str]:
    """The ``MediaWiki:Gadgets-definition`` lines: the bootstrap, and the two hidden modules it
    loads (the drawing code, and the Wikimedia mode only when that is the backend)."""
    flags = ["ResourceLoader"]
    if not options.opt_in:
        flags.append("default")
    namespaces = ",".join(str(n) for n in options.namespaces)
    flags += [
        "package",
        "actions=history",
        f"namespaces={namespaces}",
        "targets=desktop,mobile",
        "dependencies=" + ",".join(DEPENDENCIES),
        "supportsUrlLoad",
    ]
    pages = f"{NAME}.js|{NAME}-config.json|{NAME}.css"
    hidden = "ResourceLoader|hidden|package|targets=desktop,mobile"
    render = "dependencies=" + ",".join(RENDER_DEPENDENCIES)
    return [
        f"* {NAME}[{'|'.join(flags)}]|{pages}",
        f"* {NAME}-render[{hidden}|{render}]|{NAME}-render.js",
        f"* {NAME}-aqs[{hidden}]|{NAME}-aqs.js",
    ]


def merge_definition(text: str, lines: list[str]) -> str:
    """``text`` (a Gadgets-definition page) with our lines in our section, others untouched."""
    kept = [line for line in text.splitlines() if not _OWN_LINE.match(line)]
    heading = f"== {SECTION} =="
    if heading in (line.strip() for line in kept):
        at = next(i for i, line in enumerate(kept) if line.strip() == heading)
        kept[at + 1 : at + 1] = lines
    else:
        while kept and not kept[-1].strip():
            kept.pop()
        kept += ([""] if kept else []) + [heading, *lines]
    return "\n".join(kept) + "\n"


def message_pages(language: str) -> dict[str, str]:
    """The messages as interface-message pages: ``MediaWiki:Wikiviews-views`` holds the content
    language's text (English when there is no translation), ``…/de`` the others."""
    messages = read_messages()
    pages = {}
    for key, english in messages["en"].items():
        page = "MediaWiki:" + key[0].upper() + key[1:]
        if key == DESCRIPTION_KEY:
            page = f"MediaWiki:Gadget-{NAME}"
        pages[page] = messages.get(language, {}).get(key, english)
        for lang, table in messages.items():
            if lang != language and key in table:
                pages[f"{page}/{lang}"] = table[key]
    return pages


def build_pages(options: Options) -> dict[str, str]:
    """Every page the gadget needs except the definition, by title."""
    config = {"api": options.api.rstrip("/"), "project": options.project}
    config["namespaces"] = list(options.namespaces)
    if options.mode:
        config["mode"] = options.mode
    pages = {
        f"MediaWiki:Gadget-{NAME}-config.json": json.dumps(config, indent=4) + "\n",
        f"MediaWiki:Gadget-section-{SECTION}": "wikiviews",
    }
    for suffix in (".js", "-render.js", "-aqs.js", ".css"):
        pages[f"MediaWiki:Gadget-{NAME}{suffix}"] = (HERE / f"{NAME}{suffix}").read_text(
            encoding="utf-8"
        )
    pages.update(message_pages(options.language))
    return pages


class WikiError(RuntimeError):
    """The wiki's API refused a request; the message quotes its error."""


class Wiki:
    """A logged-in session on a wiki's ``api.php``."""

    def __init__(self, api_php: str, session: requests.Session | None = None) -> None:
        self.url = api_php
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def call(self, method: str, **params: str) -> dict:
        """One API request (format=json, formatversion=2); raises WikiError on an error."""
        params = {"format": "json", "formatversion": "2", **params}
        if method == "GET":
            response = self.session.get(self.url, params=params, timeout=60)
        else:
            response = self.session.post(self.url, data=params, timeout=60)
        response.raise_for_status()
        data = response.json()
        if "error" in data:
            error = data["error"]
            raise WikiError(f"{error.get('code')}: {error.get('info')}")
        return data

    def login(self, user: str, password: str) -> None:
        """Log in with a BotPassword (``User@app`` and its secret) or a main password."""
        token = self.call("GET", action="query", meta="tokens", type="login")
        result = self.call(
            "POST",
            action="login",
            lgname=user,
            lgpassword=password,
            lgtoken=token["query"]["tokens"]["logintoken"],
        )["login"]
        if result.get("result") != "Success":
            raise WikiError(f"login as {user} failed: {result.get('reason', result)}")

    def texts(self, titles: Iterable[str]) -> dict[str, str | None]:
        """Current text of each title, None for a page that does not exist."""
        titles = list(titles)
        found: dict[str, str | None] = dict.fromkeys(titles)
        for start in range(0, len(titles), 50):
            data = self.call(
                "GET",
                action="query",
                prop="revisions",
                rvprop="content",
                rvslots="main",
                titles="|".join(titles[start : start + 50]),
            )
            for page in data["query"]["pages"]:
                if "revisions" in page:
                    found[page["title"]] = page["revisions"][0]["slots"]["main"]["content"]
        return found

    def edit(self, title: str, text: str) -> None:
        """Save ``text`` to ``title``."""
        token = self.call("GET", action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        self.call(
            "POST", action="edit", title=title, text=text, summary=SUMMARY, token=token, bot="1"
        )

    def content_namespaces(self) -> tuple[int, ...]:
        """Ids of the wiki's content namespaces."""
        data = self.call("GET", action="query", meta="siteinfo", siprop="namespaces")
        found = [ns["id"] for ns in data["query"]["namespaces"].values() if ns.get("content")]
        return tuple(sorted(found)) or (0,)

    def general(self) -> dict:
        """The wiki's general siteinfo (``server``, ``lang``, …)."""
        return self.call("GET", action="query", meta="siteinfo", siprop="general")["query"][
            "general"
        ]


def install(wiki: Wiki, options: Options) -> list[str]:
    """Write every page that differs; returns the titles that were edited."""
    pages = build_pages(options)
    definition = "MediaWiki:Gadgets-definition"
    current = wiki.texts([*pages, definition])
    pages[definition] = merge_definition(current[definition] or "", definition_lines(options))
    edited = []
    for title, text in pages.items():
        if not _same(title, current[title], text):
            wiki.edit(title, text)
            edited.append(title)
    return edited


def _same(title: str, old: str | None, new: str) -> bool:
    """Whether a page already holds ``new`` (JSON pages are compared as data: MediaWiki
    re-indents them on save)."""
    if old is None:
        return False
    if title.endswith(".json"):
        return json.loads(old) == json.loads(new)
    return old.rstrip("\n") == new.rstrip("\n")


def write_files(directory: Path, options: Options) -> list[Path]:
    """The pages as files in ``directory`` for installing by hand (``/`` in titles as ``%2F``)."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = build_pages(options)
    pages["MediaWiki:Gadgets-definition"] = merge_definition("", definition_lines(options))
    written = []
    for title, text in pages.items():
        path = directory / quote(title, safe=":")
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="the wiki's api.php URL")
    parser.add_argument(
        "--api",
        required=True,
        help="the backend's root URL, the part before /api/… (https://wikimedia.org for "
        "Wikimedia's own API)",
    )
    parser.add_argument(
        "--project",
        help="the wiki's project name in the store (default: from the wiki's host name, "
        "as Wikimedia names projects, e.g. fr.wikivoyage)",
    )
    parser.add_argument(
        "--opt-in", action="store_true", help="off by default; users turn it on in preferences"
    )
    parser.add_argument(
        "--mode",
        choices=("summary", "aqs"),
        default="",
        help="summary: a wikiviews server; aqs: only Wikimedia's pageview routes (default: "
        "aqs for wikimedia.org, summary otherwise)",
    )
    parser.add_argument("--out", type=Path, help="write the pages to this directory instead")
    args = parser.parse_args(argv)
    if not args.site and not args.out:
        parser.error("name the wiki with --site API_PHP_URL, or --out DIR to write files")
    if args.out and not args.project and not args.site:
        parser.error("--out without --site needs --project")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the installer; the login comes from WIKIVIEWS_WIKI_USER and WIKIVIEWS_WIKI_PASSWORD."""
    args = parse_args(argv)
    wiki = Wiki(args.site) if args.site else None
    general = wiki.general() if wiki else {"server": "", "lang": "en"}
    project = args.project or project_of(urlsplit(general["server"]).hostname or "")
    options = Options(
        api=args.api,
        project=project,
        opt_in=args.opt_in,
        namespaces=wiki.content_namespaces() if wiki else (0,),
        mode=args.mode,
        language=general["lang"],
    )
    if args.out:
        for path in write_files(args.out, options):
            print(path)
        return 0
    user, password = (
        os.environ.get("WIKIVIEWS_WIKI_USER"),
        os.environ.get("WIKIVIEWS_WIKI_PASSWORD"),
    )
    if not user or not password:
        print("error: set WIKIVIEWS_WIKI_USER and WIKIVIEWS_WIKI_PASSWORD", file=sys.stderr)
        return 2
    try:
        wiki.login(user, password)
        edited = install(wiki, options)
    except (WikiError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for title in edited:
        print(f"edited {title}")
    print(f"{len(edited)} pages edited, project {project}, backend {options.api}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
