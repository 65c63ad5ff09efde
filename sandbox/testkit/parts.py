"""The streamlets the testkit wires around the code under test.

A *feeder* is an ingress that sends a test's records into a topic; a
*collector* is an egress that hands what arrives to the test; a *tap*
collects and passes records on. They are ordinary streamlets run by the real
runtime over the real channels: the classes are generated per record schema
(and cached), and each run's data lives in the instance the runtime gets from
the testkit's factory.
"""

from __future__ import annotations

import typing
from collections import deque
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, ClassVar, TypeVar

import anyio

from sandbox.ports import Inlet, Outlet, Port
from sandbox.streamlet import Context, Streamlet, streamlet_spec
from sandbox.testkit.errors import PortClosedError, check_record

if typing.TYPE_CHECKING:
    from sandbox.transports.base import InletEndpoint, OutletEndpoint

__all__ = [
    "Collector",
    "Feed",
    "Feeder",
    "Sink",
    "Tap",
    "collector_class",
    "feeder_class",
    "replacement_class",
    "tap_class",
]

Records = Iterable[object] | AsyncIterable[object]


class Feed:
    """What one feeder outlet sends: given records, then the end of the stream.

    Args:
        where: what receives the records, for messages ("inlet 'in' of 'upper'").
        schema: the record type expected there.
        records: a list, an iterable or an async iterable; None when a probe
            sends the records one by one and closes the feed itself.
    """

    def __init__(self, where: str, schema: object, records: Records | None = None) -> None:
        self.where = where
        self.schema = schema
        self.records = records
        self.closed = records is not None
        self.finished = False
        self.error: BaseException | None = None
        self.sent = 0
        self._close_event: anyio.Event | None = None
        self.on_finished: Callable[[], None] | None = None

    def close(self) -> None:
        """No more records (a probe's `close`)."""
        self.closed = True
        if self._close_event is not None:
            self._close_event.set()

    def check_open(self) -> None:
        """Raise PortClosedError if the test already closed this feed."""
        if self.closed:
            msg = f"{self.where} was closed with close(); send records before closing it"
            raise PortClosedError(msg)

    async def run(self, out: OutletEndpoint[object]) -> None:
        """Send the records (or wait for the probe to close), then return."""
        try:
            records = self.records
            if records is None:
                if not self.closed:
                    self._close_event = anyio.Event()
                    await self._close_event.wait()
            elif isinstance(records, list):
                self.sent = len(records)
                await out.send_many(records)
            elif isinstance(records, AsyncIterable):
                async for record in records:
                    check_record(record, self.schema, self.where)
                    self.sent += 1
                    await out.send(record)
            else:
                for record in records:
                    check_record(record, self.schema, self.where)
                    self.sent += 1
                    await out.send(record)
        except Exception as exc:  # reported by the harness as the test's error
            self.error = exc
            raise
        finally:
            self.finished = True
            if self.on_finished is not None:
                self.on_finished()


class Feeder(Streamlet):
    """Base of generated feeders: one `Feed` per outlet."""

    ports: ClassVar[tuple[Port[Any], ...]] = ()

    def __init__(self, feeds: dict[str, Feed]) -> None:
        self.feeds = feeds

    async def run(self, ctx: Context[None]) -> None:
        """Send every feed, concurrently when there are several outlets."""
        bound = vars(self)
        feeds = [
            (feed, bound[port.attribute])
            for port in self.ports
            if (feed := self.feeds.get(port.name))
        ]
        if len(feeds) == 1:
            await feeds[0][0].run(feeds[0][1])
            return
        async with anyio.create_task_group() as tg:
            for feed, writer in feeds:
                tg.start_soon(feed.run, writer)


class Sink:
    """Where a collector puts records, with optional demand (credit) control.

    Args:
        demand: how many records the collector may take; None for no limit.
        notify: called whenever records arrive or the stream ends.
    """

    def __init__(self, demand: int | None = None, notify: Callable[[], None] | None = None) -> None:
        self.records: list[object] = []
        self.queue: deque[object] = deque()
        self.credit = demand
        self.ended = False
        self.notify = notify
        self._credit_event: anyio.Event | None = None

    def grant(self, n: int | None) -> None:
        """Allow `n` more records (None: no limit from now on)."""
        self.credit = None if n is None or self.credit is None else self.credit + n
        if self._credit_event is not None:
            self._credit_event.set()

    async def collect(
        self, reader: InletEndpoint[object], out: OutletEndpoint[object] | None
    ) -> None:
        """Take records until the stream ends, within the credit."""
        records, queue, notify = self.records, self.queue, self.notify
        while True:
            while self.credit == 0:
                self._credit_event = anyio.Event()
                await self._credit_event.wait()
            batch = await reader.receive_batch(self.credit or 0)
            if batch is None:
                break
            if self.credit is not None:
                self.credit -= len(batch)
            records.extend(batch)
            if notify is not None:
                queue.extend(batch)
                notify()
            if out is not None:
                await out.send_many(batch)
        self.ended = True
        if notify is not None:
            notify()


class Collector(Streamlet):
    """Base of generated collectors: an egress filling a `Sink`."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def run(self, ctx: Context[None]) -> None:
        """Collect until the topic ends."""
        await self.sink.collect(vars(self)["inlet"], None)


class Tap(Streamlet):
    """Base of generated taps: collects records and passes them on."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def run(self, ctx: Context[None]) -> None:
        """Collect and forward until the topic ends."""
        await self.sink.collect(vars(self)["inlet"], vars(self)["out"])


S = TypeVar("S", bound=Streamlet)
_CACHE: dict[tuple[str, object], type[Streamlet]] = {}


def cached_class(role: str, key: object, make: Callable[[], type[S]]) -> type[S]:
    # The classes are immutable; caching them keeps their spec (derived once per
    # class) from being derived again by every test that uses the same schema.
    try:
        cls = _CACHE.get((role, key))
    except TypeError:  # an unhashable schema: make a class each time
        return make()
    if cls is None:
        cls = _CACHE[(role, key)] = make()
    return cls  # type: ignore[return-value]  # made by `make` for this role and key


def named_class(name: str, base: type[S], attrs: dict[str, object]) -> type[S]:
    attrs = {"__module__": __name__, "__qualname__": name, **attrs}
    return type(name, (base,), attrs)


def feeder_class(schema: object) -> type[Feeder]:
    """A feeder with one outlet `out` of `schema`."""

    def make() -> type[Feeder]:
        out: Outlet[Any] = Outlet(schema, name="out")  # type: ignore[arg-type]  # a schema object
        return named_class("Feeder", Feeder, {"out": out, "ports": (out,)})

    return cached_class("feeder", schema, make)


def replacement_class(original: type[Streamlet]) -> type[Feeder]:
    """A feeder with the outlets (names, schemas, keys) and Config of an ingress it replaces.

    Keeping the Config lets the blueprint's config of the instance verify as before.
    """

    def make() -> type[Feeder]:
        spec = streamlet_spec(original)
        attrs: dict[str, object] = {port.attribute: port for port in spec.outlets}
        attrs.update(ports=spec.outlets, Config=spec.config_type)
        return named_class(f"Replaced{original.__name__}", Feeder, attrs)

    return cached_class("replacement", original, make)


def collector_class(schema: object) -> type[Collector]:
    """A collector with one inlet `in` of `schema`."""

    def make() -> type[Collector]:
        return named_class("Collector", Collector, {"inlet": Inlet(schema, name="in")})  # type: ignore[arg-type]  # a schema object

    return cached_class("collector", schema, make)


def tap_class(schema: object) -> type[Tap]:
    """A tap: inlet `in` and outlet `out` of `schema`."""

    def make() -> type[Tap]:
        attrs: dict[str, object] = {
            "inlet": Inlet(schema, name="in"),  # type: ignore[arg-type]  # a schema object
            "out": Outlet(schema, name="out"),  # type: ignore[arg-type]  # a schema object
        }
        return named_class("Tap", Tap, attrs)

    return cached_class("tap", schema, make)
