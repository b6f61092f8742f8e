"""``wikiviews serve``: the API under gunicorn, on a store whose schema is current."""

from __future__ import annotations

import os
import tempfile

import click

from backend import db
from backend.settings import Settings


def check_schema(settings: Settings) -> None:
    """Refuse to serve a store whose schema is behind the code (or was never created)."""
    engine = db.make_engine(settings)
    try:
        current, head = db.current_revision(engine), db.head_revision(settings)
    finally:
        engine.dispose()
    if current != head:
        raise click.ClickException(
            f"the store is at schema revision {current or 'none'} but this version needs "
            f"{head}: run `wikiviews db upgrade` first"
        )


def run_server(settings: Settings) -> None:
    """Run gunicorn with ``settings.workers`` workers on ``settings.bind`` until stopped."""
    check_schema(settings)
    # Workers share request counters through files; the directory must exist before the
    # metrics module is first imported, in this process and in every worker.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="wikiviews-metrics-")
    from gunicorn.app.base import BaseApplication

    from backend import create_app

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", settings.bind)
            self.cfg.set("workers", settings.workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("child_exit", _forget_worker)
            self.cfg.set("control_socket_disable", True)
            # Several long non-ASCII titles in one request need more than the default 4094.
            self.cfg.set("limit_request_line", 8190)

        def load(self):
            return create_app(settings)

    _Gunicorn().run()


def _forget_worker(_server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
