"""`sandbox run` on the console: the run plus what shows it while it goes.

Beside the runtime, in one task group: the live view (on a terminal) or a
one-line summary every few seconds (elsewhere), the `--metrics-json` file
rewritten every second, and the Prometheus endpoint. All of them end when
the run ends.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import anyio
import msgspec

from sandbox.runtime.api import run_async, verified
from sandbox.view.keys import terminal_fd
from sandbox.view.live import LiveView, PrintsToLog
from sandbox.view.prometheus import listener_port, open_metrics_listener, serve_metrics
from sandbox.view.summary import summary_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from sandbox.runtime.api import RunResult
    from sandbox.runtime.scheduler import Runtime
    from sandbox.runtime.stats import Statistics
    from sandbox.view.logtail import LogTail

__all__ = ["RunOptions", "run_session", "write_metrics"]

METRICS_EVERY: Final = 1.0  # seconds between rewrites of --metrics-json

_log = logging.getLogger("sandbox.run")


@final
class RunOptions(msgspec.Struct, frozen=True, kw_only=True):
    """What `sandbox run` was asked for, parsed."""

    blueprint: str
    config: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    duration: float | None = None
    run_dir: str | None = None
    drain_timeout: float = 10.0
    stall_timeout: float | None = 10.0
    progress: float = 5.0
    refresh: float = 4.0
    metrics_json: str | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None


def write_metrics(path: Path, statistics: Statistics) -> None:
    """Write a snapshot as JSON, atomically (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(msgspec.json.format(msgspec.json.encode(statistics), indent=2))
    os.replace(partial, path)


@contextlib.contextmanager
def _prints_to(logs: LogTail | None) -> Iterator[None]:
    """While the view is on, `print` from streamlets lands in the log pane."""
    if logs is None:
        yield
        return
    with (
        contextlib.redirect_stdout(PrintsToLog(logs, logging.INFO)),
        contextlib.redirect_stderr(PrintsToLog(logs, logging.WARNING)),
    ):
        yield


async def run_session(
    options: RunOptions,
    console: Console,
    *,
    view: Console | None = None,
    logs: LogTail | None = None,
) -> RunResult:
    """Run the blueprint with the view on `view` (or progress lines on `console`).

    Args:
        options: the parsed command line.
        console: where progress lines go when there is no view.
        view: the terminal for the live view, or None for progress lines.
        logs: the log pane's handler (required with `view`).

    Raises:
        BlueprintError: the blueprint has errors.
        OSError: the metrics port cannot be bound.
    """
    application = verified(options.blueprint, options.config, options.overrides)
    listener = None
    if options.metrics_port is not None:
        listener = await open_metrics_listener(options.metrics_host, options.metrics_port)
        _log.info("metrics at http://%s:%d/metrics", options.metrics_host, listener_port(listener))

    async def progress(runtime: Runtime) -> None:
        while True:
            await anyio.sleep(options.progress)
            console.print(summary_line(runtime.statistics()), markup=False, highlight=False)

    async def metrics(runtime: Runtime, path: Path) -> None:
        while True:
            await anyio.sleep(METRICS_EVERY)
            await anyio.to_thread.run_sync(write_metrics, path, runtime.statistics())

    async with anyio.create_task_group() as tg:

        def on_start(runtime: Runtime) -> None:
            if view is not None and logs is not None:
                live = LiveView(
                    runtime, view, logs, refresh_per_second=options.refresh, keys_fd=terminal_fd()
                )
                tg.start_soon(live.run)
            else:
                tg.start_soon(progress, runtime)
            if options.metrics_json is not None:
                tg.start_soon(metrics, runtime, Path(options.metrics_json))
            if listener is not None:
                tg.start_soon(serve_metrics, listener, runtime.statistics)

        with _prints_to(logs if view is not None else None):
            result = await run_async(
                application,
                duration=options.duration,
                run_dir=options.run_dir,
                drain_timeout=options.drain_timeout,
                stall_timeout=options.stall_timeout,
                handle_signals=True,
                on_start=on_start,
            )
        tg.cancel_scope.cancel()
    if options.metrics_json is not None:
        write_metrics(Path(options.metrics_json), result.statistics)
    return result
