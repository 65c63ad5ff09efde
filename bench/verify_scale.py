"""How long does `sandbox.verify` take on a large application?

Generates, in a temporary directory, a blueprint of 500 streamlet instances and
1000 topics next to a module of streamlet classes (ingress, processor, fan-out,
fan-in and egress shapes, class and function streamlets, over nested msgspec
schemas). Every port is connected; producers send a richer schema than their
consumers read (extra fields, `int` into `float`, enums into literals, tagged
unions, nested lists and dicts), so each of the ~1000 producer/consumer pairs
goes through the full compatibility check. Some topics merge several producers,
some feed several consumers, some are written with the `[connections]`
shorthand or with the port left out.

The blueprint must verify clean; then `sandbox.verify(path)` and, for where the
time goes, `sandbox.load_blueprint(path)` are timed in-process. Each run starts
cold: the generated module is dropped from `sys.modules`, so classes are
imported and their specs derived again, as in a fresh `sandbox verify`.

Run from the project root:

    .venv/bin/python bench/verify_scale.py [--runs 7] [--format toml|yaml] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import yaml

import sandbox

if TYPE_CHECKING:
    from collections.abc import Callable

GOAL_SECONDS: Final = 1.0
STREAMLETS: Final = 500
TOPICS: Final = 1000
LANES: Final = 8  # outlets of a fan-out, inlets of a fan-in
MODULE: Final = "verify_scale_streamlets"  # unique: never clashes with a real module

MODULE_SOURCE: Final = '''\
"""Streamlet classes of the verify_scale benchmark (generated)."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, egress, processor

LANES = 8


# --- readings: producers send ReadingOut, consumers read Reading or ReadingSummary -----


class Status(enum.Enum):
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"


class Position(msgspec.Struct, frozen=True, kw_only=True):
    lat: float
    lon: float
    alt: float | None = None


class PositionOut(msgspec.Struct, frozen=True, kw_only=True):
    lat: float
    lon: float
    alt: int
    accuracy: float


class Measurements(msgspec.Struct, frozen=True, kw_only=True):
    power: float
    rotor_speed: float
    wind_speed: Annotated[float, msgspec.Meta(ge=0)]
    samples: list[float] = []


class MeasurementsOut(msgspec.Struct, frozen=True, kw_only=True):
    power: float
    rotor_speed: float
    wind_speed: Annotated[float, msgspec.Meta(ge=0, le=100)]
    samples: list[int]
    unit: str


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    device_id: str
    timestamp: float
    position: Position
    measurements: Measurements
    status: Literal["ok", "degraded", "failed"]
    tags: dict[str, str] = {}


class ReadingOut(msgspec.Struct, frozen=True, kw_only=True):
    device_id: str
    timestamp: int
    position: PositionOut
    measurements: MeasurementsOut
    status: Status
    tags: dict[str, str]
    history: list[MeasurementsOut] = []
    firmware: str = "1.0"


class ReadingSummary(msgspec.Struct, frozen=True, kw_only=True):
    device_id: str
    timestamp: float
    status: str


# --- events: producers send EventOut, consumers read Event ----------------------------


class Click(msgspec.Struct, frozen=True, kw_only=True, tag="click"):
    x: int
    y: int


class KeyPress(msgspec.Struct, frozen=True, kw_only=True, tag="key"):
    code: int
    shift: bool = False


class Source(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    pid: int | None = None


class SourceOut(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    pid: int
    region: str


class Attr(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    value: str | int | float


class AttrOut(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    value: str | int


class Event(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    at: float
    source: Source
    payload: Click | KeyPress
    attrs: list[Attr]
    severity: Literal[0, 1, 2, 3] = 0


class EventOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    at: int
    source: SourceOut
    payload: Click | KeyPress
    attrs: list[AttrOut]
    severity: Literal[1, 2]
    trace: str | None = None


# --- shapes ------------------------------------------------------------------------------


class SourceConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rate: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    devices: Annotated[int, msgspec.Meta(ge=1)] = 5
    seed: int | None = None


class ReadingSource(Streamlet):
    out = Outlet(ReadingOut, key=lambda r: r.device_id)
    Config = SourceConfig

    async def run(self, ctx: Context[SourceConfig]) -> None:
        await ctx.stopping.wait()


class EventSource(Streamlet):
    out = Outlet(EventOut)
    Config = SourceConfig

    async def run(self, ctx: Context[SourceConfig]) -> None:
        await ctx.stopping.wait()


class Enrich(Streamlet):
    inlet = Inlet(Reading, name="in")
    out = Outlet(ReadingOut)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        region: str = "eu"

    async def run(self, ctx: Context[Config]) -> None:
        async for _ in self.inlet:
            pass


@processor
def normalize(reading: Reading) -> ReadingOut | None:
    return None


@processor
def classify(event: Event) -> EventOut | None:
    return None


def _fan_out(schema_in: type, schema_out: type) -> dict[str, object]:
    ports: dict[str, object] = {"inlet": Inlet(schema_in, name="in")}
    ports.update({f"lane{i}": Outlet(schema_out) for i in range(LANES)})
    return ports


def _fan_in(schema_in: type, schema_out: type) -> dict[str, object]:
    ports: dict[str, object] = {f"in{i}": Inlet(schema_in) for i in range(LANES)}
    ports["out"] = Outlet(schema_out)
    return ports


async def _drain(self: Streamlet, ctx: Context[None]) -> None:
    await ctx.stopping.wait()


Scatter = type("Scatter", (Streamlet,), {**_fan_out(Reading, ReadingOut), "run": _drain})
Route = type("Route", (Streamlet,), {**_fan_out(Event, EventOut), "run": _drain})
Gather = type("Gather", (Streamlet,), {**_fan_in(Reading, ReadingOut), "run": _drain})
Merge = type("Merge", (Streamlet,), {**_fan_in(Event, EventOut), "run": _drain})


class Archive(Streamlet):
    inlet = Inlet(Reading, name="in")

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        bucket: str
        batch: Annotated[int, msgspec.Meta(ge=1)] = 100

    async def run(self, ctx: Context[Config]) -> None:
        async for _ in self.inlet:
            pass


@egress
def summarize(summary: ReadingSummary) -> None:
    return None


@egress
def alert(event: Event) -> None:
    return None
'''

# Per family: the class of each shape, by role.
FAMILIES: Final = {
    "reading": {
        "ingress": "ReadingSource",
        "processor": "Enrich",
        "lane": "normalize",
        "fan-out": "Scatter",
        "fan-in": "Gather",
        "egress": "Archive",
        "summary": "summarize",
    },
    "event": {
        "ingress": "EventSource",
        "processor": "classify",
        "lane": "classify",
        "fan-out": "Route",
        "fan-in": "Merge",
        "egress": "alert",
        "summary": "alert",
    },
}


class Builder:
    """Collects streamlet entries, topics and connections of the blueprint."""

    def __init__(self) -> None:
        self.streamlets: dict[str, object] = {}
        self.topics: dict[str, dict[str, object]] = {}
        self.connections: dict[str, list[str]] = {}

    def add(self, name: str, family: str, role: str) -> str:
        ref = f"{MODULE}:{FAMILIES[family][role]}"
        entry: dict[str, object] = {"class": ref}
        n = len(self.streamlets)
        if role == "ingress":
            entry["config"] = {"rate": 5.0 + n % 7, "devices": 1 + n % 11}
        elif FAMILIES[family][role] == "Archive":
            entry["config"] = {"bucket": f"archive-{n % 4}"}
        elif role == "processor" and n % 3 == 0:
            entry["replicas"] = 2
            if family == "reading":
                entry["config"] = {"region": "us"}
        self.streamlets[name] = ref if list(entry) == ["class"] else entry
        return name

    def topic(self, name: str, producers: list[str], consumers: list[str], **extra: object) -> None:
        self.topics[name] = {"producers": producers, "consumers": consumers, **extra}

    @property
    def topic_count(self) -> int:
        return len(self.topics) + len(self.connections)

    def wide(self, c: str, family: str, processors: int) -> None:
        """ingress -> fan-out -> LANES lanes (some through a processor) -> fan-in -> egress."""
        src = self.add(f"{c}-source", family, "ingress")
        fan_out = self.add(f"{c}-scatter", family, "fan-out")
        fan_in = self.add(f"{c}-gather", family, "fan-in")
        sink = self.add(f"{c}-sink", family, "egress")
        self.topic(f"{c}-input", [src], [f"{fan_out}.in"], capacity=4096)  # port left out
        for i in range(LANES):
            if i < processors:
                lane = self.add(f"{c}-lane{i}", family, "lane")
                self.topic(f"{c}-split{i}", [f"{fan_out}.lane{i}"], [f"{lane}.in"])
                self.topic(f"{c}-joined{i}", [f"{lane}.out"], [f"{fan_in}.in{i}"])
            else:
                self.topic(f"{c}-lane{i}", [f"{fan_out}.lane{i}"], [f"{fan_in}.in{i}"])
        self.topic(f"{c}-output", [f"{fan_in}.out"], [sink], overflow="drop-oldest")

    def merge(self, c: str, family: str) -> None:
        """Two ingresses merge into one topic; a topic with two consumers."""
        a = self.add(f"{c}-source-a", family, "ingress")
        b = self.add(f"{c}-source-b", family, "ingress")
        first = self.add(f"{c}-first", family, "processor")
        second = self.add(f"{c}-second", family, "processor")
        watch = self.add(f"{c}-watch", family, "summary")
        sink = self.add(f"{c}-sink", family, "egress")
        self.topic(f"{c}-merged", [f"{a}.out", f"{b}.out"], [f"{first}.in"])
        self.topic(f"{c}-shared", [f"{first}.out"], [f"{second}.in", f"{watch}.in"])
        self.topic(f"{c}-done", [f"{second}.out"], [f"{sink}.in"])

    def chain(self, c: str, family: str) -> None:
        """ingress -> processor -> egress, written as [connections]."""
        src = self.add(f"{c}-source", family, "ingress")
        step = self.add(f"{c}-step", family, "processor")
        sink = self.add(f"{c}-sink", family, "egress")
        self.connections[f"{src}.out"] = [f"{step}.in"]
        self.connections[f"{step}.out"] = [f"{sink}.in"]


def plan(streamlets: int, topics: int) -> tuple[int, int, int, int]:
    """Chunk counts (wide, merge, chain) and lane processors hitting both totals exactly.

    Streamlets / topics per chunk: wide 4 + k / 10 + k (k lane processors),
    merge 6 / 3, chain 3 / 2.
    """
    merges = max(1, streamlets // 50)
    surplus = topics - streamlets + 3 * merges  # each wide adds 6 topics more than streamlets
    wides = math.ceil(surplus / 6)
    chains = 6 * wides - surplus  # each chain takes one back
    lane_processors = streamlets - 4 * wides - 6 * merges - 3 * chains
    if surplus < 0 or not 0 <= lane_processors <= LANES * wides:
        sys.exit(f"cannot plan {streamlets} streamlets with {topics} topics")
    return wides, merges, chains, lane_processors


def build(streamlets: int = STREAMLETS, topics: int = TOPICS) -> Builder:
    wides, merges, chains, lane_processors = plan(streamlets, topics)
    builder = Builder()
    families = list(FAMILIES)
    for i in range(wides):
        share = lane_processors // wides + (i < lane_processors % wides)
        builder.wide(f"w{i}", families[i % 2], share)
    for i in range(merges):
        builder.merge(f"m{i}", families[i % 2])
    for i in range(chains):
        builder.chain(f"c{i}", families[i % 2])
    assert (len(builder.streamlets), builder.topic_count) == (streamlets, topics)
    return builder


# --- writing -------------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string, for these plain names
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(builder: Builder) -> str:
    lines = ['[blueprint]\nname = "verify-scale"\n', "[streamlets]"]
    lines += [f"{name} = {_toml_value(entry)}" for name, entry in builder.streamlets.items()]
    for name, topic in builder.topics.items():
        lines.append(f"\n[topics.{name}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in topic.items()]
    lines.append("\n[connections]")
    lines += [f'"{port}" = {_toml_value(to)}' for port, to in builder.connections.items()]
    return "\n".join(lines) + "\n"


def to_yaml(builder: Builder) -> str:
    data = {
        "blueprint": {"name": "verify-scale"},
        "streamlets": builder.streamlets,
        "topics": builder.topics,
        "connections": builder.connections,
    }
    return yaml.safe_dump(data, sort_keys=False, width=200)


def write(directory: Path, fmt: str) -> Path:
    builder = build()
    (directory / f"{MODULE}.py").write_text(MODULE_SOURCE, encoding="utf-8")
    path = directory / f"verify-scale.{fmt}"
    path.write_text(to_toml(builder) if fmt == "toml" else to_yaml(builder), encoding="utf-8")
    return path


# --- timing --------------------------------------------------------------------------------


def cold() -> None:
    """Forget the generated module, so the next verify imports it and derives specs again."""
    sys.modules.pop(MODULE, None)


def timed(fn: Callable[[], object]) -> float:
    cold()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def check_clean(path: Path) -> sandbox.Report:
    report = sandbox.verify(path)
    if report.diagnostics:
        count = len(report.diagnostics)
        print(f"the generated blueprint does not verify clean ({count} problems):")
        for d in report.diagnostics[:20]:
            print(d)
        if count > 20:
            print(f"... and {count - 20} more")
        sys.exit(1)
    assert report.application is not None
    instances = len(report.application.instances)
    connections = len(report.application.connections)
    edges = report.application.edges
    compared = sum(not e.identical for e in edges)
    print(
        f"{path.name}: {instances} streamlets, {connections} topics, {len(edges)} "
        f"producer/consumer pairs ({compared} of different types), {path.stat().st_size:,} bytes"
    )
    return report


def cli_seconds(path: Path) -> float:
    """One `sandbox verify` as a user runs it: interpreter start-up and imports included."""
    exe = Path(sys.executable).with_name("sandbox")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "sandbox"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "verify", str(path)], cwd=path.parent, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout.decode(), done.stderr.decode())
        sys.exit(1)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--format", choices=("toml", "yaml"), default="toml")
    parser.add_argument("--keep", type=Path, help="also copy the generated files to this directory")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="verify-scale-") as tmp:
        path = write(Path(tmp), args.format)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for file in Path(tmp).iterdir():
                shutil.copy(file, args.keep)
        check_clean(path)
        verify_runs, load_runs = [], []
        for run in range(1, args.runs + 1):
            load_s = timed(lambda: sandbox.load_blueprint(path))
            verify_s = timed(lambda: sandbox.verify(path))
            load_runs.append(load_s)
            verify_runs.append(verify_s)
            print(f"run {run}: verify {verify_s:.3f} s  (load_blueprint alone {load_s:.3f} s)")
        median = statistics.median(verify_runs)
        load = statistics.median(load_runs)
        print(
            f"load_blueprint median {load:.3f} s ({load / median:.0%} of verify); "
            f"the rest (imports, specs, config, wiring, schema checks) {median - load:.3f} s"
        )
        print(f"verify median {median:.2f} s = {median / GOAL_SECONDS:.2f}x of the 1 s goal")
        print(f"sandbox verify on the command line, once: {cli_seconds(path):.2f} s")
    cold()


if __name__ == "__main__":
    main()
