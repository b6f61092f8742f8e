"""Pack a page's daily counts of one month, all series, into a few bytes.

Layout: for each series in ascending order, ``series`` (1 byte), the number of days ``n``
(varint), then ``n`` pairs of (day-of-month delta, views) as unsigned varints. A page read on
one day of the month costs 4 bytes; a page read every day about 1.5–3 bytes a day.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping

Series = dict[int, dict[int, int]]  # series → {day of month (0-based) → views}


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def pack(series: Mapping[int, Mapping[int, int]]) -> bytes:
    """Encode ``{series: {day_of_month: views}}``; zero counts are dropped."""
    out = bytearray()
    for code in sorted(series):
        days = sorted((d, v) for d, v in series[code].items() if v)
        if not days:
            continue
        out.append(code)
        _put_varint(out, len(days))
        previous = 0
        for day, views in days:
            _put_varint(out, day - previous)
            _put_varint(out, views)
            previous = day
    return bytes(out)


def unpack(data: bytes) -> Series:
    """Decode what :func:`pack` wrote."""
    result: Series = {}
    pos, end = 0, len(data)
    while pos < end:
        code = data[pos]
        pos += 1
        count, pos = _get_varint(data, pos)
        days: dict[int, int] = {}
        day = 0
        for _ in range(count):
            delta, pos = _get_varint(data, pos)
            views, pos = _get_varint(data, pos)
            day += delta
            days[day] = views
        result[code] = days
    return result


def _get_varint(data: bytes, pos: int) -> tuple[int, int]:
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def add_days(
    data: bytes,
    first_day: int,
    counted: Mapping[int, Container[int]],
    into: dict[int, int],
    *,
    marked: Mapping[int, Container[int]] | None = None,
) -> None:
    """Add the views of the wanted series of a packed month into ``into`` (by day number).

    The one decoder of the read side. ``first_day`` is the day number of the month's first
    day; ``counted`` maps a series code to the day numbers on which its views count (a
    series not in it is skipped without decoding its counts). A day of a series in
    ``marked`` (code → day numbers) that is not already in ``into`` gets a 0: the day had
    views, just none that count (Wikimedia answers 0 for such a day, not nothing).
    """
    pos, end = 0, len(data)
    while pos < end:
        code = data[pos]
        count, pos = _get_varint(data, pos + 1)
        days = counted.get(code)
        mark = marked.get(code) if marked is not None else None
        if days is None and mark is None:
            pos = _skip_varints(data, pos, 2 * count)
            continue
        day = first_day
        for _ in range(count):
            delta, pos = _get_varint(data, pos)
            views, pos = _get_varint(data, pos)
            day += delta
            if days is not None and day in days:
                into[day] = into.get(day, 0) + views
            elif mark is not None and day in mark and day not in into:
                into[day] = 0


def _skip_varints(data: bytes, pos: int, count: int) -> int:
    """The position after ``count`` varints starting at ``pos``."""
    while count:
        if data[pos] < 0x80:
            count -= 1
        pos += 1
    return pos


def merge(target: Series, rows: Iterable[tuple[int, int, int]]) -> Series:
    """Add ``(series, day_of_month, views)`` rows into ``target`` and return it."""
    for code, day, views in rows:
        days = target.setdefault(code, {})
        days[day] = days.get(day, 0) + views
    return target
