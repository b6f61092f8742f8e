"""A real Spark standalone cluster on loopback for tests and benchmarks.

The master and each worker run ``spark-class`` from the pyspark package, each in a process
group of its own, on free ports bound to 127.0.0.1. Start-up waits for the log line that
says the process is ready (never a sleep); stopping signals each group and waits a bounded
time, then kills it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

#: How long a master or worker may take to say it is ready (a busy 2-core machine is slow).
START_SECONDS = 120
STOP_SECONDS = 20


def missing_requirement() -> str | None:
    """Why a Spark cluster cannot run here, or ``None`` when it can."""
    if find_spec("pyspark") is None:
        return "Spark tests need pyspark: pip install -e '.[spark]'"
    if shutil.which("java") is None:
        return "Spark tests need Java 17 on PATH (apt-get install openjdk-17-jre-headless)"
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def spark_home() -> Path:
    """The Spark distribution inside the pyspark package."""
    spec = find_spec("pyspark")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def spark_env(work: Path) -> dict[str, str]:
    """Environment of every cluster process: loopback only, logs and scratch in ``work``."""
    import sys

    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOCAL_DIRS=str(work / "local"),
        SPARK_LOG_DIR=str(work / "logs"),
        PYSPARK_PYTHON=sys.executable,
    )
    return env


@dataclass
class Daemon:
    """One cluster process (a group of its own) and the lines it has printed."""

    name: str
    process: subprocess.Popen[str]
    log: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    pumping: threading.Thread | None = None

    def pump(self) -> None:
        """Copy the process's output to its log file and the line queue."""
        assert self.process.stdout is not None
        with open(self.log, "a", encoding="utf-8") as out:
            for line in self.process.stdout:
                out.write(line)
                out.flush()
                self.lines.put(line)

    def wait_for(self, text: str, seconds: float = START_SECONDS) -> None:
        """Block until the process prints ``text``; raise with its log when it does not."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and self.lines.empty()):
                raise RuntimeError(
                    f"{self.name} did not print {text!r}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if text in self.lines.get(timeout=min(left, 1.0)):
                    return
            except queue.Empty:
                continue

    def stop(self) -> None:
        """Terminate the process group; kill it if it is still there after the grace time."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_SECONDS)
            except ProcessLookupError:
                pass
        # The group may hold executors that outlived the daemon.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.pumping is not None:
            self.pumping.join(STOP_SECONDS)  # output ends when the group is gone
        if self.process.stdout is not None:
            self.process.stdout.close()


class Cluster:
    """A standalone master and ``workers`` one-core workers on 127.0.0.1."""

    def __init__(self, work: Path, workers: int = 2, worker_memory: str = "1g"):
        self.work = work
        self.daemons: list[Daemon] = []
        self.workers: list[Daemon] = []
        (work / "logs").mkdir(parents=True, exist_ok=True)
        (work / "local").mkdir(exist_ok=True)
        port = free_port()
        self.url = f"spark://127.0.0.1:{port}"
        try:
            master = self._start(
                "master",
                "org.apache.spark.deploy.master.Master",
                ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port())],
            )
            master.wait_for("I have been elected leader")
            for number in range(workers):
                worker = self._start(
                    f"worker-{number}",
                    "org.apache.spark.deploy.worker.Worker",
                    [
                        self.url,
                        "--host", "127.0.0.1",
                        "--port", str(free_port()),
                        "--webui-port", str(free_port()),
                        "--cores", "1",
                        "--memory", worker_memory,
                        "--work-dir", str(work / f"worker-{number}"),
                    ],
                )  # fmt: skip
                self.workers.append(worker)
            for worker in self.workers:
                worker.wait_for("Successfully registered with master")
        except BaseException:
            self.stop()
            raise

    def _start(self, name: str, main_class: str, arguments: list[str]) -> Daemon:
        process = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), main_class, *arguments],
            env=spark_env(self.work),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        daemon = Daemon(name, process, self.work / "logs" / f"{name}.log")
        daemon.pumping = threading.Thread(target=daemon.pump, daemon=True)
        daemon.pumping.start()
        self.daemons.append(daemon)
        return daemon

    def alive_workers(self) -> int:
        """How many worker daemons are still running."""
        return sum(worker.process.poll() is None for worker in self.workers)

    def stop(self) -> None:
        """Stop the workers, then the master."""
        for daemon in reversed(self.daemons):
            daemon.stop()
