"""List the files of Hadoop-compatible URIs in the Spark driver, through the JVM (py4j).

Any scheme the cluster's Hadoop configuration can read works the same way (``file:``,
``hdfs:``, ``s3a:`` with the hadoop-aws jars …): a URI is a Hadoop glob; a directory it
matches is searched recursively and its files are selected by name as ``wikiviews ingest``
selects the files of a local directory; a file it matches is taken whatever its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.backfill.sources import BadArgument, SourceFile, in_load_order
from backend.dumpfiles import is_dump_name

#: Characters special in Hadoop path globs (a comma separates the paths of an input).
_GLOB_SPECIAL = "\\{}[]*?"


def list_uris(context: Any, arguments: Iterable[str]) -> list[SourceFile]:
    """The files named by ``arguments`` (URIs), in load order.

    Raises :class:`BadArgument` naming every URI that matches nothing, or the first one the
    file system refuses (unknown scheme, no access, unreachable name node).
    """
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]

    jvm = context._jvm
    configuration = context._jsc.hadoopConfiguration()
    found: list[SourceFile] = []
    missing: list[str] = []
    for argument in arguments:
        try:
            pattern = jvm.org.apache.hadoop.fs.Path(argument)
            system = pattern.getFileSystem(configuration)
            matches = system.globStatus(pattern) or []
            for status in matches:
                if status.isDirectory():
                    found.extend(_files_under(system, status.getPath()))
                else:
                    found.append(SourceFile(str(status.getPath()), status.getLen(), remote=True))
        except Py4JJavaError as exc:
            raise BadArgument(f"{argument}: {_java_message(exc)}") from exc
        if not matches:
            missing.append(argument)
    if missing:
        raise BadArgument(f"no such file or directory: {', '.join(missing)}")
    return in_load_order(found)


def _files_under(system: Any, directory: Any) -> list[SourceFile]:
    files = system.listFiles(directory, True)
    found = []
    while files.hasNext():
        status = files.next()
        path = status.getPath()
        if is_dump_name(path.getName()):
            found.append(SourceFile(str(path), status.getLen(), remote=True))
    return found


def _java_message(exc: Any) -> str:
    """The Java exception's one-line message (class and text), without its stack."""
    try:
        return str(exc.java_exception.toString())
    except Exception:  # the gateway itself may be gone
        return str(exc).strip().splitlines()[0]


def literal_pattern(uri: str) -> str:
    """``uri`` as a Hadoop input path that matches exactly that file.

    Spark's ``binaryFiles`` treats its argument as a comma-separated list of globs: glob
    characters are escaped, and a comma becomes a one-alternative group ``{\\,}``.
    """
    out = []
    for char in uri:
        if char in _GLOB_SPECIAL:
            out.append("\\" + char)
        elif char == ",":
            out.append("{\\,}")
        else:
            out.append(char)
    return "".join(out)
