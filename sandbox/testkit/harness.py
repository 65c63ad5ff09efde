"""Running a testkit application on the real runtime, bounded in time.

The `Harness` owns one `Runtime` (with the memory transport and the test's
clock), a throw-away run directory and the capture of streamlet logs. Every
wait is bounded: when time runs out, it describes what was still waiting,
per streamlet and port, before anything is cancelled.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import final

import anyio

from sandbox.clock import Clock
from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.runtime.stats import Slot
from sandbox.streamlet import Streamlet
from sandbox.testkit.clock import FakeClock
from sandbox.testkit.errors import StreamletFailedError, TestkitTimeoutError
from sandbox.transports.base import InletEndpoint, OutletEndpoint
from sandbox.transports.channels import Buffer, Reader, Writer
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
        self._temporary = run_dir is None
        path = Path(tempfile.mkdtemp(prefix="sandbox-test-")) if run_dir is None else run_dir
        self.run_dir = RunDirectory(path)
        self.runtime = Runtime(
            application,
            run_dir=self.run_dir,
            clock=clock,
            drain_timeout=timeout,
            stall_timeout=None,
            factories=factories,
        )
        self.finished = False
        self.timed_out: str | None = None
        self.on_finished: Callable[[], None] | None = None

    async def run(self) -> None:
        """Run until every streamlet returned, or until the timeout.

        Raises:
            TestkitTimeoutError: the run did not end in time; says what waited.
        """
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._deadline)
            try:
                await self.runtime.run()
            finally:
                self.finished = True
                tg.cancel_scope.cancel()
                if self.on_finished is not None:
                    self.on_finished()
        if self.timed_out is not None:
            raise TestkitTimeoutError(self.timed_out)

    async def _deadline(self) -> None:
        await anyio.sleep(self.timeout)
        # Describe the state before cancelling: cancellation changes it.
        self.timed_out = self.timeout_message("the run to end")
        self.runtime.cancel()

    def close(self) -> None:
        """Close the run directory (and remove it when it was temporary)."""
        self.run_dir.close()
        if self._temporary:
            shutil.rmtree(self.run_dir.path, ignore_errors=True)

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
        if isinstance(self.clock, FakeClock):
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
        for port, reader in slot.inlets.items():
            parts.extend(_inlet_state(port, reader))
        if isinstance(self.clock, FakeClock):
            for sleeper in self.clock.sleepers:
                if sleeper.task == slot.label:
                    parts.append(
                        f"sleeping on the fake clock until t={sleeper.deadline:g} "
                        f"(now {self.clock.now():g}): advance it with `await clock.advance(...)`"
                    )
        text = f"streamlet '{slot.name}' (replica {slot.replica}) is {slot.state}"
        return text + (": " + "; ".join(parts) if parts else "")


def _inlet_state(port: str, reader: InletEndpoint[object]) -> list[str]:
    if not isinstance(reader, Reader):
        return []
    buffer = reader.buffer
    if buffer.size:
        return [f"{buffer.size} records wait on inlet '{port}'"]
    if buffer.writers > 0:
        producers = "its producer is" if buffer.writers == 1 else f"{buffer.writers} producers are"
        return [f"waiting for records on inlet '{port}' ({producers} still open)"]
    return []


def _clock_line(clock: FakeClock) -> str:
    mode = "autojump" if clock.autojump else "advanced by the test"
    sleepers = clock.sleepers
    text = f"the fake clock ({mode}) is at t={clock.now():g}"
    if sleepers:
        text += f" with {len(sleepers)} sleeping until t={sleepers[0].deadline:g} or later"
    return text
