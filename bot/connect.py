"""The pywikibot site: from ``user-config.py`` or from an ``api.php`` URL and a BotPassword.

With ``--site``, pywikibot gets a private directory under the data directory holding a
generated ``user-config.py`` (an AutoFamily from the URL, the user name, the throttles) but no
password: the bot password's secret is read from ``WIKIVIEWS_BOT_PASSWORD`` or the file named
by ``WIKIVIEWS_BOT_PASSWORD_FILE`` and handed to pywikibot's login manager in memory. It is
never on the command line, in a file the bot writes, or in a log.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSWORD_ENV = "WIKIVIEWS_BOT_PASSWORD"
PASSWORD_FILE_ENV = "WIKIVIEWS_BOT_PASSWORD_FILE"
FAMILY = "wiki"


class ConnectError(Exception):
    """The wiki cannot be reached or the login failed."""


@dataclass(frozen=True)
class Connection:
    """How to reach the wiki."""

    site_url: str | None  # api.php URL, or None for user-config.py
    user: str | None  # NAME@APPID
    data_dir: Path
    put_throttle: float | None = None
    maxlag: int | None = None


def read_secret(environ: dict[str, str] | None = None) -> str | None:
    """The bot password's secret from the environment (``None`` when not given)."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV].strip()
    path = env.get(PASSWORD_FILE_ENV)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConnectError(f"cannot read {PASSWORD_FILE_ENV}: {exc.strerror}") from exc
    return None


def _user_config(conn: Connection, user: str) -> str:
    lines = [
        "# Written by wikiviews-bot for --site; holds no password.",
        f"family_files[{FAMILY!r}] = {conn.site_url!r}",
        f"family = {FAMILY!r}",
        f"mylang = {FAMILY!r}",
        f"usernames[{FAMILY!r}][{FAMILY!r}] = {user!r}",
        "password_file = None",
    ]
    return "\n".join(lines) + "\n"


def prepare(conn: Connection) -> None:
    """Point pywikibot at its directory; must run before ``pywikibot`` is first imported."""
    if conn.site_url is None:
        if not os.environ.get("PYWIKIBOT_DIR") and not Path("user-config.py").exists():
            raise ConnectError("no wiki: give --site URL_OF_API_PHP or set PYWIKIBOT_DIR")
        return
    if not conn.user or "@" not in conn.user:
        raise ConnectError("--site needs --user NAME@APPID (as Special:BotPasswords shows it)")
    digest = hashlib.sha256(f"{conn.site_url}\x1f{conn.user}".encode()).hexdigest()[:16]
    directory = conn.data_dir / "bot" / "pywikibot" / digest
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "user-config.py").write_text(
        _user_config(conn, conn.user.partition("@")[0]), encoding="utf-8"
    )
    os.environ["PYWIKIBOT_DIR"] = str(directory)
    os.environ.pop("PYWIKIBOT_NO_USER_CONFIG", None)


def open_site(conn: Connection, *, login: bool = True) -> Any:
    """The logged-in pywikibot site (reads need no login; ``login=False`` skips it)."""
    prepare(conn)
    import pywikibot
    from pywikibot import config
    from pywikibot.exceptions import Error as PywikibotError

    if conn.put_throttle is not None:
        config.put_throttle = conn.put_throttle
    if conn.maxlag is not None:
        config.write_maxlag = conn.maxlag
    try:
        site = pywikibot.Site(FAMILY, FAMILY) if conn.site_url else pywikibot.Site()
        if conn.put_throttle is not None:
            site.throttle.set_delays(writedelay=conn.put_throttle)
        if not login:
            return site
        secret = read_secret()
        if secret and conn.user:
            _install_login(site, conn.user, secret)
        elif conn.site_url:
            raise ConnectError(f"no bot password: set {PASSWORD_ENV} or {PASSWORD_FILE_ENV}")
        site.login()
    except PywikibotError as exc:
        raise ConnectError(str(exc)) from exc
    if not site.logged_in():
        raise ConnectError("not logged in")
    return site


def _install_login(site: Any, login_name: str, secret: str) -> None:
    """Make ``site.login`` use the BotPassword held in memory (also for pywikibot's re-logins).

    A saved session cookie is tried first: MediaWiki refuses a new login inside a live
    BotPassword session.
    """
    from pywikibot.login import ClientLoginManager

    original = site.login

    def login(autocreate: bool = False, user: str | None = None, *, cookie_only: bool = False):
        original(cookie_only=True)
        if site.logged_in() or cookie_only:
            return
        # Tokens of a session that ended (the login token above all) would fail the login.
        site.tokens.clear()
        manager = ClientLoginManager(password=secret, site=site, user=login_name.partition("@")[0])
        manager.login_name = login_name
        if not manager.login(retry=False):
            raise ConnectError(f"login as {login_name} failed")
        original(cookie_only=True)

    site.login = login
