"""A real MediaWiki for end-to-end tests: Debian's 1.39 package on PHP's built-in server.

The wiki runs from ``/usr/share/mediawiki`` in place, with its instance (LocalSettings.php,
SQLite files, logs) in a directory of its own, named to MediaWiki by ``MW_CONFIG_FILE``.
Installing takes about 3 s, so a test session installs once, snapshots the database, and
restores the snapshot before each test (about 10 ms; safe while the server runs, since
MediaWiki opens the SQLite files per request).

The fixtures of ``tests/e2e/conftest.py`` use it like this::

    wiki = install(directory)            # install.php + users + bot password, snapshot "base"
    with serving(wiki) as url:           # php -S on a free port, own process group
        wiki.reset()                     # back to the snapshot
        wiki.api_php                     # http://127.0.0.1:PORT/api.php
        wiki.admin, wiki.bot             # Credentials (bot: a BotPassword "LabBot@lab")
        wiki.maintenance("edit.php", "-u", "Admin", "Title", input="text")

Accounts: ``Admin`` (sysop, bureaucrat, interface-admin) with a main password; ``LabBot``
(bot, interface-admin) with a BotPassword that may edit pages and the site's JS/CSS/JSON;
``Alice`` and ``Bob`` (plain users, for imported revisions).
docs/gadget.md (Testing) lists the pitfalls this module avoids.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

MEDIAWIKI = Path("/usr/share/mediawiki")
PHP = "php"
#: apt packages the harness needs (installed by .ci/run).
APT_PACKAGES = ("mediawiki", "php-cli", "php-sqlite3", "php-intl", "php-mbstring", "php-xml")
#: Polls of api.php while the server starts, and the pause between two of them.
MAX_POLLS = 200
POLL_PAUSE_SECONDS = 0.05
#: PHP's built-in server workers: the browser loads scripts, styles and the API in parallel.
WORKERS = "4"

SETTINGS = """
# ---- wikiviews end-to-end tests ----
# The server is whatever host and port the request came to, so one install serves any port.
$wgServer = isset( $_SERVER['HTTP_HOST'] ) ? 'http://' . $_SERVER['HTTP_HOST']
    : ( getenv( 'MW_SERVER' ) ?: 'http://127.0.0.1' );
$wgUploadDirectory = "{site}/images";  # Debian's default is www-data 0700
$wgCacheDirectory = "{site}/cache";
$wgEnableEmail = false;
$wgShowExceptionDetails = true;
$wgDebugLogGroups['exception'] = "{site}/logs/exception.log";
$wgDebugLogGroups['error'] = "{site}/logs/error.log";
$wgFavicon = "$wgResourceBasePath/resources/assets/change-your-logo-icon.svg";  # no 404
$wgGroupPermissions['bot']['noratelimit'] = true;
$wgGroupPermissions['user']['noratelimit'] = true;
$wgPasswordAttemptThrottle = false;
$wgAllowUserJs = true;
$wgAllowUserCss = true;
wfLoadSkin( 'MonoBook' );
wfLoadSkin( 'Timeless' );
wfLoadSkin( 'MinervaNeue' );
"""


class MediaWikiUnavailable(RuntimeError):
    """MediaWiki or PHP is not installed here (see APT_PACKAGES)."""


@dataclass(frozen=True)
class Credentials:
    """A login: ``user`` is ``Name`` for a main password, ``Name@app`` for a BotPassword."""

    user: str
    password: str


@dataclass
class MediaWiki:
    """An installed wiki instance; ``url`` is set while :func:`serving` runs it."""

    site: Path
    admin: Credentials = Credentials("Admin", "Admin-Pass-2024!")
    #: BotPassword secrets must be 32+ characters of [0-9a-w], or MediaWiki treats them as a
    #: main password and the login fails.
    bot: Credentials = Credentials("LabBot@lab", "0123456789abcdefghijklmnopqrstuv")
    url: str = ""
    users: tuple[str, ...] = ("Alice", "Bob")
    snapshots: dict[str, Path] = field(default_factory=dict)

    @property
    def api_php(self) -> str:
        """The action API's URL (``http://127.0.0.1:PORT/api.php``)."""
        return self.url + "/api.php"

    @property
    def index_php(self) -> str:
        """``index.php``'s URL, for ``?title=…&action=history``."""
        return self.url + "/index.php"

    @property
    def data(self) -> Path:
        """The directory of the SQLite files."""
        return self.site / "data"

    def env(self) -> dict[str, str]:
        """Environment for PHP: where the configuration is, and the server's URL."""
        return {
            **os.environ,
            "MW_CONFIG_FILE": str(self.site / "LocalSettings.php"),
            "MW_SERVER": self.url or "http://127.0.0.1",
        }

    def maintenance(
        self, script: str, *args: str, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``maintenance/<script>`` on this wiki; raises CalledProcessError with its output."""
        return subprocess.run(
            [PHP, str(MEDIAWIKI / "maintenance" / script), *args],
            input=input,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )

    def edit(self, title: str, text: str, *, user: str = "Admin", summary: str = "test") -> None:
        """Save ``text`` to ``title`` as ``user`` (through edit.php: no server needed)."""
        self.maintenance("edit.php", "-q", "-u", user, "-s", summary, title, input=text)

    def import_xml(self, xml: str) -> None:
        """Import an XML dump (revisions keep their timestamps and users) and refresh the
        recent changes and statistics, as importDump.php advises."""
        path = self.site / "import.xml"
        path.write_text(xml, encoding="utf-8")
        self.maintenance("importDump.php", "--quiet", str(path))
        self.maintenance("rebuildrecentchanges.php", "--quiet")
        self.maintenance("initSiteStats.php", "--update")

    def snapshot(self, name: str = "base") -> None:
        """Save the database as ``name``."""
        target = self.site / f"data.{name}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.data, target)
        self.snapshots[name] = target

    def reset(self, name: str = "base") -> None:
        """Restore the database saved as ``name`` (the server may keep running)."""
        staging, old = self.site / "data.tmp", self.site / "data.old"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(self.snapshots[name], staging)
        # Renames, then delete: PHP may still be removing its -shm/-wal files in the old copy.
        shutil.rmtree(old, ignore_errors=True)
        self.data.rename(old)
        staging.rename(self.data)
        shutil.rmtree(old, ignore_errors=True)


def check_available() -> None:
    """Raise MediaWikiUnavailable unless MediaWiki, PHP and its SQLite driver are installed."""
    if not (MEDIAWIKI / "maintenance" / "install.php").exists() or not shutil.which(PHP):
        raise MediaWikiUnavailable(
            "MediaWiki 1.39 or PHP missing: apt-get install --no-install-recommends "
            + " ".join(APT_PACKAGES)
        )
    modules = subprocess.run([PHP, "-m"], capture_output=True, text=True).stdout.lower()
    missing = [m for m in ("pdo_sqlite", "intl", "mbstring", "xml") if m not in modules]
    if missing:
        raise MediaWikiUnavailable(f"PHP modules missing: {', '.join(missing)}")


def install(site: Path) -> MediaWiki:
    """Install a fresh wiki (SQLite) in ``site`` with its accounts; snapshot it as "base"."""
    check_available()
    shutil.rmtree(site, ignore_errors=True)
    for sub in ("data", "images", "cache", "logs"):
        (site / sub).mkdir(parents=True)
    wiki = MediaWiki(site)
    env = {k: v for k, v in os.environ.items() if k != "MW_CONFIG_FILE"}
    result = subprocess.run(
        [PHP, str(MEDIAWIKI / "maintenance" / "install.php"), "--quiet",
         "--dbtype", "sqlite", "--dbpath", str(wiki.data), "--dbname", "labwiki",
         "--server", "http://127.0.0.1", "--scriptpath", "", "--lang", "en",
         "--pass", wiki.admin.password, "--confpath", str(site),
         "--extensions", "Gadgets", "--skins", "Vector",
         "LabWiki", wiki.admin.user],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"install.php failed:\n{result.stdout}\n{result.stderr}")
    with (site / "LocalSettings.php").open("a", encoding="utf-8") as settings:
        settings.write(SETTINGS.replace("{site}", str(site)))
    wiki.maintenance("createAndPromote.php", "--force", "--custom-groups", "interface-admin",
                     wiki.admin.user, wiki.admin.password)  # fmt: skip
    bot_name, app = wiki.bot.user.split("@")
    wiki.maintenance("createAndPromote.php", "--bot", "--custom-groups", "interface-admin",
                     bot_name, "LabBot-Pass-2024!")  # fmt: skip
    wiki.maintenance(
        "createBotPassword.php", "--appid", app,
        "--grants", "basic,highvolume,editpage,createeditmovepage,editprotected,delete,"
        "protect,editsiteconfig,editinterface",
        bot_name, wiki.bot.password,
    )  # fmt: skip
    for user in wiki.users:
        wiki.maintenance("createAndPromote.php", user, f"{user}-Pass-2024!")
    wiki.snapshot("base")
    return wiki


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(wiki: MediaWiki, attempts: int = 3) -> Iterator[str]:
    """Run ``php -S`` for ``wiki`` on a free port until the block ends; yields its URL.

    The server runs in a process group of its own: PHP's workers outlive a killed parent and
    keep the port, so the whole group is ended.
    """
    log = wiki.site / "logs" / "php-server.log"
    for _ in range(attempts):
        port = free_port()
        wiki.url = f"http://127.0.0.1:{port}"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [PHP, "-S", f"127.0.0.1:{port}", "-t", str(MEDIAWIKI)],
                env={**wiki.env(), "PHP_CLI_SERVER_WORKERS": WORKERS},
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            if _wait_ready(wiki, process):
                yield wiki.url
                return
        finally:
            stop_group(process)
            wiki.url = ""
    raise RuntimeError("php -S did not come up:\n" + log.read_text(errors="replace")[-3000:])


def _wait_ready(wiki: MediaWiki, process: subprocess.Popen) -> bool:
    """Whether api.php answered before the server exited or the polls ran out."""
    probe = wiki.api_php + "?action=query&meta=siteinfo&format=json"
    for _ in range(MAX_POLLS):
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=POLL_PAUSE_SECONDS)  # paces the polls; returns if it exits
    return False


def stop_group(process: subprocess.Popen) -> None:
    """End ``process``'s group: TERM, then KILL what is left after 10 s."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind by the parent
    process.wait()
