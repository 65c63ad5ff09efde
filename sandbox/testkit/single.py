"""`run_streamlet` and `open_streamlet`: one streamlet on the real runtime."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from sandbox.testkit.clock import FakeClock
from sandbox.testkit.errors import TestkitError
from sandbox.testkit.harness import DEFAULT_TIMEOUT
from sandbox.testkit.probe import StreamletProbe
from sandbox.testkit.session import Session

if TYPE_CHECKING:
    import os

    import msgspec

    from sandbox.blueprint.model import Backoff, LogLevel, OnError, Restart, RuntimeKind
    from sandbox.clock import Clock
    from sandbox.streamlet import Streamlet
    from sandbox.testkit.faults import Fault
    from sandbox.testkit.results import StreamletResult

__all__ = ["open_streamlet", "run_streamlet"]

Records = Iterable[object] | AsyncIterable[object]


def _merge(
    inputs: Mapping[str, Records] | None, records: Mapping[str, Records]
) -> dict[str, Records]:
    merged = dict(inputs or {})
    for port, given in records.items():
        if port in merged:
            msg = f"inlet '{port}' is given twice, in inputs= and as {port}="
            raise TestkitError(msg)
        merged[port] = given
    return merged


async def run_streamlet(
    streamlet: type[Streamlet] | Streamlet,
    /,
    *,
    inputs: Mapping[str, Records] | None = None,
    config: msgspec.Struct | Mapping[str, object] | None = None,
    clock: Clock | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109  # bounds each wait, and says what waited
    name: str | None = None,
    restart: Restart = "never",
    max_restarts: int | None = None,
    backoff: Backoff | str | float | None = None,
    on_error: OnError = "fail",
    runtime: RuntimeKind = "async",
    log_level: LogLevel | None = None,
    capacity: int | Mapping[str, int] | None = None,
    faults: Mapping[str, Fault] | None = None,
    stop_after: int | None = None,
    raise_on_failure: bool = True,
    run_dir: str | os.PathLike[str] | None = None,
    **records: Records,
) -> StreamletResult:
    """Run one streamlet until its inputs are exhausted and it has returned.

    Each inlet is fed from its list (or iterable, or async iterable) and then
    ends; an inlet without inputs ends at once. The streamlet runs on the real
    runtime and channels, with a `FakeClock(autojump=True)` unless `clock` is
    given, so sleeps on `ctx.clock` take no real time.

    Example:
        result = await run_streamlet(Upper, text=["a", "b"])
        assert result["out"] == ["A", "B"]

    Args:
        streamlet: a streamlet class (a function streamlet too) or instance;
            an instance is used for every attempt, a class gives a new object
            per attempt, as in a real run.
        inputs: records per inlet name; inlets may also be given as keyword
            arguments (`text=[...]`) unless named like an option or `in`.
        config: the streamlet's Config, or a mapping of its values.
        clock: the clock `ctx.clock` is.
        timeout: real seconds the whole run may take.
        name: the instance name (default: from the class name).
        restart: the restart policy, as in a blueprint.
        max_restarts: as in a blueprint.
        backoff: restart delays ("100ms..10s", seconds, a Backoff); none by default.
        on_error: "fail", "skip" or "dead-letter", as in a blueprint.
        runtime: "async", "thread" or "process".
        log_level: the streamlet's log level (DEBUG is captured by default).
        capacity: topic capacity of every port, or per port name.
        faults: a fault (Drop, Duplicate, Delay) per port name.
        stop_after: stop gracefully (`ctx.stopping`) once this many records
            came out; for ingresses that never end by themselves.
        raise_on_failure: raise StreamletFailedError when it fails (else the
            result has `state == "failed"` and `failure`).
        run_dir: keep the run directory there (default: a temporary one).
        **records: records per inlet, as keyword arguments.

    Returns:
        the records per outlet, dead letters, log records and statistics.

    Raises:
        UnknownPortError: an input, capacity, demand or fault names no port.
        RecordTypeError: a record is not of its inlet's type.
        StreamletFailedError: the streamlet failed (its exception is the cause).
        TestkitTimeoutError: it did not finish in time; says what was waiting.
        BlueprintError: the config is invalid.
    """
    merged = _merge(inputs, records)
    session: Session | None = None

    def notify() -> None:
        if session is not None and stop_after is not None:
            out = sum(len(sink.records) for sink in session.sinks.values())
            if out >= stop_after:
                session.harness.runtime.stop()

    session = Session(
        streamlet, what="run_streamlet", inputs=merged, probe=False,
        notify=notify if stop_after is not None else None, name=name, config=config,
        clock=clock if clock is not None else FakeClock(autojump=True), timeout=timeout,
        restart=restart, max_restarts=max_restarts, backoff=backoff, on_error=on_error,
        runtime=runtime, log_level=log_level, capacity=capacity, demand=None, faults=faults,
        run_dir=Path(run_dir) if run_dir is not None else None,
    )  # fmt: skip
    harness = session.harness
    try:
        with session.logs.installed():
            await harness.run()
    finally:
        harness.close()
    error = session.feed_error()
    if error is not None:
        raise error
    if raise_on_failure:
        harness.raise_failure()
    return session.result()


@asynccontextmanager
async def open_streamlet(
    streamlet: type[Streamlet] | Streamlet,
    /,
    *,
    inputs: Mapping[str, Records] | None = None,
    config: msgspec.Struct | Mapping[str, object] | None = None,
    clock: Clock | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109  # bounds each wait, and says what waited
    name: str | None = None,
    restart: Restart = "never",
    max_restarts: int | None = None,
    backoff: Backoff | str | float | None = None,
    on_error: OnError = "fail",
    runtime: RuntimeKind = "async",
    log_level: LogLevel | None = None,
    capacity: int | Mapping[str, int] | None = None,
    demand: Mapping[str, int] | None = None,
    faults: Mapping[str, Fault] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
) -> AsyncIterator[StreamletProbe]:
    """Start one streamlet and drive it through a probe.

    Inlets without `inputs` stay open until `probe.close(...)`; the clock is
    a `FakeClock()` that moves only when the test advances it, unless `clock`
    is given. Each probe call waits at most `timeout` real seconds. When the
    block ends, the inlets are closed, demand is lifted, `ctx.stopping` is set
    and the run drains; a failure the test did not see is raised then.

    Example:
        async with open_streamlet(Validate, demand={"valid": 1}) as probe:
            await probe.send("in", metric)
            await probe.expect("valid", metric)

    Args:
        streamlet: a streamlet class or instance.
        inputs: records for inlets the probe does not drive (they end after them).
        config: see `run_streamlet`.
        clock: see above.
        timeout: real seconds each probe call may take.
        name: see `run_streamlet`.
        restart: see `run_streamlet`.
        max_restarts: see `run_streamlet`.
        backoff: see `run_streamlet`.
        on_error: see `run_streamlet`; dead letters are read from the probe's
            "dead-letters" outlet or `probe.dead_letters`.
        runtime: see `run_streamlet`.
        log_level: see `run_streamlet`.
        capacity: see `run_streamlet`; an outlet with a demand gets capacity 1.
        demand: per outlet, how many records the probe takes before the
            streamlet's sends block (more with `probe.demand`).
        faults: see `run_streamlet`.
        run_dir: see `run_streamlet`.

    Yields:
        the probe.
    """
    probe: StreamletProbe | None = None

    def notify() -> None:
        if probe is not None:
            probe.notify()

    session = Session(
        streamlet, what="open_streamlet", inputs=dict(inputs or {}), probe=True, notify=notify,
        name=name, config=config, clock=clock if clock is not None else FakeClock(),
        timeout=timeout, restart=restart, max_restarts=max_restarts, backoff=backoff,
        on_error=on_error, runtime=runtime, log_level=log_level, capacity=capacity,
        demand=demand, faults=faults, run_dir=Path(run_dir) if run_dir is not None else None,
    )  # fmt: skip
    harness = session.harness
    harness.on_finished = notify
    probe = StreamletProbe(session)
    error: BaseException | None = None
    try:
        with session.logs.installed():
            async with anyio.create_task_group() as tg:
                tg.start_soon(harness.run_in_background)
                try:
                    yield probe
                    await probe.end()
                except BaseException as exc:  # re-raised below, outside the task group
                    error = exc
                    tg.cancel_scope.cancel()
    finally:
        harness.close()
    if error is not None:
        raise error
