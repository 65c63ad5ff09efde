"""The tables of bench/pipeline.py: medians, spreads, ratios and the goals.

Every ratio compares medians measured in the same invocation. Medians are
over the runs whose checksum (and, for the sandbox, end state) was right; the
`ok` column says how many that was.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["GOALS", "Goal", "render"]

Run = dict[str, object]

ENGINES: Final = ("gen-chain", "asyncio-queue", "function", "class")
LABELS: Final = {"function": "sandbox-function", "class": "sandbox-class"}


def rate(value: float) -> str:
    """3290000 -> '3.29M', 561234 -> '561k'."""
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _f(run: Run, key: str) -> float:
    value = run.get(key)
    return float(value) if isinstance(value, int | float) else float("nan")


class Results:
    """The runs of one invocation, by job."""

    def __init__(self, runs: Sequence[Run]) -> None:
        self.by_job: dict[str, list[Run]] = {}
        for run in runs:
            self.by_job.setdefault(str(run["job"]), []).append(run)

    def good(self, job: str) -> list[Run]:
        """The runs of `job` that finished with the right result."""
        return [r for r in self.by_job.get(job, []) if r.get("ok") is True]

    def bad(self, job: str) -> int:
        """How many runs of `job` crashed, mismatched or ended badly."""
        return len(self.by_job.get(job, [])) - len(self.good(job))

    def values(self, job: str, key: str) -> list[float]:
        """`key` of every good run that has it."""
        return [v for r in self.good(job) if not math.isnan(v := _f(r, key))]

    def median(self, job: str, key: str) -> float | None:
        """The median of `key` over the good runs, or None."""
        values = self.values(job, key)
        return statistics.median(values) if values else None

    def worst(self, job: str, key: str) -> float | None:
        """The largest `key` over the good runs, or None."""
        values = self.values(job, key)
        return max(values) if values else None

    def ratio(self, job: str, baseline: str) -> float | None:
        """Median records/s of `job` over that of `baseline`."""
        mine, theirs = self.median(job, "records_per_s"), self.median(baseline, "records_per_s")
        return mine / theirs if mine and theirs else None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return out


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if value is None else fmt.format(value)


def _throughput_row(res: Results, workload: str, engine: str) -> list[str] | None:
    job = f"{workload}-{engine}"
    runs = res.by_job.get(job, [])
    if not runs:
        return None
    good = res.good(job)
    rates = [_f(r, "records_per_s") for r in good]
    spread = f"{rate(min(rates))}-{rate(max(rates))}" if rates else "n/a"
    median = res.median(job, "records_per_s")
    return [
        LABELS.get(engine, engine),
        f"{_f(runs[0], 'n'):,.0f}",
        f"{len(good)}/{len(runs)}",
        _num(res.median(job, "seconds"), "{:.3f}"),
        rate(median) if median else "n/a",
        spread,
        _x(res.ratio(job, f"{workload}-asyncio-queue")),
        _x(res.ratio(job, f"{workload}-gen-chain")),
        _num(res.median(job, "peak_rss_mb")),
        _num(res.worst(job, "peak_minus_before_mb"), "{:.2f}"),
        _num(res.median(job, "setup_seconds"), "{:.3f}"),
    ]


THROUGHPUT_HEADER: Final = (
    "engine",
    "N",
    "ok",
    "median s",
    "median rec/s",
    "min-max rec/s",
    "vs asyncio-queue",
    "vs gen-chain",
    "peak RSS MB",
    "max growth MB",
    "setup s",
)


def _throughput(res: Results, workload: str) -> list[str]:
    rows = [row for e in ENGINES if (row := _throughput_row(res, workload, e)) is not None]
    return [f"## {workload}", *_table(THROUGHPUT_HEADER, rows), ""] if rows else []


def _latency(res: Results) -> list[str]:
    rows = []
    for style in ("function", "class"):
        job = f"latency-{style}"
        if job not in res.by_job:
            continue
        rows.append(
            [
                LABELS[style],
                f"{len(res.good(job))}/{len(res.by_job[job])}",
                _num(res.median(job, "rate_achieved"), "{:.0f}"),
                _num(res.median(job, "p50_ms"), "{:.3f}"),
                _num(res.median(job, "p99_ms"), "{:.3f}"),
                _num(res.worst(job, "p99_ms"), "{:.3f}"),
                _num(res.worst(job, "max_ms"), "{:.3f}"),
            ]
        )
    header = (
        "style",
        "ok",
        "rec/s",
        "p50 ms",
        "p99 ms (median)",
        "p99 ms (worst)",
        "max ms (worst)",
    )
    return ["## latency at 1,000 records/s", *_table(header, rows), ""] if rows else []


def _sensor(res: Results) -> list[str]:
    runs = res.by_job.get("sensor-rss", [])
    if not runs:
        return []
    row = [
        str(runs[0].get("method")),
        f"{len(res.good('sensor-rss'))}/{len(runs)}",
        _num(res.median("sensor-rss", "peak_rss_mb")),
        _num(res.worst("sensor-rss", "peak_rss_mb")),
        str(runs[0].get("command")),
    ]
    header = ("method", "ok", "peak RSS MB (median)", "peak RSS MB (worst)", "command")
    return ["## sensor example", *_table(header, [row]), ""]


class Goal:
    """One goal line: a measured value, a bound, and which jobs it rests on."""

    def __init__(
        self,
        label: str,
        jobs: tuple[str, ...],
        value: Callable[[Results], float | None],
        bound: float,
        unit: str,
        *,
        at_least: bool,
    ) -> None:
        self.label, self.jobs, self.value = label, jobs, value
        self.bound, self.unit, self.at_least = bound, unit, at_least

    def row(self, res: Results) -> list[str]:
        """label, value, goal, PASS/MISS."""
        value = self.value(res)
        target = f"{'>=' if self.at_least else '<'} {self.bound:g}{self.unit}"
        if value is None:
            return [self.label, "n/a", target, "n/a"]
        passed = value >= self.bound if self.at_least else value < self.bound
        verdict = "PASS" if passed else "MISS"
        bad = sum(res.bad(job) for job in self.jobs)
        if bad:
            verdict += f" ({bad} bad runs)"
        shown = f"{value:.2f}{self.unit}" if self.unit == "x" else f"{value:.3f}{self.unit}"
        return [self.label, shown, target, verdict]


def _ratio_goal(job: str, baseline: str, bound: float) -> Goal:
    name = LABELS[job.partition("-")[2]]
    label = f"{job.partition('-')[0]} {name} / {baseline.partition('-')[2]}"
    return Goal(label, (job, baseline), lambda r: r.ratio(job, baseline), bound, "x", at_least=True)


GOALS: Final = (
    _ratio_goal("W1-function", "W1-gen-chain", 0.9),
    _ratio_goal("W1-class", "W1-asyncio-queue", 2.7),
    _ratio_goal("W2-class", "W2-asyncio-queue", 3.0),
    _ratio_goal("W3-class", "W3-asyncio-queue", 2.3),
    Goal(
        "W3 sandbox-class RSS growth (worst)",
        ("W3-class",),
        lambda r: r.worst("W3-class", "peak_minus_before_mb"),
        1.0,
        " MB",
        at_least=False,
    ),
    _ratio_goal("W3-function", "W3-asyncio-queue", 2.3),
    Goal(
        "W3 sandbox-function RSS growth (worst)",
        ("W3-function",),
        lambda r: r.worst("W3-function", "peak_minus_before_mb"),
        1.0,
        " MB",
        at_least=False,
    ),
    Goal(
        "latency sandbox-function p99 (worst rep)",
        ("latency-function",),
        lambda r: r.worst("latency-function", "p99_ms"),
        2.0,
        " ms",
        at_least=False,
    ),
    Goal(
        "latency sandbox-class p99 (worst rep)",
        ("latency-class",),
        lambda r: r.worst("latency-class", "p99_ms"),
        2.0,
        " ms",
        at_least=False,
    ),
    Goal(
        "sensor example peak RSS (worst)",
        ("sensor-rss",),
        lambda r: r.worst("sensor-rss", "peak_rss_mb"),
        60.0,
        " MB",
        at_least=False,
    ),
)


def render(runs: Sequence[Run], workloads: Sequence[str] = ("W1", "W2", "W3")) -> str:
    """Every table and the goal lines."""
    res = Results(runs)
    lines: list[str] = []
    for workload in workloads:
        lines += _throughput(res, workload)
    lines += _latency(res)
    lines += _sensor(res)
    lines += [
        "## goals",
        *_table(("goal", "value", "target", "result"), [g.row(res) for g in GOALS]),
    ]
    return "\n".join(lines)
