"""Ingress-to-egress latency at a trickle: 1,000 records/s through a map.

The ingress stamps each `Tick` with `time.perf_counter_ns()` as it creates it,
paced on the real clock (`ctx.clock`) at `rate` records/s; a map copies it
into a new record, like W1's map; the egress appends `now - stamp` to
`LATENCIES`. In function style the ingress is an async generator (sleeping
between records), in class style a `Streamlet` that sends and sleeps.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator  # the decorators resolve annotations at runtime
from functools import partial
from typing import TYPE_CHECKING, Final

import anyio
import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, egress, ingress, processor
from sandbox.runtime.api import run_async

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["LATENCIES", "blueprint_toml", "measure"]

MODULE: Final = "latency"
LATENCIES: Final[list[int]] = []  # nanoseconds, in arrival order


class Tick(msgspec.Struct, gc=False):
    """A record carrying its creation time."""

    seq: int
    sent_ns: int


class TickConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How many ticks, how fast."""

    count: int = 3000
    rate: float = 1000.0


async def _paced(ctx: Context[TickConfig]) -> AsyncIterator[int]:
    # Yields sequence numbers on an absolute schedule, so sleep overshoot does not add up.
    interval = 1.0 / ctx.config.rate
    next_at = ctx.clock.now()
    for seq in range(ctx.config.count):
        yield seq
        next_at += interval
        delay = next_at - ctx.clock.now()
        if delay > 0:
            await ctx.clock.sleep(delay)


def relay(t: Tick) -> Tick:
    """The map: a new record, as W1's map makes one."""
    return Tick(t.seq, t.sent_ns)


# --- function style ------------------------------------------------------------


@ingress(config=TickConfig)
async def ticks_fn(ctx: Context[TickConfig]) -> AsyncIterator[Tick]:
    """Ticks at `rate` per second."""
    async for seq in _paced(ctx):
        yield Tick(seq, time.perf_counter_ns())


RelayFn = processor(relay)


@egress
def latency_fn(t: Tick) -> None:
    """Record how long the tick took to get here."""
    LATENCIES.append(time.perf_counter_ns() - t.sent_ns)


# --- class style ---------------------------------------------------------------


class TicksCls(Streamlet):
    """Ticks at `rate` per second."""

    out = Outlet(Tick)
    Config = TickConfig

    async def run(self, ctx: Context[TickConfig]) -> None:
        """Send the ticks."""
        async for seq in _paced(ctx):
            await self.out.send(Tick(seq, time.perf_counter_ns()))


class RelayCls(Streamlet):
    """The map."""

    inlet = Inlet(Tick, name="in")
    out = Outlet(Tick)

    async def run(self, ctx: Context[None]) -> None:
        """Relay every tick."""
        async for t in self.inlet:
            await self.out.send(relay(t))


class LatencyCls(Streamlet):
    """Record how long each tick took to get here."""

    inlet = Inlet(Tick, name="in")

    async def run(self, ctx: Context[None]) -> None:
        """Append each latency."""
        async for t in self.inlet:
            LATENCIES.append(time.perf_counter_ns() - t.sent_ns)


CLASSES: Final = {
    "function": ("ticks_fn", "RelayFn", "latency_fn"),
    "class": ("TicksCls", "RelayCls", "LatencyCls"),
}


def blueprint_toml(style: str, count: int, rate: float) -> str:
    """ticks -> relay -> latency, in `style`."""
    source, relay_cls, sink = (f"{MODULE}:{name}" for name in CLASSES[style])
    return f"""\
[blueprint]
name = "latency-{style}"

[streamlets]
ticks = {{ class = "{source}", config = {{ count = {count}, rate = {rate} }} }}
relay = {{ class = "{relay_cls}" }}
latency = {{ class = "{sink}" }}

[topics.ticks]
producers = ["ticks.out"]
consumers = ["relay.in"]

[topics.relayed]
producers = ["relay.out"]
consumers = ["latency.in"]
"""


def _percentile(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted nanoseconds, in milliseconds."""
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
    return ordered[index] / 1e6


def measure(style: str, count: int, rate: float, workdir: Path) -> dict[str, object]:
    """Run the latency blueprint once; latency percentiles in ms."""
    path = workdir / f"latency-{style}.toml"
    path.write_text(blueprint_toml(style, count, rate), encoding="utf-8")
    anyio.run(anyio.sleep, 0)  # import anyio's backend before the run
    LATENCIES.clear()
    started = time.perf_counter()
    result = anyio.run(partial(run_async, path, run_dir=workdir / "run"))
    seconds = time.perf_counter() - started
    ordered = sorted(LATENCIES)
    return {
        "state": result.state,
        "failure": str(result.failure) if result.failure else None,
        "received": len(ordered),
        "seconds": round(seconds, 3),
        "rate_achieved": round(len(ordered) / seconds, 1),
        "p50_ms": round(_percentile(ordered, 0.50), 3),
        "p99_ms": round(_percentile(ordered, 0.99), 3),
        "max_ms": round(ordered[-1] / 1e6, 3) if ordered else None,
        "ok": result.state == "completed" and len(ordered) == count,
    }
