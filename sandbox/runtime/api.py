"""`run` and `run_async`: verify, then run a blueprint in this process."""

from __future__ import annotations

import logging
import signal
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, final

import anyio
import msgspec

from sandbox.errors import BlueprintError
from sandbox.runtime.failures import Failure
from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.runtime.stats import Statistics
from sandbox.verification import Application, verify

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator, Sequence

    from sandbox.blueprint.model import Blueprint
    from sandbox.clock import Clock

__all__ = ["RunResult", "run", "run_async", "verified"]


@final
class RunResult(msgspec.Struct, frozen=True, kw_only=True):
    """How a run ended, with the final statistics.

    `state` is "completed" (every streamlet returned), "stopped" (a graceful
    stop drained), "failed" (a streamlet failed; see `failure`) or "cancelled"
    (a second signal or the drain timeout; see `undelivered`).
    """

    application: str
    state: str
    run_dir: str
    statistics: Statistics
    undelivered: int
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        """True when the run completed or stopped gracefully."""
        return self.state in ("completed", "stopped")


def verified(
    blueprint: Application | Blueprint | str | os.PathLike[str],
    config: Sequence[str | os.PathLike[str]] | None = None,
    overrides: Sequence[str] | None = None,
) -> Application:
    """The verified application of `blueprint` (returned as is if already verified).

    Raises:
        BlueprintError: the blueprint has errors; carries every problem.
    """
    if isinstance(blueprint, Application):
        return blueprint
    report = verify(blueprint, config_files=config or (), overrides=overrides or ())
    if not report.ok or report.application is None:
        raise BlueprintError(report.diagnostics)
    return report.application


@contextmanager
def _logging_to(run_dir: RunDirectory) -> Iterator[None]:
    root = logging.getLogger("sandbox")
    root.addHandler(run_dir.log_handler)
    try:
        yield
    finally:
        root.removeHandler(run_dir.log_handler)


async def run_async(
    blueprint: Application | Blueprint | str | os.PathLike[str],
    *,
    config: Sequence[str | os.PathLike[str]] | None = None,
    overrides: Sequence[str] | None = None,
    duration: float | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    drain_timeout: float = 10.0,
    stall_timeout: float | None = 10.0,
    handle_signals: bool = False,
    on_start: Callable[[Runtime], object] | None = None,
) -> RunResult:
    """Verify `blueprint` and run it until it completes, stops or fails.

    Args:
        blueprint: a blueprint file, a loaded `Blueprint`, or an `Application`
            that `verified` already checked (then it is not verified again).
        config: `--config` files layered over the blueprint's config.
        overrides: `NAME.KEY=VALUE` strings layered last.
        duration: stop gracefully after this many seconds.
        run_dir: the run directory (default `.sandbox/runs/<timestamp>/`).
        clock: the clock streamlets see (a fake one in tests).
        drain_timeout: after a stop, how long draining may take before the
            rest is cancelled.
        stall_timeout: flag a replica stalled when records wait on its inlet
            and it makes no progress for this many seconds (None: never).
        handle_signals: stop on the first SIGINT/SIGTERM, cancel on the second.
        on_start: called with the runtime before it starts (live view, tests).

    Raises:
        BlueprintError: the blueprint has errors; nothing was started.
    """
    application = verified(blueprint, config, overrides)
    directory = RunDirectory(Path(run_dir) if run_dir is not None else None)
    runtime = Runtime(
        application,
        run_dir=directory,
        clock=clock,
        drain_timeout=drain_timeout,
        stall_timeout=stall_timeout,
    )
    if on_start is not None:
        on_start(runtime)
    with _logging_to(directory):
        try:
            async with anyio.create_task_group() as tg:
                if handle_signals:
                    tg.start_soon(_signals, runtime)
                await runtime.run(duration=duration)
                tg.cancel_scope.cancel()
        finally:
            statistics = runtime.statistics()
            directory.write_metrics(statistics)
            directory.close()
    return RunResult(
        application=application.name,
        state=runtime.state,
        run_dir=str(directory.path),
        statistics=statistics,
        undelivered=runtime.undelivered,
        failure=runtime.failure,
    )


async def _signals(runtime: Runtime) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        seen = 0
        async for _ in signals:
            seen += 1
            if seen == 1:
                runtime.stop()
            else:
                runtime.cancel()


def run(
    blueprint: Blueprint | str | os.PathLike[str],
    *,
    config: Sequence[str | os.PathLike[str]] | None = None,
    overrides: Sequence[str] | None = None,
    duration: float | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    drain_timeout: float = 10.0,
) -> RunResult:
    """Blocking `run_async`, stopping on SIGINT/SIGTERM (for scripts)."""
    return anyio.run(
        lambda: run_async(
            blueprint,
            config=config,
            overrides=overrides,
            duration=duration,
            run_dir=run_dir,
            drain_timeout=drain_timeout,
            handle_signals=True,
        )
    )
