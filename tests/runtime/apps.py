"""Streamlets, clocks and helpers for the runtime tests.

Blueprints written by the tests name these classes through `REF`, this
module's import name (`f"{REF}:Source"`), so they work however pytest put the
tests on `sys.path`. Every run gets its own `Probe`, found by the streamlets
through their `probe` config key: the streamlets record there what they sent
and received, and check that no producer runs more than a topic's capacity
ahead of a consumer.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator  # @processor reads annotations at run time
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import msgspec

from sandbox import (
    Context,
    DeadLetter,
    EndOfStream,
    Inlet,
    InletReader,
    Outlet,
    Streamlet,
    egress,
    processor,
)
from sandbox.transports.base import InletEndpoint

REF = __name__


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """A record that says who sent it: `origin` is the outlet ("streamlet.port")."""

    origin: str
    seq: int
    key: int = 0


class Probe:
    """What the streamlets of one run saw, shared with the test."""

    def __init__(self) -> None:
        self.sent: defaultdict[str, list[Item]] = defaultdict(list)  # per "streamlet.port"
        self.received: defaultdict[str, list[tuple[int, Item]]] = defaultdict(list)
        self.attempts: defaultdict[str, list[list[int]]] = defaultdict(list)
        self.letters: list[DeadLetter] = []
        self.failed_once: set[int] = set()
        # For the capacity check: "streamlet.port" -> [(consumer, capacity)].
        self.downstream: dict[str, list[tuple[str, int]]] = {}
        self.readers: dict[str, InletEndpoint[object]] = {}
        self.yielded: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.violations: list[str] = []
        self.expect: tuple[str, int] | None = None  # (consumer, count) that sets `arrived`

    # Events are made on first use, inside the event loop that runs the test.
    @functools.cached_property
    def gate(self) -> anyio.Event:
        """Set by a `Source` with `gate = true` after its last item."""
        return anyio.Event()

    @functools.cached_property
    def arrived(self) -> anyio.Event:
        """Set when the consumer named by `expect` has received its count of items."""
        return anyio.Event()

    def seqs(self, consumer: str, origin: str | None = None) -> list[int]:
        """The sequence numbers `consumer` received (from `origin`), in arrival order."""
        return [i.seq for _, i in self.received[consumer] if origin in (None, i.origin)]

    def receive(self, consumer: str, replica: int, item: Item, inlet: object) -> None:
        """Record one received item (call first thing in the loop body)."""
        if consumer not in self.readers and isinstance(inlet, InletEndpoint):
            self.readers[consumer] = inlet
        self.received[consumer].append((replica, item))
        self.yielded[consumer][item.origin] += 1
        if self.expect == (consumer, len(self.received[consumer])):
            self.arrived.set()

    def send(self, producer: str, item: Item) -> None:
        """Record one item whose `send` returned, and check the capacity bound."""
        self.sent[producer].append(item)
        self.check_ahead(producer)

    def check_ahead(self, producer: str) -> None:
        """A producer may be at most `capacity` records ahead of each consumer.

        "Ahead" is what the producer sent minus what the consumer's inlet has
        taken from its buffer. The consumer counts records as its loop sees
        them; an inlet takes a batch at a time, so the records it has taken
        but not yet yielded (`received` minus everything yielded) may include
        this producer's. Subtracting them all makes this a lower bound of the
        true lead, exact when the topic has one producer.
        """
        sent = len(self.sent[producer])
        for consumer, capacity in self.downstream.get(producer, ()):
            reader = self.readers.get(consumer)
            taken = reader.received if reader is not None else 0
            seen = self.yielded[consumer]
            ahead = sent - seen[producer] - (taken - sum(seen.values()))
            if ahead > capacity:
                self.violations.append(f"{producer} is {ahead} records ahead of {consumer}")


PROBES: dict[str, Probe] = {}
_ids = itertools.count()


def new_probe() -> tuple[str, Probe]:
    """A fresh probe and the name streamlets find it by."""
    name = f"probe-{next(_ids)}"
    PROBES[name] = probe = Probe()
    return name, probe


class Params(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Parameters every test streamlet understands.

    `yields[i % len(yields)]` is how many times the streamlet yields to the
    event loop after its i-th record: a delay that costs no real time.
    """

    probe: str
    yields: list[int] = []


async def _pause(yields: list[int], i: int) -> None:
    for _ in range(yields[i % len(yields)] if yields else 0):
        await anyio.lowlevel.checkpoint()


def _key(item: Item) -> int:
    return item.key


class Source(Streamlet):
    """Sends `count` items (forever when None, until stopping), keyed `seq % keys`."""

    out = Outlet(Item)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the source."""

        probe: str
        count: int | None = None
        keys: int = 1
        yields: list[int] = []
        pause: float = 0.0  # a `ctx.clock` sleep after each item
        gate: bool = False  # set the probe's gate after the last item

    async def run(self, ctx: Context[Source.Config]) -> None:
        """Send, record, pause; stop at `count` or when stopping."""
        cfg = ctx.config
        probe = PROBES[cfg.probe]
        origin = f"{ctx.name}.out"
        for seq in itertools.count() if cfg.count is None else range(cfg.count):
            if ctx.stopping.is_set():
                break
            item = Item(origin=origin, seq=seq, key=seq % cfg.keys)
            await self.out.send(item)
            probe.send(origin, item)
            await _pause(cfg.yields, seq)
            if cfg.pause:
                await ctx.clock.sleep(cfg.pause)
        if cfg.gate:
            probe.gate.set()


class KeyedSource(Source):
    """A source whose outlet spreads over consumer replicas by `Item.key`."""

    out = Outlet(Item, key=_key)


class Relay(Streamlet):
    """Forwards each item, restamped as its own."""

    Config = Params

    inlet = Inlet(Item, name="in")
    out = Outlet(Item)

    async def run(self, ctx: Context[Params]) -> None:
        """Receive, pause, send."""
        probe = PROBES[ctx.config.probe]
        origin = f"{ctx.name}.out"
        seq = 0
        async for item in self.inlet:
            probe.receive(ctx.name, ctx.replica, item, self.inlet)
            await _pause(ctx.config.yields, seq)
            sent = Item(origin=origin, seq=seq, key=item.key)
            await self.out.send(sent)
            probe.send(origin, sent)
            seq += 1


class Split(Streamlet):
    """A fan-out: the i-th item goes to `a` (i % 3 == 0), `b` (1) or both (2)."""

    Config = Params

    inlet = Inlet(Item, name="in")
    a = Outlet(Item)
    b = Outlet(Item)

    async def run(self, ctx: Context[Params]) -> None:
        """Route each item by its position."""
        probe = PROBES[ctx.config.probe]
        seqs = {"a": 0, "b": 0}
        i = 0
        async for item in self.inlet:
            probe.receive(ctx.name, ctx.replica, item, self.inlet)
            await _pause(ctx.config.yields, i)
            for port in (("a",), ("b",), ("a", "b"))[i % 3]:
                origin = f"{ctx.name}.{port}"
                sent = Item(origin=origin, seq=seqs[port])
                await (self.a if port == "a" else self.b).send(sent)
                probe.send(origin, sent)
                seqs[port] += 1
            i += 1


class Sink(Streamlet):
    """Records every item; logs "received N records" every `log_every`."""

    inlet = Inlet(Item, name="in")

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the sink."""

        probe: str
        yields: list[int] = []
        log_every: int = 0
        wait_gate: bool = False  # receive only once the probe's gate is set
        hang_after: int | None = None  # after this many items, never finish
        stop_after: int | None = None  # after this many items, return

    async def run(self, ctx: Context[Sink.Config]) -> None:
        """Receive until the inlet ends."""
        cfg = ctx.config
        probe = PROBES[cfg.probe]
        if cfg.wait_gate:
            await probe.gate.wait()
        n = 0
        async for item in self.inlet:
            probe.receive(ctx.name, ctx.replica, item, self.inlet)
            n += 1
            if cfg.log_every and n % cfg.log_every == 0:
                ctx.logger.info("received %d records", n)
            if cfg.hang_after is not None and n >= cfg.hang_after:
                await anyio.sleep_forever()
            if cfg.stop_after is not None and n >= cfg.stop_after:
                return
            await _pause(cfg.yields, n)


class Flaky(Streamlet):
    """An egress that raises on the items in `fail_on` (the first time only, unless `always`)."""

    inlet = Inlet(Item, name="in")

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the flaky egress."""

        probe: str
        fail_on: list[int] = []
        always: bool = False
        receive: bool = False  # take records with `receive()` instead of `async for`

    async def run(self, ctx: Context[Flaky.Config]) -> None:
        """Record what each attempt sees; fail as configured."""
        cfg = ctx.config
        probe = PROBES[cfg.probe]
        seen: list[int] = []
        probe.attempts[ctx.name].append(seen)
        async for item in _records(self.inlet, use_receive=cfg.receive):
            seen.append(item.seq)
            if item.seq in cfg.fail_on and (cfg.always or item.seq not in probe.failed_once):
                probe.failed_once.add(item.seq)
                _explode(item)
            probe.receive(ctx.name, ctx.replica, item, self.inlet)


async def _records(inlet: InletReader[Item], *, use_receive: bool) -> AsyncIterator[Item]:
    if not use_receive:
        async for item in inlet:
            yield item
        return
    while True:
        try:
            item = await inlet.receive()
        except EndOfStream:
            return
        yield item


def _explode(item: Item) -> None:
    msg = f"cannot handle record {item.seq}"
    raise RuntimeError(msg)


class Careful(Streamlet):
    """A class processor that opts in to `on-error` with `ctx.handling`; seq % 5 == 3 fails."""

    Config = Params

    inlet = Inlet(Item, name="in")
    out = Outlet(Item)

    async def run(self, ctx: Context[Params]) -> None:
        """Forward good items; bad ones raise inside `ctx.handling`."""
        probe = PROBES[ctx.config.probe]
        async for item in self.inlet:
            async with ctx.handling(item):
                checked = _check(item)
                await self.out.send(checked)
                probe.send(f"{ctx.name}.out", checked)


def _check(item: Item) -> Item:
    if item.seq % 5 == 3:
        msg = f"record {item.seq} is bad"
        raise ValueError(msg)
    return item


@processor
def picky(item: Item) -> Item:
    """Passes items on; raises ValueError on every item with seq % 5 == 3."""
    return _check(item)


@processor
async def picky_async(item: Item) -> Item:
    """`picky`, as an async function."""
    await anyio.lowlevel.checkpoint()
    return _check(item)


@processor
def double(item: Item) -> Item:
    """Doubles `seq` (and records the thread it ran in, for the thread kind)."""
    threads.add(threading.current_thread().name)
    return Item(origin=item.origin, seq=item.seq * 2, key=item.key)


threads: set[str] = set()  # where `double` ran


@processor
def burst(item: Item) -> Iterator[Item]:
    """Emits `seq % 3` copies of each item (none for multiples of 3)."""
    for _ in range(item.seq % 3):
        yield item


@egress(config=Params)
def collect(item: Item, ctx: Context[Params]) -> None:
    """A function egress that records what it receives."""
    PROBES[ctx.config.probe].receive(ctx.name, ctx.replica, item, None)


@egress
def sleepy(item: Item) -> None:
    """Blocks the event loop for 0.3 s on each item: the watchdog's subject."""
    time.sleep(0.3)


class LetterSink(Streamlet):
    """Consumes a `<name>.dead-letters` topic."""

    Config = Params

    inlet = Inlet(DeadLetter, name="in")

    async def run(self, ctx: Context[Params]) -> None:
        """Record each dead letter."""
        probe = PROBES[ctx.config.probe]
        async for letter in self.inlet:
            probe.letters.append(letter)


class ManualClock:
    """A clock the test advances by hand; `sleep` returns once it has."""

    def __init__(self) -> None:
        self._now = 0.0
        self._changed = anyio.Event()

    def now(self) -> float:
        """The time the test has advanced to."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced by `seconds`."""
        deadline = self._now + seconds
        while self._now < deadline:
            await self._changed.wait()

    def advance(self, seconds: float) -> None:
        """Move time forward, waking the sleepers whose time has come."""
        self._now += seconds
        self._changed.set()
        self._changed = anyio.Event()


class InstantClock:
    """A clock whose every sleep passes at once (restart backoff in tests)."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def now(self) -> float:
        """The sum of all sleeps so far."""
        return sum(self.slept)

    async def sleep(self, seconds: float) -> None:
        """Record the sleep and yield once."""
        self.slept.append(seconds)
        await anyio.lowlevel.checkpoint()


def write_blueprint(directory: Path, text: str, name: str = "app.toml") -> Path:
    """Write a blueprint (the `[blueprint]` header is added) and return its path."""
    path = directory / name
    path.write_text('[blueprint]\nname = "test-app"\n\n' + text, encoding="utf-8")
    return path


def events(run_dir: Path | str) -> list[dict[str, Any]]:
    """The run directory's `events.jsonl`, decoded."""
    lines = (Path(run_dir) / "events.jsonl").read_bytes().splitlines()
    return [msgspec.json.decode(line) for line in lines]
