"""Every example of the README and of docs/ answers on the demo store as shown.

The demo (``wikiviews demo``, as ``./scripts/demo.sh`` runs it) is loaded once into a
temporary ``data`` directory; each ``$ curl …`` line of a ``console`` block is sent to the
app through Flask's test client, each ``$ wikiviews …`` line is run from the directory
holding ``data``, and the answer must be the lines that follow it, exactly. An ellipsis
(``…``) in the shown output stands for any text (a top list cut short, a time).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask

from backend import create_app
from backend.cli import main
from backend.demo import run_demo
from backend.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BASE = "http://127.0.0.1:8000"
CURL_UA = "curl/7.88.1"

_CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Example:
    """One ``$ curl`` line of a document and the output shown under it."""

    document: str
    line: int
    command: str
    output: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}"


def examples(path: Path) -> Iterator[Example]:
    """The ``$ curl`` examples of ``console`` blocks in ``path``."""
    text = path.read_text()
    for block in _CONSOLE_BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        command: str | None = None
        output: list[str] = []
        start = 0
        for number, line in enumerate(block.group(1).splitlines(), first_line):
            if line.startswith("$ "):
                if command is not None:
                    yield Example(path.name, start, command, "\n".join(output).strip("\n"))
                command, output, start = line[2:], [], number
            else:
                output.append(line)
        if command is not None:
            yield Example(path.name, start, command, "\n".join(output).strip("\n"))


EXAMPLES = [example for document in DOCUMENTS for example in examples(document)]
CURL_EXAMPLES = [example for example in EXAMPLES if example.command.startswith("curl ")]
COMMAND_EXAMPLES = [example for example in EXAMPLES if example.command.startswith("wikiviews ")]


def request_of(command: str) -> tuple[str, dict[str, str]]:
    """The path and headers a ``curl -s [-A UA] [-H H] URL`` command sends."""
    words = shlex.split(command)[1:]
    headers = {"User-Agent": CURL_UA}
    url = None
    while words:
        word = words.pop(0)
        if word == "-s":
            continue
        if word == "-A":
            headers["User-Agent"] = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word.startswith(BASE) and url is None:
            url = word
        else:
            raise AssertionError(f"unsupported curl argument in the docs: {word!r}")
    assert url is not None, command
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else ""), headers


def matches(shown: str, body: str) -> bool:
    """Whether ``body`` is ``shown``, each ``…`` in it standing for any text."""
    pattern = ".*?".join(re.escape(part) for part in shown.split("…"))
    return re.fullmatch(pattern, body, re.S) is not None


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a store loaded by the demo, as ``./scripts/demo.sh`` loads it."""
    directory = tmp_path_factory.mktemp("demo") / "data"
    settings = Settings(data_dir=str(directory))
    assert run_demo(settings)
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


def test_the_docs_have_examples_and_each_is_checked() -> None:
    """The parser finds the examples (a broken one would make the tests below vacuous)."""
    assert len(CURL_EXAMPLES) >= 20 and COMMAND_EXAMPLES
    assert {example.document for example in CURL_EXAMPLES} >= {"README.md", "api.md"}
    assert all(example.output for example in EXAMPLES), "an example without its output"
    assert set(EXAMPLES) == {*CURL_EXAMPLES, *COMMAND_EXAMPLES}, "an example no test runs"


def test_matching_is_exact_but_for_ellipses() -> None:
    assert matches('{"a":1,…}', '{"a":1,"b":2}')
    assert not matches('{"a":1}', '{"a":1} ')
    assert not matches('{"a":1,…}', '{"a":2,"b":2}')
    assert matches("x\n…\nz", "x\ny\nz")


@pytest.mark.slow
@pytest.mark.parametrize("example", CURL_EXAMPLES, ids=str)
def test_curl_example_answers_as_shown(demo_app: Flask, example: Example) -> None:
    path, headers = request_of(example.command)
    response = demo_app.test_client().get(path, headers=headers)
    body = response.get_data(as_text=True).replace("\r\n", "\n").rstrip("\n")
    assert matches(example.output, body), (
        f"{example}: {example.command}\nshown:\n{example.output}\nanswered:\n{body}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("example", COMMAND_EXAMPLES, ids=str)
def test_command_example_prints_as_shown(
    demo_app: Flask, example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings: Settings = demo_app.config["WIKIVIEWS_SETTINGS"]
    data_dir = Path(settings.data_dir)
    monkeypatch.chdir(data_dir)  # the examples run in the data directory
    result = CliRunner().invoke(
        main, shlex.split(example.command)[1:], env={"WIKIVIEWS_DATA_DIR": str(data_dir)}
    )
    assert result.exit_code == 0, result.output
    printed = result.output.rstrip("\n")
    assert matches(example.output, printed), (
        f"{example}: {example.command}\nshown:\n{example.output}\nprinted:\n{printed}"
    )
