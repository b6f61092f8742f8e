"""The one-screen summary printed at the end of an ingest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from backend.ingest.parsed import REJECT_REASONS
from backend.ingest.run import FileOutcome


def format_summary(outcomes: Sequence[FileOutcome], seconds: float, packed_days: int) -> str:
    """Files loaded/skipped/failed, lines, rejects by reason, views and speed.

    Then one line of warnings; skipped files are only counted (errors: :func:`format_errors`).
    """
    status = Counter(o.status for o in outcomes)
    lines = sum(o.lines_read for o in outcomes)
    rejects: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for outcome in outcomes:
        rejects.update(outcome.rejects)
        skipped.update(outcome.skipped_lines)
    views = sum(o.views for o in outcomes)
    rate = lines / seconds if seconds > 0 else 0.0
    out = [
        f"files: {status['loaded']} loaded, {status['skipped']} skipped, {status['failed']} failed",
        f"lines: {lines:,} read, {sum(rejects.values()):,} rejected, "
        f"{sum(skipped.values()):,} subtotal lines skipped",
        f"views loaded: {views:,}",
        f"time: {seconds:.1f} s ({rate:,.0f} lines/s); {packed_days} days packed",
    ]
    for reason, count in sorted(rejects.items(), key=lambda item: -item[1]):
        out.append(f"  rejected {count:,} × {REJECT_REASONS.get(reason, reason)} ({reason})")
    # Skipped files are only counted: a re-run of a directory would list every file.
    out.extend(format_warnings(outcomes))
    return "\n".join(out)


def format_warnings(outcomes: Sequence[FileOutcome], named: int = 3) -> list[str]:
    """At most one warning line: a small file's own, or for many the first ``named`` names."""
    warned = [o for o in outcomes if o.warning]
    if len(warned) <= 1:
        return [f"warning: {o.warning}" for o in warned]
    names = ", ".join(o.path.name for o in warned[:named])
    more = f" and {len(warned) - named} more" if len(warned) > named else ""
    return [
        f"warning: {len(warned)} files hold implausibly few lines for real dumps "
        f"(real ones hold millions): {names}{more}; loaded anyway"
    ]


def format_errors(outcomes: Sequence[FileOutcome]) -> list[str]:
    """One ``error: …`` line per failed file (printed once, on stderr, after the summary)."""
    return [f"error: {o.message}" for o in outcomes if o.status == "failed"]
