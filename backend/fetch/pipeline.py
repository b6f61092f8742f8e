"""Download ahead on a few connections, verify, ingest each file in order as it completes.

Downloads run in ``connections`` worker threads, at most ``connections + 1`` files ahead of
the ingest, so a year-long back-fill never holds more than a handful of files on disk. The
main thread ingests the files in plan order, each in one transaction (``ingest_file``), and
deletes each one afterwards unless asked to keep it. Interrupting the process at any point
loses nothing: loaded files are in the store, a partial download resumes from its
``.part`` file, and the next run plans from ``ingested_files``.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from tqdm import tqdm

from backend.dumpfiles import DumpFile
from backend.fetch.checksums import ChecksumBook, matches
from backend.fetch.transfer import NotPublished, Stopped, Transfer, TransferFailed
from backend.ingest.parsed import ProjectFilter
from backend.ingest.projects import ProjectRegistry
from backend.ingest.run import FileOutcome, finish, ingest_file
from backend.settings import Settings

#: Pack settled days and trim the hourly window after this many loaded files (a week).
FINISH_EVERY = 24 * 7


@dataclass
class ItemOutcome:
    """What happened to one file of the plan."""

    item: DumpFile
    status: str  # "loaded" | "skipped" | "missing" | "failed"
    message: str = ""
    verified_by: str = ""  # the checksum file that matched, "" when none lists the file
    bytes: int = 0
    ingest: FileOutcome | None = None


@dataclass
class _Download:
    path: Path | None
    status: str  # "ok" | "missing" | "failed"
    message: str = ""
    verified_by: str = ""
    bytes: int = 0


class Fetcher:
    """Fetch and ingest files into one store (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        transfer: Transfer,
        projects: ProjectFilter,
        *,
        download_dir: Path,
        connections: int,
        keep: bool = False,
        hourly: bool | None = None,
        progress: bool | None = None,
    ):
        self.engine = engine
        self.settings = settings
        self.transfer = transfer
        self.projects = projects
        self.download_dir = download_dir
        self.connections = connections
        self.keep = keep
        self.hourly = hourly
        self.progress = progress
        self.checksums = ChecksumBook(transfer.get_text)
        self.loaded_since_finish = 0
        self._registry: ProjectRegistry | None = None

    def close(self) -> None:
        """Release the project registry and the connections."""
        if self._registry is not None:
            self._registry.close()
            self._registry = None
        self.transfer.close()

    def run(self, items: Sequence[DumpFile], now_hour: int) -> list[ItemOutcome]:
        """Fetch and ingest ``items`` in order; returns one outcome per item, in order."""
        if not items:
            return []
        self.download_dir.mkdir(parents=True, exist_ok=True)
        if self._registry is None:
            self._registry = ProjectRegistry(self.engine)
        bar = tqdm(
            total=None,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            dynamic_ncols=True,
            disable=None if self.progress is None else not self.progress,
            file=sys.stderr,
        )
        lock = threading.Lock()
        sizes: list[int] = []

        def on_bytes(count: int) -> None:
            with lock:
                bar.update(count)

        outcomes: list[ItemOutcome] = []
        pending: deque[tuple[DumpFile, Future[_Download]]] = deque()
        queue = iter(items)
        window = self.connections + 1
        bar.set_description(f"0/{len(items)} files")
        with ThreadPoolExecutor(self.connections, thread_name_prefix="fetch") as pool:

            def fill() -> None:
                while len(pending) < window:
                    item = next(queue, None)
                    if item is None:
                        return
                    recent = item.at_live_edge(now_hour)  # checksums may lag behind
                    pending.append((item, pool.submit(self._download, item, recent, on_bytes)))

            try:
                fill()
                while pending:
                    item, future = pending.popleft()
                    downloaded = future.result()
                    if downloaded.path is not None:
                        sizes.append(downloaded.path.stat().st_size)
                        with lock:
                            bar.set_postfix_str(f"loading {item.name}")
                    outcome = self._ingest(item, downloaded)
                    if self.loaded_since_finish >= FINISH_EVERY:
                        with lock:
                            bar.set_postfix_str("packing settled days")
                        self.finish()
                    outcomes.append(outcome)
                    # Failures are reported once, by the caller's report.
                    if bar.disable and self.progress is None:
                        # No terminal (a service's log): one line a file instead of a bar.
                        tqdm.write(
                            f"[{len(outcomes)}/{len(items)}] {item.name}: {outcome.status}",
                            file=sys.stderr,
                        )
                    with lock:
                        bar.set_description(f"{len(outcomes)}/{len(items)} files")
                        bar.set_postfix_str("")
                        if sizes:  # the ETA: remaining files at the mean size so far
                            estimate = sum(sizes) / len(sizes) * len(items)
                            bar.total = max(bar.n, int(estimate))
                        bar.refresh()
                    fill()
            except BaseException:
                self.transfer.stop.set()
                for _, future in pending:
                    future.cancel()
                raise
            finally:
                bar.close()
        return outcomes

    def finish(self) -> None:
        """Pack settled days and trim the hourly window (after a batch of loads)."""
        if self.loaded_since_finish:
            finish(self.engine, self.settings)
            self.loaded_since_finish = 0

    # -- in worker threads -------------------------------------------------------------------

    def _download(self, item: DumpFile, recent: bool, on_bytes: Callable[[int], None]) -> _Download:
        """Download and verify one file (runs in a worker thread; never raises but Stopped)."""
        destination = self.download_dir / item.name
        try:
            expected = self.checksums.expected(item.directory, item.name)
            generation = self.checksums.generation(item.directory)
            if destination.exists():  # kept by an earlier run
                if expected is None:
                    return _Download(destination, "ok")
                if matches(destination, expected):
                    return _Download(destination, "ok", verified_by=expected.source)
                destination.unlink()
            received = 0
            for attempt in (1, 2):
                received += self.transfer.download(item.remote_path, destination, on_bytes)
                if expected is None and recent:
                    expected = self.checksums.expected(
                        item.directory, item.name, newer_than=generation
                    )
                if expected is None:
                    return _Download(destination, "ok", bytes=received)
                if matches(destination, expected):
                    return _Download(destination, "ok", verified_by=expected.source, bytes=received)
                destination.unlink()
                if attempt == 1:
                    tqdm.write(
                        f"warning: {item.name} does not match {expected.source}; downloading "
                        "it again",
                        file=sys.stderr,
                    )
            return _Download(
                None,
                "failed",
                f"{expected.algorithm} digest differs from {expected.source} after two "
                "downloads; nothing of it was loaded",
                bytes=received,
            )
        except NotPublished:
            return _Download(None, "missing", "not on the server (404)")
        except TransferFailed as exc:
            return _Download(None, "failed", str(exc))
        except Stopped:
            raise
        except OSError as exc:
            return _Download(None, "failed", f"{destination}: {exc.strerror or exc}")

    # -- in the main thread ------------------------------------------------------------------

    def _ingest(self, item: DumpFile, downloaded: _Download) -> ItemOutcome:
        if downloaded.status != "ok" or downloaded.path is None:
            return ItemOutcome(item, downloaded.status, downloaded.message, bytes=downloaded.bytes)
        try:
            result = ingest_file(
                self.engine,
                self.settings,
                downloaded.path,
                self.projects,
                hourly=self.hourly,
                registry=self._registry,
            )
        finally:
            if not self.keep:
                downloaded.path.unlink(missing_ok=True)
        if result.status == "loaded":
            self.loaded_since_finish += 1
        return ItemOutcome(
            item,
            result.status,
            result.message,
            verified_by=downloaded.verified_by,
            bytes=downloaded.bytes,
            ingest=result,
        )
