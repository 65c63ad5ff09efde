"""`StreamletProbe`: drive one running streamlet record by record.

The probe sends through the feeders' real outlet writers and receives from
the collectors' sinks, so every record crosses the same bounded channels as
in a run. Each call waits at most the session's timeout; when it runs out
the error says what the probe waited for and what each streamlet waits on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar, final, overload

import anyio

from sandbox.testkit.clock import FakeClock, wait_idle
from sandbox.testkit.diff import diff_records
from sandbox.testkit.errors import (
    RecordTypeError,
    StreamEndedError,
    TestkitError,
    TestkitTimeoutError,
    check_record,
    describe_record,
)
from sandbox.testkit.harness import blocked_buffer
from sandbox.transports.channels import Writer
from sandbox.verification import DEAD_LETTERS

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Coroutine, Iterable

    from sandbox.clock import Clock
    from sandbox.records import DeadLetter
    from sandbox.runtime.stats import StreamletStatistics
    from sandbox.streamlet import Streamlet
    from sandbox.testkit.parts import Sink
    from sandbox.testkit.results import StreamletResult
    from sandbox.testkit.session import Session

__all__ = ["StreamletProbe"]

T = TypeVar("T")
R = TypeVar("R")
_IDLE_POLL: Final = 0.001  # s; only when the loop is idle and nothing has changed


@final
class StreamletProbe:
    """A running streamlet under test, driven by the test.

    Get one from `open_streamlet`. Inlets are fed with `send` and ended with
    `close`; outlets are read with `receive` and `expect`; `demand` limits
    what an outlet may deliver so a test can watch the streamlet block.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._harness = session.harness
        self._changed = anyio.Event()
        self._reported = False

    # --- state -----------------------------------------------------------------

    @property
    def name(self) -> str:
        """The instance name the streamlet runs under."""
        return self._session.name

    @property
    def instance(self) -> Streamlet:
        """The streamlet object of the current attempt."""
        return self._session.instances[-1]

    @property
    def instances(self) -> list[Streamlet]:
        """The streamlet objects of every attempt so far (restarts make new ones)."""
        return list(self._session.instances)

    @property
    def clock(self) -> Clock:
        """The clock the streamlet sees (a `FakeClock` unless one was given)."""
        return self._harness.clock

    @property
    def logs(self) -> list[logging.LogRecord]:
        """Log records of the streamlet so far."""
        return self._session.logs.records

    @property
    def dead_letters(self) -> list[DeadLetter]:
        """Dead letters so far (with `on_error="dead-letter"`)."""
        return self._session.dead_letters.records  # type: ignore[return-value]  # a DeadLetter collector

    @property
    def state(self) -> str:
        """The streamlet's state: running, restarting, completed, failed..."""
        return self.statistics().state

    def statistics(self) -> StreamletStatistics:
        """The streamlet's counters now."""
        return self._harness.runtime.statistics().streamlets[self.name]

    def received(self, outlet: str) -> list[object]:
        """Every record the outlet delivered to the probe so far (received or not)."""
        return list(self._sink(outlet).records)

    def notify(self) -> None:
        """Something changed: wake the waiting call (collectors, the runtime)."""
        self._changed.set()

    # --- inlets ----------------------------------------------------------------

    async def send(self, inlet: str, record: object) -> None:
        """Send `record` to `inlet`; returns once the inlet's buffer holds it.

        Raises:
            UnknownPortError: there is no such inlet.
            RecordTypeError: the record is not of the inlet's type.
            PortClosedError: the inlet was closed.
            TestkitTimeoutError: the buffer stayed full (the streamlet does not consume).
        """
        writer = self._writer(inlet, record)
        self._raise_if_over()
        await self._bounded(_hand_over(writer, record), f"room in the buffer of inlet '{inlet}'")

    async def send_many(self, inlet: str, records: Iterable[object]) -> None:
        """Send records in order (see `send`)."""
        for record in records:
            await self.send(inlet, record)

    def close(self, inlet: str | None = None) -> None:
        """End `inlet` (every inlet if None): the streamlet sees its end of stream."""
        names = [inlet] if inlet is not None else list(self._session.feeds)
        for name in names:
            self._session.inlet_port(name)
            self._session.feeds[name].close()

    def _writer(self, inlet: str, record: object) -> Writer[object]:
        port = self._session.inlet_port(inlet)
        feed = self._session.feeds[inlet]
        feed.check_open()
        check_record(record, port.schema, f"inlet '{inlet}' of '{self.name}'")
        feeder = self._harness.runtime.slots[self._session.feeders[inlet]][0]
        writer = feeder.outlets["out"]
        assert isinstance(writer, Writer)  # the memory transport's
        return writer

    # --- outlets ---------------------------------------------------------------

    @overload
    async def receive(self, outlet: str) -> object: ...
    @overload
    async def receive(self, outlet: str, schema: type[T]) -> T: ...
    async def receive(self, outlet: str, schema: type[T] | None = None) -> object:
        """The next record of `outlet` (checked to be a `schema` if given).

        Raises:
            UnknownPortError: there is no such outlet.
            StreamEndedError: the outlet ended without another record.
            StreamletFailedError: the streamlet failed.
            TestkitTimeoutError: no record came in time.
        """
        sink = self._sink(outlet)
        await self._until(
            lambda: bool(sink.queue) or sink.ended or self._harness.finished,
            f"a record on outlet '{outlet}'",
        )
        if not sink.queue:
            self._raise_if_over()
            count = len(sink.records)
            message = (
                f"outlet '{outlet}' of '{self.name}' ended after {count} records: "
                "the streamlet completed without sending another one"
            )
            raise StreamEndedError(message)
        record = sink.queue.popleft()
        if schema is not None and not isinstance(record, schema):
            sent = describe_record(record)
            message = f"outlet '{outlet}' of '{self.name}' sent {sent}, not {schema.__name__}"
            raise RecordTypeError(message)
        return record

    async def receive_many(self, outlet: str, n: int) -> list[object]:
        """The next `n` records of `outlet`."""
        return [await self.receive(outlet) for _ in range(n)]

    async def expect(self, outlet: str, *records: object) -> None:
        """Receive one record per expected record and compare, in order.

        Raises:
            AssertionError: a record differs; the message lists the differing
                fields of Structs.
        """
        for index, expected in enumerate(records):
            actual = await self.receive(outlet)
            if actual != expected:
                number = len(self._sink(outlet).records) - len(self._sink(outlet).queue)
                lines = diff_records(expected, actual)
                detail = "\n".join(f"  {line}" for line in lines)
                which = (
                    f" (expected record {index + 1} of {len(records)})" if len(records) > 1 else ""
                )
                where = f"record {number} of outlet '{outlet}' of '{self.name}'"
                message = f"{where} differs{which}:\n{detail}"
                raise AssertionError(message)

    async def expect_end(self, outlet: str) -> None:
        """Wait until `outlet` ends, asserting that it sends nothing more.

        Raises:
            AssertionError: it sent more records (listed).
        """
        sink = self._sink(outlet)
        await self._until(
            lambda: bool(sink.queue) or sink.ended or self._harness.finished,
            f"the end of outlet '{outlet}'",
        )
        if sink.queue:
            extra = ", ".join(describe_record(r) for r in list(sink.queue)[:5])
            message = (
                f"outlet '{outlet}' of '{self.name}' sent more records, expected its end: {extra}"
            )
            raise AssertionError(message)
        self._raise_if_over()

    def demand(self, outlet: str, n: int | None) -> None:
        """Let `outlet` deliver `n` more records to the probe (None: lift the limit).

        Only an outlet opened with a demand (`demand={"out": 0}`) is limited:
        its buffer holds one record (unless `capacity` says otherwise), so the
        streamlet's sends return for the demanded records plus that one, and
        the next send blocks.

        Raises:
            TestkitError: the outlet was opened without a demand.
            ValueError: `n` is negative.
        """
        sink = self._sink(outlet)
        if n is not None and n < 0:
            msg = f"demand must be >= 0 or None, got {n}"
            raise ValueError(msg)
        if n is not None and sink.credit is None:
            msg = (
                f"outlet '{outlet}' of '{self.name}' takes every record: open the streamlet "
                f"with demand={{'{outlet}': 0}} to control it"
            )
            raise TestkitError(msg)
        sink.grant(n)

    def blocked(self, outlet: str) -> bool:
        """Whether the streamlet waits in `send` on `outlet` for room downstream."""
        self._sink(outlet)
        writers = [slot.outlets[outlet] for slot in self._harness.runtime.slots[self.name]]
        return any(blocked_buffer(writer) is not None for writer in writers)

    async def wait_blocked(self, outlet: str) -> None:
        """Wait until the streamlet blocks sending on `outlet` (backpressure).

        Raises:
            TestkitTimeoutError: it did not block in time.
        """
        await self._poll(
            lambda: self.blocked(outlet), f"the streamlet to block sending on outlet '{outlet}'"
        )

    def _sink(self, outlet: str) -> Sink:
        if outlet == DEAD_LETTERS and self._session.spec.port(outlet) is None:
            return self._session.dead_letters
        self._session.outlet_port(outlet)
        return self._session.sinks[outlet]

    # --- the end ---------------------------------------------------------------

    def stop(self) -> None:
        """Ask for a graceful stop: `ctx.stopping` is set (an ingress ends)."""
        self._harness.runtime.stop()

    async def completed(self) -> StreamletResult:
        """Wait until the streamlet has returned and its outlets are drained.

        Returns the result so far (records per outlet include those already
        received through the probe).

        Raises:
            StreamletFailedError: it failed.
            TestkitTimeoutError: it did not return in time; says what it waits for.
        """
        await self._until(self._done, f"'{self.name}' to complete")
        self._raise_if_over()
        return self._session.result()

    async def end(self) -> None:
        """End the session: close the inlets, lift demand, stop, wait for the run to end.

        `open_streamlet` calls this when its block exits normally. A fake clock
        jumps ahead meanwhile, so a streamlet asleep on it wakes and finishes.
        """
        self.close()
        for sink in (*self._session.sinks.values(), self._session.dead_letters):
            sink.grant(None)
        self.stop()
        clock = self._harness.clock
        jumping = isinstance(clock, FakeClock) and clock.autojump
        if isinstance(clock, FakeClock):
            clock.autojump = True
        try:
            await self._until(
                lambda: self._harness.finished, f"'{self.name}' to finish (inlets closed)"
            )
        finally:
            if isinstance(clock, FakeClock):
                clock.autojump = jumping
        self._raise_if_over()

    def _done(self) -> bool:
        if self._harness.finished:
            return True
        slots = self._harness.runtime.slots[self.name]
        if any(slot.state not in ("completed", "failed") for slot in slots):
            return False
        return all(sink.ended or sink.credit == 0 for sink in self._session.sinks.values())

    def _raise_if_over(self) -> None:
        error = self._harness.crashed or self._session.feed_error()
        if error is not None:
            raise error
        if self._harness.runtime.failure is not None and not self._reported:
            self._reported = True
            self._harness.raise_failure()

    # --- waiting ---------------------------------------------------------------

    async def _bounded(self, step: Coroutine[Any, Any, R], waiting_for: str) -> R:
        with anyio.move_on_after(self._harness.timeout):
            return await step
        raise self._timeout(waiting_for)

    async def _until(self, ready: Callable[[], bool], waiting_for: str) -> None:
        with anyio.move_on_after(self._harness.timeout):
            while not ready():
                self._changed = anyio.Event()
                await self._changed.wait()
            return
        raise self._timeout(waiting_for)

    async def _poll(self, ready: Callable[[], bool], waiting_for: str) -> None:
        # For states nothing announces (a producer parked on a full buffer):
        # check once everything has run, so the state is a settled one (a
        # producer that blocks only until the consumer's next take does not
        # count); once the loop is idle only an outside event (a worker
        # thread, a timer) can change anything, so look again now and then.
        with anyio.move_on_after(self._harness.timeout):
            while True:
                await wait_idle()
                if ready():
                    return
                self._changed = anyio.Event()
                with anyio.move_on_after(_IDLE_POLL):
                    await self._changed.wait()
        raise self._timeout(waiting_for)

    def _timeout(self, waiting_for: str) -> BaseException:
        self._raise_if_over()
        return TestkitTimeoutError(self._harness.timeout_message(waiting_for))


async def _hand_over(writer: Writer[object], record: object) -> None:
    """Send through the feeder's writer and flush: the record is in the inlet's buffer."""
    await writer.send(record)
    await writer.flush()
