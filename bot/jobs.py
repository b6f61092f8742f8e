"""Shared plumbing of the bot's commands: the run context (source, site, state, output)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot.connect import ConnectError, Connection, open_site, prepare, read_secret
from bot.state import RunState, run_key


class JobError(click.ClickException):
    """A problem that stops the whole command (bad options, no data, no wiki)."""


def data_dir(explicit: str | None) -> Path:
    """The data directory: ``--data-dir``, else the wikiviews setting."""
    if explicit:
        return Path(explicit)
    from backend.settings import load_settings

    return Path(load_settings().data_dir)


def open_source(spec: str) -> Any:
    """The read model for ``--source``: ``store`` (the configured store) or an API base URL."""
    try:
        from backend.sources import open_source as open_read_model
    except ImportError as exc:  # pragma: no cover - the read model ships with the package
        raise JobError(f"the read model is not available: {exc}") from exc
    return open_read_model(None if spec == "store" else spec)


@dataclass
class Run:
    """What every job needs: options, the source, the site, the state file."""

    site_url: str | None
    user: str | None
    source_spec: str
    project: str
    simulate: bool
    fresh: bool
    data_dir: Path
    put_throttle: float | None = None
    maxlag: int | None = None
    _source: Any = None
    _site: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> Any:
        """The pageview source (opened on first use)."""
        if self._source is None:
            self._source = open_source(self.source_spec)
        return self._source

    def connection(self) -> Connection:
        """How to reach the wiki."""
        return Connection(self.site_url, self.user, self.data_dir, self.put_throttle, self.maxlag)

    def prepare(self) -> None:
        """Point pywikibot at its configuration (no network)."""
        try:
            prepare(self.connection())
        except ConnectError as exc:
            raise JobError(str(exc)) from exc

    @property
    def site(self) -> Any:
        """The pywikibot site, logged in (in simulate mode only when a password is given)."""
        if self._site is None:
            conn = self.connection()
            login = not self.simulate or bool(read_secret())
            try:
                self._site = open_site(conn, login=login)
            except ConnectError as exc:
                raise JobError(str(exc)) from exc
        return self._site

    @property
    def lang(self) -> str:
        """The wiki's content language (for messages)."""
        return str(self.site.siteinfo.get("lang", "en"))

    def api_call(self, params: dict[str, str]) -> dict:
        """One API request through pywikibot (for :mod:`bot.membership`)."""
        return self.site.simple_request(**params).submit()

    def through(self) -> date:
        """The last published day of the project (an error when there is none)."""
        from backend.sources import SourceError

        try:
            day = self.source.through(self.project)
        except SourceError as exc:
            raise JobError(f"{self.project}: {exc}") from exc
        if day is None:
            raise JobError(f"{self.project}: no published data in the source")
        return day

    def state(self, job: str, period_key: str) -> RunState:
        """The run state file of ``job`` for ``period_key`` (not written when simulating)."""
        key = run_key(
            self.site_url or os.environ.get("PYWIKIBOT_DIR", ""),
            self.project or "",
            job,
            period_key,
        )
        path = self.data_dir / "bot" / "state" / f"{job}-{key}.json"
        return RunState(path, fresh=self.fresh, persist=not self.simulate)
