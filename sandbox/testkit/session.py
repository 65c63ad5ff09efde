"""The application around one streamlet under test.

The streamlet becomes an instance of a generated application: each inlet is
fed by a feeder over a topic named after the inlet, each outlet is drained by
a collector over a topic named after the outlet, and with
`on_error="dead-letter"` its dead letters go to a collector as well. The
runtime runs it all; the session keeps the feeds and sinks the test reads.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, final

import msgspec

from sandbox.blueprint.model import (
    DEFAULT_CAPACITY,
    Backoff,
    LogLevel,
    OnError,
    Restart,
    RuntimeKind,
    StreamletEntry,
)
from sandbox.config import parse_duration
from sandbox.records import DeadLetter
from sandbox.streamlet import Streamlet, StreamletSpec, streamlet_spec
from sandbox.testkit.errors import TestkitError, check_records, unknown_port
from sandbox.testkit.faults import Fault, add_fault
from sandbox.testkit.harness import Harness, LogCapture
from sandbox.testkit.parts import Feed, Sink, collector_class, feeder_class
from sandbox.testkit.plan import Plan, dns_name
from sandbox.testkit.results import StreamletResult
from sandbox.verification import DEAD_LETTERS

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.clock import Clock
    from sandbox.ports import Port

__all__ = ["NO_BACKOFF", "Session", "config_values", "parse_backoff", "resolve_streamlet"]

NO_BACKOFF: Final = Backoff(initial=0.0, maximum=0.0)
"""Restarts under test happen at once unless a test asks for a backoff."""

Config = msgspec.Struct | Mapping[str, object] | None
Records = Iterable[object] | AsyncIterable[object]


def resolve_streamlet(streamlet: object, what: str) -> tuple[type[Streamlet], Streamlet | None]:
    """The class of a streamlet given as a class or an instance, and the instance.

    Raises:
        TypeError: it is neither.
    """
    if isinstance(streamlet, type) and issubclass(streamlet, Streamlet):
        return streamlet, None
    if isinstance(streamlet, Streamlet):
        return type(streamlet), streamlet
    message = (
        f"{what}() takes a Streamlet class or instance, got {streamlet!r}; "
        "a plain function becomes one with @sandbox.processor, @sandbox.ingress or @sandbox.egress"
    )
    raise TypeError(message)


def config_values(config: Config) -> dict[str, object]:
    """Config as the values a blueprint would give (a Struct is taken apart)."""
    if config is None:
        return {}
    if isinstance(config, msgspec.Struct):
        values = msgspec.to_builtins(config)
        assert isinstance(values, dict)  # a Struct is encoded as a mapping
        return values
    return dict(config)


def parse_backoff(backoff: Backoff | str | float | None, default: Backoff) -> Backoff:
    """A Backoff from "100ms..10s", a fixed number of seconds, or as given."""
    if backoff is None:
        return default
    if isinstance(backoff, Backoff):
        return backoff
    if isinstance(backoff, int | float):
        return Backoff(initial=float(backoff), maximum=float(backoff))
    low, sep, high = backoff.partition("..")
    if not sep:
        msg = f"backoff must look like '100ms..10s' or be a number of seconds, got {backoff!r}"
        raise TestkitError(msg)
    try:
        initial, maximum = parse_duration(low.strip()), parse_duration(high.strip())
    except ValueError as exc:
        msg = f"backoff {backoff!r}: {exc}"
        raise TestkitError(msg) from None
    return Backoff(initial=initial.total_seconds(), maximum=maximum.total_seconds())


@final
class Session:
    """One streamlet under test, wired into a generated application.

    Args:
        streamlet: the class or instance under test.
        what: the calling function, for messages.
        inputs: records per inlet.
        probe: inlets without inputs stay open for a probe to send to (else
            they end at once).
        notify: called when a collector receives records or ends (probes).
        **options: the options of `open_streamlet`, all given.
    """

    def __init__(
        self,
        streamlet: object,
        *,
        what: str,
        inputs: Mapping[str, object],
        probe: bool,
        notify: Callable[[], None] | None,
        name: str | None,
        config: Config,
        clock: Clock,
        timeout: float,
        restart: Restart,
        max_restarts: int | None,
        backoff: Backoff | str | float | None,
        on_error: OnError,
        runtime: RuntimeKind,
        log_level: LogLevel | None,
        capacity: int | Mapping[str, int] | None,
        demand: Mapping[str, int] | None,
        faults: Mapping[str, Fault] | None,
        run_dir: Path | None,
    ) -> None:
        cls, given = resolve_streamlet(streamlet, what)
        self.spec: StreamletSpec = streamlet_spec(cls)
        self.name = name or dns_name(cls.__name__)
        self.given = given
        self._started = False
        self.instances: list[Streamlet] = [given if given is not None else cls()]
        self.feeds: dict[str, Feed] = {}
        self.feeders: dict[str, str] = {}  # inlet -> the feeder instance
        self.sinks: dict[str, Sink] = {}
        self.dead_letters = Sink(None, notify)
        self._capacity = capacity
        self._demand = dict(demand or {})
        self._check_names(inputs, demand, capacity, faults)
        plan = Plan(self.name)
        entry = StreamletEntry(
            name=self.name, class_ref=self.spec.ref, path=("streamlets", self.name),
            config=config_values(config), restart=restart, max_restarts=max_restarts,
            backoff=parse_backoff(backoff, NO_BACKOFF), on_error=on_error, runtime=runtime,
            log_level=log_level,
        )  # fmt: skip
        plan.add(self.name, cls, self._next_instance, entry=entry)
        for inlet in self.spec.inlets:
            self._feed(plan, inlet, inputs.get(inlet.name, None if probe else []))
        for outlet in self.spec.outlets:
            self._collect(plan, outlet, notify)
        if on_error == "dead-letter":
            collector = plan.unique("collect-dead-letters")
            factory = functools.partial(collector_class(DeadLetter), self.dead_letters)
            plan.add(collector, collector_class(DeadLetter), factory, role=lambda: None)
            path = f"{self.name}.{DEAD_LETTERS}"
            plan.connect(path, [path], [f"{collector}.in"])
        for port_name, fault in (faults or {}).items():
            faulty = self.spec.port(port_name)
            assert faulty is not None  # checked by _check_names
            add_fault(plan, port_name, fault, faulty.schema)
        self.harness = Harness(
            plan.verify(), what=f"{what}({cls.__qualname__})", factories=plan.factories,
            roles=plan.roles, clock=clock, timeout=timeout, run_dir=run_dir,
        )  # fmt: skip
        self.logs = LogCapture([f"sandbox.streamlet.{self.name}"])

    def _next_instance(self) -> Streamlet:
        # The first attempt gets the object made (or given) up front, so errors
        # in the constructor surface in the test; restarts get fresh ones.
        if self._started:
            instance = self.given if self.given is not None else self.spec.cls()
            self.instances.append(instance)
            return instance
        self._started = True
        return self.instances[0]

    def _check_names(
        self,
        inputs: Mapping[str, object],
        demand: Mapping[str, int] | None,
        capacity: int | Mapping[str, int] | None,
        faults: Mapping[str, Fault] | None,
    ) -> None:
        for name in inputs:
            self.inlet_port(name)
        for name in demand or {}:
            self.outlet_port(name)
        for mapping in (capacity, faults):
            if isinstance(mapping, Mapping):
                for name in mapping:
                    if self.spec.port(name) is None:
                        raise unknown_port(
                            self.name, name, "port", [p.name for p in self.spec.ports], []
                        )

    def inlet_port(self, name: str) -> Port[Any]:
        """The inlet called `name`; UnknownPortError naming the choices if none."""
        port = self.spec.port(name, "inlet")
        if port is None:
            raise unknown_port(
                self.name, name, "inlet", (p.name for p in self.spec.inlets),
                (p.name for p in self.spec.outlets),
            )  # fmt: skip
        return port

    def outlet_port(self, name: str) -> Port[Any]:
        """The outlet called `name` (or "dead-letters" when they are collected)."""
        port = self.spec.port(name, "outlet")
        if port is None:
            raise unknown_port(
                self.name, name, "outlet", (p.name for p in self.spec.outlets),
                (p.name for p in self.spec.inlets),
            )  # fmt: skip
        return port

    def _capacity_of(self, port: str, default: int) -> int:
        if isinstance(self._capacity, int):
            return self._capacity
        return (self._capacity or {}).get(port, default)

    def _feed(self, plan: Plan, port: Port[Any], records: object | None) -> None:
        where = f"inlet '{port.name}' of '{self.name}'"
        feed = Feed(
            where,
            port.schema,
            None if records is None else check_records(records, port.schema, where),
        )
        self.feeds[port.name] = feed
        feeder = self.feeders[port.name] = plan.unique(f"feed-{port.name}")
        cls = feeder_class(port.schema)
        plan.add(
            feeder,
            cls,
            functools.partial(cls, {"out": feed}),
            role=functools.partial(self._feed_role, feed, port.name),
        )
        capacity = self._capacity_of(port.name, DEFAULT_CAPACITY)
        plan.connect(port.name, [f"{feeder}.out"], [f"{self.name}.{port.name}"], capacity=capacity)

    def _collect(self, plan: Plan, port: Port[Any], notify: Callable[[], None] | None) -> None:
        demand = self._demand.get(port.name)
        sink = self.sinks[port.name] = Sink(demand, notify)
        collector = plan.unique(f"collect-{port.name}")
        cls = collector_class(port.schema)
        plan.add(
            collector,
            cls,
            functools.partial(cls, sink),
            role=functools.partial(self._sink_role, sink, port.name),
        )
        capacity = self._capacity_of(port.name, DEFAULT_CAPACITY if demand is None else 1)
        plan.connect(
            port.name, [f"{self.name}.{port.name}"], [f"{collector}.in"], capacity=capacity
        )

    @staticmethod
    def _feed_role(feed: Feed, port: str) -> str | None:
        if feed.finished:
            return None
        if feed.records is None:
            return (
                f"inlet '{port}' is still open: the streamlet may wait for more; "
                f"end it with probe.close('{port}')"
            )
        return (
            f"the testkit is still feeding inlet '{port}' ({feed.sent} records handed over so far)"
        )

    @staticmethod
    def _sink_role(sink: Sink, port: str) -> str | None:
        if sink.credit == 0 and not sink.ended:
            return (
                f"the probe takes no more records from outlet '{port}': its demand is used up; "
                f"grant more with probe.demand('{port}', n)"
            )
        return None

    def feed_error(self) -> BaseException | None:
        """An error a feeder hit (a wrong record from an async iterable)."""
        return next((feed.error for feed in self.feeds.values() if feed.error is not None), None)

    def result(self) -> StreamletResult:
        """The result of the run so far."""
        outcome = self.harness.outcome(
            list(self.logs.records),
            self.dead_letters.records,  # type: ignore[arg-type]  # a DeadLetter collector
        )
        statistics = outcome.statistics.streamlets[self.name]
        if (
            not self.harness.finished
        ):  # a probe's `completed`: the streamlet is done, the run not yet
            outcome.state = statistics.state
        return StreamletResult(
            {port: list(sink.records) for port, sink in self.sinks.items()},
            outcome,
            name=self.name,
            statistics=statistics,
            instances=list(self.instances),
        )
