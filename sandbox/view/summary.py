"""Plain-text progress for `sandbox run` off a terminal, and the final report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from sandbox.runtime.api import RunResult
    from sandbox.runtime.stats import Statistics

__all__ = ["final_report", "format_rate", "summary_line"]


def format_rate(rate: float) -> str:
    """Records per second, compact: 950/s, 12.3k/s, 1.2M/s."""
    if rate >= 1_000_000:
        return f"{rate / 1_000_000:.1f}M/s"
    if rate >= 1_000:
        return f"{rate / 1_000:.1f}k/s"
    return f"{rate:.0f}/s"


def summary_line(stats: Statistics) -> str:
    """One line: elapsed, totals and each streamlet's rate and notable state."""
    parts = []
    for s in stats.streamlets.values():
        rate = s.rate_out if s.records_out else s.rate_in
        flag = "" if s.state in ("running", "completed") else f" {s.state}"
        flag += " !! stalled" if s.stalled else ""
        errors = f" err={s.errors}" if s.errors else ""
        parts.append(f"{s.name} {format_rate(rate)}{flag}{errors}")
    return (
        f"[{stats.elapsed:6.1f}s] {stats.application}: in={stats.records_in} "
        f"out={stats.records_out} buffered={stats.buffered} | " + ", ".join(parts)
    )


def final_report(result: RunResult) -> RenderableType:
    """A table of every streamlet's counters and a closing line."""
    table = Table(title=f"{result.application}: {result.state}", title_justify="left")
    for column in ("streamlet", "state", "replicas", "in", "out", "errors", "restarts"):
        table.add_column(column, justify="left" if column in ("streamlet", "state") else "right")
    for s in result.statistics.streamlets.values():
        table.add_row(
            s.name,
            s.state,
            str(s.replicas),
            " ".join(f"{p}={n}" for p, n in s.records_in.items()) or "-",
            " ".join(f"{p}={n}" for p, n in s.records_out.items()) or "-",
            str(s.errors),
            str(s.restarts),
        )
    closing = Text(
        f"{result.statistics.elapsed:.1f}s, run directory {result.run_dir}"
        + (f", {result.undelivered} records undelivered" if result.undelivered else "")
    )
    return Group(table, closing)
