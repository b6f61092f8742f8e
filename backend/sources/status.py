"""What is loaded, for people and programs: ``wikiviews status`` and ``/api/wikiviews/v1/projects``.

Both show :meth:`StoreSource.status <backend.sources.StoreSource.status>`: :func:`status_json`
is the route's body, :func:`status_lines` the command's table.
"""

from __future__ import annotations

from datetime import date

from backend.sources.types import StoreStatus


def _stamp(day: date | None) -> str | None:
    return None if day is None else f"{day:%Y%m%d}"


def status_json(status: StoreStatus) -> dict[str, object]:
    """The JSON body of ``/api/wikiviews/v1/projects``."""
    return {
        "backend": status.backend,
        "size_bytes": status.size_bytes,
        "items": [
            {
                "project": row.project,
                "first_day": _stamp(row.first_day),
                "last_day": _stamp(row.last_day),
                "days": row.days,
                "sources": row.sources,
                "held_hours": row.held_hours,
            }
            for row in status.projects
        ],
    }


def _size(size: int | None) -> str:
    if size is None:
        return "unknown"
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


def status_lines(status: StoreStatus) -> list[str]:
    """``wikiviews status``: one line per project, then the store's size."""
    if not status.projects:
        return ["no projects loaded yet (load dumps with `wikiviews ingest` or `fetch`)"]
    width = max(len(row.project) for row in status.projects)
    lines = []
    for row in status.projects:
        days = (
            f"{row.first_day} to {row.last_day}, {row.days:,} days published"
            if row.days
            else "nothing published"
        )
        sources = ", ".join(f"{name} {count:,}" for name, count in row.sources.items())
        held = f"; {row.held_hours:,} hours held" if row.held_hours else ""
        lines.append(
            f"{row.project:<{width}}  {days}" + (f" ({sources})" if sources else "") + held
        )
    if status.pending_days:
        waiting = (
            "1 incomplete project-day waits for its"
            if status.pending_days == 1
            else f"{status.pending_days:,} incomplete project-days wait for their"
        )
        lines.append(f"pending: {waiting} missing hours (counted when the last one loads)")
    lines.append(f"store: {status.backend}, {_size(status.size_bytes)}")
    return lines
