"""One sandbox run of a workload: blueprint file -> `run_async` -> count, sum, checks.

The timed region is what `sandbox run` would do after its imports: verify the
blueprint (parse, resolve classes, wire) and run it to completion. The time
until the runtime starts is reported apart as `setup_seconds`.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

import anyio
from workloads import TALLY, blueprint_toml

from sandbox.runtime.api import RunResult, run_async

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sandbox.runtime.scheduler import Runtime

__all__ = ["Outcome", "prepare", "warm_up"]

Outcome = tuple[int, float, dict[str, object]]  # count, sum, extra report fields


def warm_up() -> None:
    """Import what `anyio.run` imports lazily (its asyncio backend), outside the timing."""
    anyio.run(anyio.sleep, 0)


def _checks(result: RunResult) -> dict[str, object]:
    sink = result.statistics.streamlets["sink"]
    extra: dict[str, object] = {
        "state": result.state,
        "undelivered": result.undelivered,
        "sink_records_in": sum(sink.records_in.values()),
    }
    if result.failure is not None:
        extra["failure"] = str(result.failure)
    return extra


def prepare(workload: str, style: str, n: int, workdir: Path) -> Callable[[], Outcome]:
    """Write the blueprint into `workdir`; return the timed run."""
    path = workdir / f"{workload.lower()}-{style}.toml"
    path.write_text(blueprint_toml(workload, style, n), encoding="utf-8")
    warm_up()

    def run() -> Outcome:
        TALLY.reset()
        started = time.perf_counter()
        ready: list[float] = []

        def on_start(runtime: Runtime) -> None:
            ready.append(time.perf_counter() - started)

        go = partial(run_async, path, run_dir=workdir / "run", on_start=on_start)
        result = anyio.run(go)
        extra = _checks(result)
        extra["setup_seconds"] = round(ready[0], 4) if ready else None
        return TALLY.count, TALLY.total, extra

    return run
