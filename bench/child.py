"""One measurement, in the process that runs it; reported as one JSON line.

Jobs are named `<workload>-<engine>`:

* `W1-gen-chain`, `W1-asyncio-queue`: the baselines (W2, W3 likewise);
* `W1-function`, `W1-class`: the sandbox, function or class streamlets;
* `latency-function`, `latency-class`: ingress-to-egress latency at a trickle;
* `sensor-rss`: peak RSS of running the sensor-data example.

Modules are imported per job, so a baseline's process never loads the sandbox
and its peak RSS stays comparable with the peers'.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

from records import checksum, expected_checksum, peak_rss_mb, rss_now_mb

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["BASELINES", "ENGINES", "measure", "prepare_throughput", "split_job"]

BASELINES: Final = ("gen-chain", "asyncio-queue")
ENGINES: Final = (*BASELINES, "function", "class")

Outcome = tuple[int, float, dict[str, object]]


def split_job(job: str) -> tuple[str, str]:
    """`W1-class` -> ("W1", "class")."""
    workload, _, engine = job.partition("-")
    return workload, engine


def prepare_throughput(job: str, n: int, workdir: Path) -> Callable[[], Outcome]:
    """Everything before the timed region of a W1/W2/W3 job; returns the timed part."""
    workload, engine = split_job(job)
    if engine in BASELINES:
        import baselines  # per job: keeps the sandbox out of baseline processes

        runner = baselines.run_gen_chain if engine == "gen-chain" else baselines.run_asyncio_queue
        return lambda: (*runner(workload, n), {})
    import sandbox_runs  # per job, as above

    return sandbox_runs.prepare(workload, engine, n, workdir)


def _engine_label(engine: str) -> str:
    return engine if engine in BASELINES else f"sandbox-{engine}"


def _ok(count: int, total: float, expected: str, extra: dict[str, object]) -> bool:
    if checksum(count, total) != expected:
        return False
    if "state" not in extra:  # a baseline: the checksum is the whole story
        return True
    return (
        extra["state"] == "completed"
        and extra["undelivered"] == 0
        and extra["sink_records_in"] == count
    )


def _throughput(job: str, n: int, workdir: Path) -> dict[str, object]:
    workload, engine = split_job(job)
    expected = expected_checksum(workload, n)
    run = prepare_throughput(job, n, workdir)
    before = rss_now_mb()
    started = time.perf_counter()
    count, total, extra = run()
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    return {
        "job": job,
        "engine": _engine_label(engine),
        "workload": workload,
        "n": n,
        "seconds": round(seconds, 4),
        "records_per_s": round(n / seconds, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_before_run_mb": round(before, 1),
        "peak_minus_before_mb": round(peak - before, 2),
        "checksum": checksum(count, total),
        "expected": expected,
        "ok": _ok(count, total, expected, extra),
        **extra,
    }


def measure(job: str, *, n: int, rate: float, duration: float, method: str) -> dict[str, object]:
    """Run one job in this process and return its report."""
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        workdir = Path(tmp)
        workload, engine = split_job(job)
        if workload == "latency":
            import latency  # per job

            report = {"job": job, "n": n, "rate": rate}
            report.update(latency.measure(engine, n, rate, workdir))
        elif workload == "sensor":
            import sensor_rss  # per job

            report = {"job": job, **sensor_rss.measure(duration, workdir, method)}
        else:
            report = _throughput(job, n, workdir)
    report["python"] = sys.version.split()[0]
    sandbox = sys.modules.get("sandbox")
    if sandbox is not None and sandbox.__file__ is not None:
        report["sandbox_from"] = str(Path(sandbox.__file__).parents[1])
    return report
