"""W1/W2/W3 as sandbox streamlets, in two styles, and their blueprints.

Function style: an `@ingress` returning the source generator, `@processor`
maps (the peers' `f_map`/`f_a`/`f_b` themselves, decorated), an
`@processor` filter returning the record or None, an `@egress` sink (W3: an
async egress that burns ~1 us and awaits `asyncio.sleep(0)` per record).

Class style: `Streamlet` subclasses written the way a user would, with
`async for record in self.inlet:` and `await self.out.send(...)`.

The sinks add their count and sum to the module-level `TALLY`, which the
benchmark process reads after the run to check the checksum (a benchmark
shortcut; streamlets in an application would not share state this way).
Blueprints refer to the classes as `workloads:<Class>`, so this module must be
importable as `workloads` (bench/ is on sys.path when bench/pipeline.py runs).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator  # the decorators resolve annotations at runtime
from typing import Final, final

import msgspec
from records import Reading, burn, f_a, f_b, f_keep, f_map, readings

from sandbox import Context, Inlet, Outlet, Streamlet, egress, ingress, processor

__all__ = ["STYLES", "TALLY", "WORKLOADS", "Tally", "blueprint_toml"]

WORKLOADS: Final = ("W1", "W2", "W3")
STYLES: Final = ("function", "class")
MODULE: Final = "workloads"


@final
class Tally:
    """What the sinks saw: record count and sum of values."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0

    def reset(self) -> None:
        """Forget earlier runs."""
        self.count, self.total = 0, 0.0


TALLY: Final = Tally()


class SourceConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How many readings the source emits."""

    n: int = 1000


# --- function style ------------------------------------------------------------


@ingress(config=SourceConfig)
def source_fn(ctx: Context[SourceConfig]) -> Iterator[Reading]:
    """The source generator (returned as is: no extra generator layer)."""
    return readings(ctx.config.n)


def keep(r: Reading) -> Reading | None:
    """W1 filter as a processor: the record, or None to drop it (`f_keep` inlined)."""
    return r if r.id % 3 != 0 else None


MapFn = processor(f_map)
KeepFn = processor(keep)
MapAFn = processor(f_a)
MapBFn = processor(f_b)


@egress
def sink_fn(r: Reading) -> None:
    """Count and sum."""
    tally = TALLY
    tally.count += 1
    tally.total += r.value


@egress
async def slow_sink_fn(r: Reading) -> None:
    """W3: count and sum, ~1 us of work, then yield to the event loop."""
    tally = TALLY
    tally.count += 1
    tally.total += r.value
    burn(r)
    await asyncio.sleep(0)


# --- class style ---------------------------------------------------------------


class SourceCls(Streamlet):
    """Sends the readings one by one."""

    out = Outlet(Reading)
    Config = SourceConfig

    async def run(self, ctx: Context[SourceConfig]) -> None:
        """Emit `n` readings."""
        for r in readings(ctx.config.n):
            await self.out.send(r)


class MapCls(Streamlet):
    """W1/W3 map."""

    inlet = Inlet(Reading, name="in")
    out = Outlet(Reading)

    async def run(self, ctx: Context[None]) -> None:
        """Map every reading."""
        async for r in self.inlet:
            await self.out.send(f_map(r))


class KeepCls(Streamlet):
    """W1 filter."""

    inlet = Inlet(Reading, name="in")
    out = Outlet(Reading)

    async def run(self, ctx: Context[None]) -> None:
        """Pass on the readings `f_keep` keeps."""
        async for r in self.inlet:
            if f_keep(r):
                await self.out.send(r)


class MapACls(Streamlet):
    """W2 branch A."""

    inlet = Inlet(Reading, name="in")
    out = Outlet(Reading)

    async def run(self, ctx: Context[None]) -> None:
        """Map every reading with `f_a`."""
        async for r in self.inlet:
            await self.out.send(f_a(r))


class MapBCls(Streamlet):
    """W2 branch B."""

    inlet = Inlet(Reading, name="in")
    out = Outlet(Reading)

    async def run(self, ctx: Context[None]) -> None:
        """Map every reading with `f_b`."""
        async for r in self.inlet:
            await self.out.send(f_b(r))


class SinkCls(Streamlet):
    """Count and sum."""

    inlet = Inlet(Reading, name="in")

    async def run(self, ctx: Context[None]) -> None:
        """Count and sum every reading, then report to `TALLY`."""
        count, total = 0, 0.0
        async for r in self.inlet:
            count += 1
            total += r.value
        TALLY.count += count
        TALLY.total += total


class SlowSinkCls(Streamlet):
    """W3: count and sum, ~1 us of work and a turn of the event loop per record."""

    inlet = Inlet(Reading, name="in")

    async def run(self, ctx: Context[None]) -> None:
        """Count, sum and burn; report to `TALLY`."""
        count, total = 0, 0.0
        async for r in self.inlet:
            count += 1
            total += r.value
            burn(r)
            await asyncio.sleep(0)
        TALLY.count += count
        TALLY.total += total


# --- blueprints ----------------------------------------------------------------

# role -> class name in this module, per style
CLASSES: Final = {
    "function": {
        "source": "source_fn", "map": "MapFn", "filter": "KeepFn", "map-a": "MapAFn",
        "map-b": "MapBFn", "sink": "sink_fn", "slow-sink": "slow_sink_fn",
    },
    "class": {
        "source": "SourceCls", "map": "MapCls", "filter": "KeepCls", "map-a": "MapACls",
        "map-b": "MapBCls", "sink": "SinkCls", "slow-sink": "SlowSinkCls",
    },
}  # fmt: skip

Topic = tuple[str, list[str], list[str]]  # name, producers, consumers


def topology(workload: str) -> tuple[dict[str, str], list[Topic]]:
    """Instance name -> role, and the topics, of a workload."""
    if workload == "W2":
        roles = {"source": "source", "map-a": "map-a", "map-b": "map-b", "sink": "sink"}
        topics: list[Topic] = [
            ("readings", ["source.out"], ["map-a.in", "map-b.in"]),  # fan-out
            ("mapped", ["map-a.out", "map-b.out"], ["sink.in"]),  # fan-in
        ]
        return roles, topics
    if workload == "W1":
        roles = {"source": "source", "map": "map", "filter": "filter", "sink": "sink"}
    else:
        roles = {"source": "source", "map": "map", "sink": "slow-sink"}
    names = list(roles)
    topics = [(f"{a}-to-{b}", [f"{a}.out"], [f"{b}.in"]) for a, b in itertools.pairwise(names)]
    return roles, topics


def _list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def blueprint_toml(workload: str, style: str, n: int) -> str:
    """The blueprint of `workload` in `style` with a source of `n` readings."""
    roles, topics = topology(workload)
    lines = [f'[blueprint]\nname = "{workload.lower()}-{style}"\n', "[streamlets]"]
    for name, role in roles.items():
        ref = f"{MODULE}:{CLASSES[style][role]}"
        config = f", config = {{ n = {n} }}" if role == "source" else ""
        lines.append(f'{name} = {{ class = "{ref}"{config} }}')
    for topic, producers, consumers in topics:
        lines += ["", f"[topics.{topic}]", f"producers = {_list(producers)}"]
        lines.append(f"consumers = {_list(consumers)}")
    return "\n".join(lines) + "\n"
