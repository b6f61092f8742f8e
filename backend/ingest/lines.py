"""Turn blocks of raw bytes into checked text lines, counting the ones that cannot be text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from backend.ingest.parsed import MAX_LINE_BYTES


def text_lines(blocks: Iterable[bytes], rejects: Counter[str]) -> Iterator[list[str]]:
    """Yield each block as a list of decoded, non-empty lines.

    A block decodes at once when it is valid UTF-8 with no NUL byte and no overlong line (the
    usual case); otherwise it is split and checked line by line, and the bad lines are
    counted in ``rejects`` under ``utf8``, ``nul`` or ``too_long``.
    """
    for block in blocks:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            yield _checked_lines(block, rejects)
            continue
        lines = text.split("\n")
        # Characters are at most 4 bytes: only blocks with a long line need a byte count.
        if "\x00" in text or len(max(lines, key=len)) > MAX_LINE_BYTES // 4:
            yield _checked_lines(block, rejects)
            continue
        if lines and not lines[-1]:
            lines.pop()
        yield lines


def _checked_lines(block: bytes, rejects: Counter[str]) -> list[str]:
    lines: list[str] = []
    raws = block.split(b"\n")
    if raws and not raws[-1]:
        raws.pop()
    for raw in raws:
        if len(raw) > MAX_LINE_BYTES:
            rejects["too_long"] += 1
            continue
        if b"\x00" in raw:
            rejects["nul"] += 1
            continue
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            rejects["utf8"] += 1
    return lines
