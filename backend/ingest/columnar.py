"""Split blocks of dump lines into Arrow columns, in C++, for the parsers' vectorised path.

Dump lines are space-separated fields with no quoting, so Arrow's CSV reader with a space
delimiter and quoting off reads them exactly. A block is taken this way only when that
reading cannot differ from the line-by-line parser's: valid UTF-8, no NUL byte, no carriage
return and no line longer than the longest accepted. Otherwise :func:`read_fields` answers
``None`` and the parser takes the block line by line. Lines with another number of fields
are handed back as text for the line-by-line rules to judge.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv

from backend.ingest.parsed import MAX_LINE_BYTES

#: Arrow reads a block in pieces of this size on its own threads.
_PIECE_BYTES = 4 << 20


def read_fields(block: bytes, names: Sequence[str]) -> tuple[pa.Table, list[str]] | None:
    """The lines of ``block`` with ``len(names)`` fields as string columns, and the others.

    ``None`` when the block must be read line by line (see the module docstring). Empty
    lines come back among the others (the line-by-line rules reject them).
    """
    if b"\x00" in block or b"\r" in block or b"\n\n" in block or block.startswith(b"\n"):
        return None  # Arrow would read an empty line as a row of empty fields
    others: list[str] = []

    def other(row: csv.InvalidRow) -> str:
        others.append(row.text)
        return "skip"

    try:
        table = csv.read_csv(
            pa.py_buffer(block),
            read_options=csv.ReadOptions(column_names=list(names), block_size=_PIECE_BYTES),
            parse_options=csv.ParseOptions(
                delimiter=" ",
                quote_char=False,
                escape_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=other,
            ),
            convert_options=csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid:  # invalid UTF-8 somewhere in the block
        return None
    if any(len(line.encode()) > MAX_LINE_BYTES for line in others):
        return None
    width = pc.add(len(names) - 1, _byte_lengths(table, names))
    if table.num_rows and pc.max(width).as_py() > MAX_LINE_BYTES:
        return None
    return table, others


def _byte_lengths(table: pa.Table, names: Sequence[str]) -> pa.ChunkedArray:
    total = pc.binary_length(table[names[0]])
    for name in names[1:]:
        total = pc.add(total, pc.binary_length(table[name]))
    return total


def joined_lines(table: pa.Table, names: Sequence[str]) -> list[str]:
    """The rows of ``table`` as the text lines they were read from."""
    if not table.num_rows:
        return []
    columns = [table[name] for name in names]
    lines: list[str] = pc.binary_join_element_wise(*columns, " ").to_pylist()
    return lines


def all_of(*masks: pa.ChunkedArray) -> pa.ChunkedArray:
    """Element-wise AND of boolean columns."""
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_(result, mask)
    return result


def full_match(column: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    """Whether each value matches ``pattern`` as a whole (RE2 syntax)."""
    return pc.match_substring_regex(column, f"^(?:{pattern})$")


def codes_of(column: pa.ChunkedArray, values: dict[str, int], missing: int = -1) -> pa.Array:
    """Map each string of ``column`` through ``values`` (``missing`` where absent)."""
    keys = list(values)
    positions = pc.index_in(column, value_set=pa.array(keys, pa.string()))
    lookup = pa.array([values[key] for key in keys] + [missing], pa.int64())
    return pc.take(lookup, pc.fill_null(positions, len(keys)))
