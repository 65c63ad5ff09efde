"""The scheduler: every streamlet replica as a supervised task in one task group."""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any, final

import anyio

from sandbox.clock import Clock, SystemClock
from sandbox.functions import FunctionStreamlet
from sandbox.runtime.batches import run_function
from sandbox.runtime.failures import Failure, backoff_delay, dead_letter, failure
from sandbox.runtime.kinds import executor_for
from sandbox.runtime.stall import StallWatchdog
from sandbox.runtime.stats import Slot, Statistics, summarise
from sandbox.runtime.watchdog import LoopWatchdog
from sandbox.streamlet import Context, ErrorHandler, Streamlet
from sandbox.transports.memory import MemoryTransport
from sandbox.verification import DEAD_LETTERS, Application, Instance

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sandbox.runtime.rundir import RunDirectory
    from sandbox.transports.base import Transport

__all__ = ["Runtime"]

_log = logging.getLogger("sandbox.runtime")

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


@final
class Runtime:
    """Runs a verified application until it completes, stops or fails.

    Args:
        application: a verified application (no errors).
        run_dir: where the log, events and metrics go.
        clock: `ctx.clock` of every streamlet; a fake clock in tests.
        transport: carries records; the in-memory transport by default.
        drain_timeout: after a stop, how long the rest may take to drain.
        stall_timeout: seconds a replica may leave records waiting on its
            inlet without progress before it is flagged stalled (None: never).
        factories: per instance name, what makes the streamlet object of each
            attempt instead of calling its class (the testkit runs a given
            instance, and its own feeders and collectors, this way).
        watch_loop: run the blocked-event-loop watchdog (a thread); the
            testkit turns it off for short runs.
    """

    def __init__(
        self,
        application: Application,
        *,
        run_dir: RunDirectory,
        clock: Clock | None = None,
        transport: Transport | None = None,
        drain_timeout: float = 10.0,
        stall_timeout: float | None = 10.0,
        factories: Mapping[str, Callable[[], Streamlet]] | None = None,
        watch_loop: bool = True,
    ) -> None:
        self.application = application
        self.factories = dict(factories or {})
        self.watch_loop = watch_loop
        self.run_dir = run_dir
        self.clock: Clock = clock or SystemClock()
        self.transport: Transport = transport or MemoryTransport(application)
        self.drain_timeout = drain_timeout
        self.stall_timeout = stall_timeout
        self.failure: Failure | None = None
        self.error: BaseException | None = None  # the exception behind `failure`
        self.state = "starting"
        self.undelivered = 0
        self.slots: dict[str, list[Slot]] = {
            name: [self._slot(instance, r) for r in range(instance.entry.replicas)]
            for name, instance in application.instances.items()
        }
        self._stopping: anyio.Event | None = None
        self._replicas: anyio.CancelScope | None = None
        self._started = time.monotonic()
        self._rates: dict[str, tuple[float, float]] = {}
        self._last: tuple[float, dict[str, tuple[int, int]]] = (self._started, {})
        self._rng = random.Random()

    def _slot(self, instance: Instance, replica: int) -> Slot:
        name, spec = instance.name, instance.spec
        inlets = {p.name: self.transport.inlet(name, p.name, replica) for p in spec.inlets}
        outlets = {p.name: self.transport.outlet(name, p.name, replica) for p in spec.outlets}
        if self._dead_letters_consumed(name):
            outlets[DEAD_LETTERS] = self.transport.outlet(name, DEAD_LETTERS, replica)
        return Slot(name, replica, inlets, outlets)

    def _dead_letters_consumed(self, name: str) -> bool:
        return any(
            p.streamlet == name and p.port == DEAD_LETTERS
            for c in self.application.connections.values()
            for p in c.producers
        )

    # --- control -----------------------------------------------------------------

    def stop(self) -> None:
        """Graceful stop: ingresses see `ctx.stopping`, the rest drains."""
        if self._stopping is not None and not self._stopping.is_set():
            self.run_dir.event("stopping")
            self._stopping.set()

    @property
    def stopping(self) -> bool:
        """True once a graceful stop was asked for."""
        return self._stopping is not None and self._stopping.is_set()

    def cancel(self) -> None:
        """Cancel every replica now; what is left in buffers is undelivered."""
        if self._replicas is not None:
            self.run_dir.event("cancelling")
            self._replicas.cancel()

    async def run(self, *, duration: float | None = None) -> None:
        """Run every replica until all have returned (or stop, failure, cancel)."""
        self._stopping = anyio.Event()
        self._started = time.monotonic()
        self.state = "running"
        self.run_dir.event("started", application=self.application.name)
        async with anyio.create_task_group() as helpers:
            helpers.start_soon(self._drain_guard)
            if self.watch_loop:
                watchdog = LoopWatchdog(self._replica_labels(), self._blocked)
                helpers.start_soon(watchdog.run)
            if self.stall_timeout:
                stalls = StallWatchdog(
                    self.application, self.slots, self.transport, self.run_dir,
                    timeout=self.stall_timeout,
                )  # fmt: skip
                helpers.start_soon(stalls.run)
            if duration is not None:
                helpers.start_soon(self._stop_after, duration)
            async with anyio.create_task_group() as replicas:
                self._replicas = replicas.cancel_scope
                for slots in self.slots.values():
                    for slot in slots:
                        replicas.start_soon(self._supervise, slot, name=slot.label)
            helpers.cancel_scope.cancel()
        self._finish()

    def _finish(self) -> None:
        lost = 0
        for slots in self.slots.values():
            for s in slots:
                lost += sum(w.pending for w in s.outlets.values())
                if s.state != "completed":  # taken but unfinished: discarded and counted below
                    for reader in s.inlets.values():
                        reader.requeue()
        self.undelivered = self.transport.discard() + lost
        cancelled = self._replicas is not None and self._replicas.cancel_called
        if self.failure is not None:
            self.state = "failed"
        elif cancelled:
            self.state = "cancelled"
        else:
            self.state = "stopped" if self._stopping and self._stopping.is_set() else "completed"
        for slots in self.slots.values():
            for slot in slots:
                if slot.state not in ("completed", "failed"):
                    slot.state = "cancelled"
        self.run_dir.event(self.state, undelivered=self.undelivered)

    def _replica_labels(self) -> frozenset[str]:
        return frozenset(slot.label for slots in self.slots.values() for slot in slots)

    def _blocked(self, label: str | None, seconds: float) -> None:
        who = f"streamlet {label}" if label else "code outside any streamlet"
        _log.warning(
            "%s blocked the event loop for more than %.0f ms; move blocking work to "
            'runtime = "thread" or "process", or await anyio.to_thread.run_sync(...)',
            who,
            seconds * 1000,
        )
        self.run_dir.event("blocked", label, seconds=round(seconds, 3))

    async def _stop_after(self, seconds: float) -> None:
        await anyio.sleep(seconds)
        self.stop()

    async def _drain_guard(self) -> None:
        assert self._stopping is not None  # set by run() before this task starts
        await self._stopping.wait()
        await anyio.sleep(self.drain_timeout)
        self.run_dir.event("drain-timeout", seconds=self.drain_timeout)
        self.cancel()

    # --- replicas ----------------------------------------------------------------

    async def _supervise(self, slot: Slot) -> None:
        instance = self.application.instances[slot.name]
        entry = instance.entry
        while True:
            error = await self._attempt(slot, instance)
            if error is None:
                for reader in slot.inlets.values():
                    reader.release()  # it returned: what it took but never saw is not lost
                if not self._restart_completed(slot, instance):
                    break
                error = RuntimeError("returned while restart = 'always'")
            limit = entry.max_restarts
            if entry.restart == "never" or (limit is not None and slot.restarts >= limit):
                self._fail(slot, error)
                return
            for reader in slot.inlets.values():
                reader.requeue()
            delay = backoff_delay(entry.backoff, slot.restarts, self._rng)
            slot.restarts += 1
            slot.state = "restarting"
            self.run_dir.event(
                "restarting",
                slot.name,
                replica=slot.replica,
                attempt=slot.restarts,
                delay=round(delay, 3),
                error=f"{type(error).__name__}: {error}",
            )
            await self.clock.sleep(delay)
        for writer in slot.outlets.values():
            await writer.flush()
            writer.close()
        unread = sum(reader.close() for reader in slot.inlets.values())
        if unread:
            _log.warning("%s finished with %d records unread on its inlets", slot.label, unread)
        slot.state = "completed"
        self.run_dir.event("completed", slot.name, replica=slot.replica)

    def _restart_completed(self, slot: Slot, instance: Instance) -> bool:
        """`restart = "always"` restarts a replica that returned, unless its work is over."""
        if instance.entry.restart != "always" or self._stopping is None:
            return False
        if self._stopping.is_set():
            return False
        return not slot.inlets or not all(r.ended for r in slot.inlets.values())

    def _fail(self, slot: Slot, error: BaseException) -> None:
        slot.state = "failed"
        if self.failure is None:
            self.failure = failure(slot.name, slot.replica, error)
            self.error = error
        self.run_dir.event(
            "failed",
            slot.name,
            replica=slot.replica,
            error=f"{type(error).__name__}: {error}",
            traceback=self.failure.traceback,
        )
        self.cancel()

    def _context(self, slot: Slot, instance: Instance) -> Context[Any]:
        assert self._stopping is not None  # set by run()
        logger = logging.getLogger(f"sandbox.streamlet.{slot.name}")
        if instance.entry.log_level is not None:
            logger.setLevel(_LEVELS[instance.entry.log_level])
        return Context(
            config=instance.config,
            name=slot.name,
            clock=self.clock,
            stopping=self._stopping,
            replica=slot.replica,
            replicas=instance.entry.replicas,
            logger=logger,
            volumes=self.run_dir.path / "volumes",
        )

    def _bind(self, slot: Slot, instance: Instance) -> Streamlet:
        streamlet = self.factories.get(slot.name, instance.spec.cls)()
        ports = vars(streamlet)
        for inlet in instance.spec.inlets:
            ports[inlet.attribute] = slot.inlets[inlet.name]
        for outlet in instance.spec.outlets:
            ports[outlet.attribute] = slot.outlets[outlet.name]
        return streamlet

    async def _attempt(self, slot: Slot, instance: Instance) -> Exception | None:
        ctx = self._context(slot, instance)
        ctx.on_error = self._on_error(slot, instance, ctx)
        streamlet = self._bind(slot, instance)
        cls = instance.spec.cls
        slot.state = "running"
        self.run_dir.event("ready", slot.name, replica=slot.replica, attempt=slot.restarts)
        executor = executor_for(instance.entry.runtime, cls)
        error: Exception | None = None
        try:
            # The user's code runs as a task of its own, so resuming it on
            # every await does not pass through the supervisor's frames.
            async with anyio.create_task_group() as tg:
                if issubclass(cls, FunctionStreamlet):
                    inlet, outlet = slot.inlets.get("in"), slot.outlets.get("out")
                    info = cls.__sandbox_function__
                    body = run_function(info, ctx, inlet, outlet, executor, ctx.on_error)
                    tg.start_soon(lambda: body, name=slot.label)
                else:
                    tg.start_soon(streamlet.run, ctx, name=slot.label)
        except* Exception as group:
            error = _first(group)
        finally:
            executor.close()
        if error is not None:
            slot.errors += 1
            ctx.logger.error("failed: %s: %s", type(error).__name__, error)
        return error

    def _on_error(self, slot: Slot, instance: Instance, ctx: Context[Any]) -> ErrorHandler | None:
        mode = instance.entry.on_error
        if mode == "fail":
            return None
        writer = slot.outlets.get(DEAD_LETTERS)
        port = next(iter(slot.inlets), "in")

        async def handle(record: object, exc: Exception) -> None:
            slot.errors += 1
            if mode == "skip":
                slot.skipped += 1
                ctx.logger.warning("skipped a record: %s: %s", type(exc).__name__, exc)
                return
            slot.dead_letters += 1
            letter = dead_letter(slot.name, port, record, exc)
            if writer is not None:
                await writer.send(letter)
            else:
                self.run_dir.dead_letter(letter)

        return handle

    # --- statistics --------------------------------------------------------------

    def statistics(self) -> Statistics:
        """A snapshot: per streamlet state and counters, per topic consumer buffers."""
        now = time.monotonic()
        totals = {
            name: (
                sum(r.received for s in slots for r in s.inlets.values()),
                sum(w.sent for s in slots for w in s.outlets.values()),
            )
            for name, slots in self.slots.items()
        }
        then, previous = self._last
        if now - then >= 0.5:
            dt = now - then
            self._rates = {
                name: (
                    (i - previous.get(name, (0, 0))[0]) / dt,
                    (o - previous.get(name, (0, 0))[1]) / dt,
                )
                for name, (i, o) in totals.items()
            }
            self._last = (now, totals)
        return Statistics(
            application=self.application.name,
            elapsed=now - self._started,
            state=self.state,
            streamlets={
                name: summarise(name, slots, self._rates.get(name, (0.0, 0.0)))
                for name, slots in self.slots.items()
            },
            topics=self.transport.topics(),
            buffered=self.transport.buffered(),
        )


def _first(group: ExceptionGroup[Exception]) -> Exception:
    """The exception the user's task raised (a group only if they raised one)."""
    return group.exceptions[0]
