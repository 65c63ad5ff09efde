"""Running a testkit application on the real runtime, bounded in time.

The `Harness` owns one `Runtime` (with the memory transport and the test's
clock), a throw-away run directory and the capture of streamlet logs. Every
wait is bounded: when time runs out, it describes what was still waiting,
per streamlet and port, before anything is cancelled.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil
import tempfile
import typing
from contextlib import contextmanager
from pathlib import Path
from typing import Final, final

from sandbox.runtime.rundir import RunDirectory, event_entry
from sandbox.runtime.scheduler import Runtime
from sandbox.testkit.clock import FakeClock
from sandbox.testkit.errors import StreamletFailedError, TestkitTimeoutError
from sandbox.testkit.results import Outcome
from sandbox.transports.channels import Reader, Writer

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    import msgspec

    from sandbox.clock import Clock
    from sandbox.records import DeadLetter
    from sandbox.runtime.stats import Slot
    from sandbox.streamlet import Streamlet
    from sandbox.transports.base import InletEndpoint, OutletEndpoint
    from sandbox.transports.buffer import Buffer
    from sandbox.verification import Application

__all__ = ["DEFAULT_TIMEOUT", "Harness", "LogCapture", "waiting_producers"]

DEFAULT_TIMEOUT = 2.0
"""Seconds (real time) any testkit call may take unless told otherwise."""


def waiting_producers(buffer: Buffer) -> int:
    """How many producers are parked in `Buffer.put`, waiting for room."""
    # The channel's own blocked state; Buffer keeps it private (`_putters`).
    putters = getattr(buffer, "_putters", ())
    return sum(1 for waiter in putters if not waiter.done())


def blocked_buffer(writer: OutletEndpoint[object]) -> Buffer | None:
    """The consumer buffer `writer` waits on, or None when it is not blocked."""
    if isinstance(writer, Writer):
        for route in writer.routes:
            for buffer in route.buffers:
                if waiting_producers(buffer):
                    return buffer
    return None


@final
class MemoryRunDirectory:
    """A run directory that keeps events and dead letters in memory.

    The runtime writes an audit trail for every run; a test reads it from the
    result instead, so nothing touches the disk but the volumes a streamlet
    asks for (`ctx.volume`), which go under a temporary directory removed
    after the run.
    """

    def __init__(self) -> None:
        self.path = Path(tempfile.gettempdir()) / f"sandbox-test-{os.getpid()}-{next(_RUNS)}"
        self.events: list[dict[str, object]] = []
        self.dead_letters: list[msgspec.Struct] = []

    def event(self, event: str, streamlet: str | None = None, **fields: object) -> None:
        """Record one event."""
        self.events.append(event_entry(event, streamlet, fields))

    def dead_letter(self, letter: msgspec.Struct) -> None:
        """Keep an unconsumed dead letter."""
        self.dead_letters.append(letter)

    def close(self) -> None:
        """Remove the volumes, if a streamlet made any."""
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


_RUNS: Final = itertools.count()


@final
class LogCapture(logging.Handler):
    """Collects the log records of chosen loggers while a run lasts."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self._loggers = [logging.getLogger(name) for name in names]
        self._levels: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    @contextmanager
    def installed(self) -> Iterator[LogCapture]:
        """Attach to the loggers (at DEBUG unless they have a level), then detach."""
        self._levels = [logger.level for logger in self._loggers]
        for logger in self._loggers:
            logger.addHandler(self)
            if logger.level == logging.NOTSET:
                logger.setLevel(logging.DEBUG)
        try:
            yield self
        finally:
            for logger, level in zip(self._loggers, self._levels, strict=True):
                logger.removeHandler(self)
                logger.setLevel(level)


@final
class Harness:
    """One runtime, run by a test.

    Args:
        application: the verified application.
        what: how the test called it, for messages ("run_streamlet(Upper)").
        factories: the streamlet objects to use, per instance name.
        roles: for testkit parts, what each waits for (timeout messages).
        clock: the clock streamlets see.
        timeout: real seconds any wait may take.
        run_dir: where the run directory goes; a temporary one if None.
    """

    def __init__(
        self,
        application: Application,
        *,
        what: str,
        factories: Mapping[str, Callable[[], Streamlet]],
        roles: Mapping[str, Callable[[], str | None]],
        clock: Clock,
        timeout: float,
        run_dir: Path | None = None,
    ) -> None:
        self.what = what
        self.clock = clock
        self.timeout = timeout
        self.roles = roles
        self.run_dir: RunDirectory | MemoryRunDirectory = (
            MemoryRunDirectory() if run_dir is None else RunDirectory(run_dir)
        )
        self.runtime = Runtime(
            application,
            # Duck-typed: the runtime only records events and dead letters in it.
            run_dir=typing.cast("RunDirectory", self.run_dir),
            clock=clock,
            drain_timeout=timeout,
            stall_timeout=None,
            factories=factories,
            watch_loop=False,
        )
        self.finished = False
        self.timed_out: str | None = None
        self.crashed: BaseException | None = None
        self.on_finished: Callable[[], None] | None = None

    async def run(self, *, bounded: bool = True) -> None:
        """Run until every streamlet returned, or (when `bounded`) until the timeout.

        Raises:
            TestkitTimeoutError: the run did not end in time; says what waited.
        """
        # A timer, not a cancel scope: the state must be described before
        # anything is cancelled, since cancellation changes it.
        deadline = (
            asyncio.get_running_loop().call_later(self.timeout, self._expire) if bounded else None
        )
        kept = self.run_dir if isinstance(self.run_dir, RunDirectory) else None
        if kept is not None:  # a run directory on disk gets the log, as with `sandbox run`
            logging.getLogger("sandbox").addHandler(kept.log_handler)
        try:
            await self.runtime.run()
        finally:
            self.finished = True
            if deadline is not None:
                deadline.cancel()
            if kept is not None:
                logging.getLogger("sandbox").removeHandler(kept.log_handler)
                kept.write_metrics(self.runtime.statistics())
            if self.on_finished is not None:
                self.on_finished()
        if self.timed_out is not None:
            raise TestkitTimeoutError(self.timed_out)

    async def run_in_background(self) -> None:
        """Run without a deadline (each probe call has its own); keep a crash for the test."""
        try:
            await self.run(bounded=False)
        except Exception as exc:  # raised to the test by the probe's next call
            self.crashed = exc

    def _expire(self) -> None:
        self.timed_out = self.timeout_message("the run to end")
        self.runtime.cancel()

    def outcome(self, logs: list[logging.LogRecord], dead_letters: list[DeadLetter]) -> Outcome:
        """How the run ended, for a result."""
        runtime = self.runtime
        return Outcome(
            statistics=runtime.statistics(),
            state=runtime.state,
            failure=runtime.failure,
            error=runtime.error,
            undelivered=runtime.undelivered,
            events=list(self.run_dir.events),
            clock=self.clock,
            logs=logs,
            dead_letters=dead_letters,
        )

    def close(self) -> None:
        """Close the run directory (a temporary one is removed)."""
        self.run_dir.close()

    def raise_failure(self) -> None:
        """Raise StreamletFailedError when a streamlet failed, chaining its exception."""
        failure = self.runtime.failure
        if failure is not None:
            raise StreamletFailedError(failure) from self.runtime.error

    def slots(self, name: str) -> list[Slot]:
        """The replicas of instance `name`."""
        return self.runtime.slots[name]

    # --- what is waiting -------------------------------------------------------

    def timeout_message(self, waiting_for: str) -> str:
        """'X did not finish within N s waiting for Y; still waiting: ...'."""
        lines = self.waiting()
        head = f"{self.what} timed out after {self.timeout:g} s waiting for {waiting_for}"
        if not lines:
            return head
        return head + "; still waiting:\n" + "\n".join(f"  - {line}" for line in lines)

    def waiting(self) -> list[str]:
        """One line per streamlet (or testkit part) that has not finished."""
        lines: list[str] = []
        for name, slots in self.runtime.slots.items():
            role = self.roles.get(name)
            if role is not None:
                text = role()
                if text:
                    lines.append(text)
                continue
            for slot in slots:
                if slot.state not in ("completed", "failed", "cancelled"):
                    lines.append(self._describe(slot))
        if isinstance(self.clock, FakeClock) and self.clock.sleepers:
            lines.append(_clock_line(self.clock))
        return lines

    def _describe(self, slot: Slot) -> str:
        parts: list[str] = []
        if slot.state == "restarting":
            parts.append(f"restarting after a failure (restart {slot.restarts})")
        for port, writer in slot.outlets.items():
            buffer = blocked_buffer(writer)
            if buffer is not None:
                parts.append(
                    f"blocked sending on outlet '{port}': the buffer '{buffer.label}' is full "
                    f"({buffer.size}/{buffer.capacity})"
                )
        blocked = bool(parts) and slot.state != "restarting"
        for port, reader in slot.inlets.items():
            parts.extend(_inlet_state(port, reader, blocked=blocked))
        if isinstance(self.clock, FakeClock):
            for sleeper in self.clock.sleepers:
                if sleeper.task == slot.label:
                    parts.append(
                        f"sleeping on the fake clock until t={sleeper.deadline:g} "
                        f"(now {self.clock.now():g}): advance it with `await clock.advance(...)`"
                    )
        text = f"streamlet '{slot.name}' (replica {slot.replica}) is {slot.state}"
        return text + (": " + "; ".join(parts) if parts else "")


def _inlet_state(port: str, reader: InletEndpoint[object], *, blocked: bool) -> list[str]:
    if not isinstance(reader, Reader):
        return []
    buffer = reader.buffer
    if buffer.size:
        return [f"{buffer.size} records wait on inlet '{port}'"]
    if buffer.writers > 0 and not blocked:
        producers = "its producer is" if buffer.writers == 1 else f"{buffer.writers} producers are"
        return [f"waiting for records on inlet '{port}' ({producers} still open)"]
    return []


def _clock_line(clock: FakeClock) -> str:
    mode = "autojump" if clock.autojump else "advanced by the test"
    sleepers = clock.sleepers
    return (
        f"the fake clock ({mode}) is at t={clock.now():g}; {len(sleepers)} task(s) sleep on it "
        f"until t={sleepers[0].deadline:g} or later"
    )
