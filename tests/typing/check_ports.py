"""The public API's generics, pinned for mypy; type-checked by test_typing.py, never run.

`assert_type` fails the check when a type drifts (`reveal_type` would only print it). A line
ending in `# type: ignore[code]` must be an error of that code: strict mypy warns about unused
ignores, so the check also fails when a wrong call starts to type-check.
"""

from __future__ import annotations

from typing import assert_type

import msgspec

from sandbox import Context, Inlet, InletReader, Outlet, OutletWriter, Streamlet, processor
from sandbox.functions import FunctionStreamlet


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: float


class Alert(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: float = 1.0


# -- declarations: the record type is the type parameter ------------------------------------

assert_type(Inlet(Reading), Inlet[Reading])
assert_type(Inlet(Reading, name="in"), Inlet[Reading])
assert_type(Outlet(Reading), Outlet[Reading])
assert_type(Outlet(Reading, key=lambda r: assert_type(r, Reading).sensor), Outlet[Reading])
Outlet(Reading, key=lambda r: r.unit)  # type: ignore[attr-defined]  # key sees a Reading


class Threshold(Streamlet):
    inlet = Inlet(Reading, name="in")
    out = Outlet(Reading)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        limit: float = 1.0

    async def run(self, ctx: Context[Config]) -> None:
        # -- on an instance, the ports are the running reader and writer -------------------
        assert_type(self.inlet, InletReader[Reading])
        assert_type(self.out, OutletWriter[Reading])
        assert_type(ctx.config, Threshold.Config)
        async for reading in self.inlet:
            assert_type(reading, Reading)
            if reading.value > ctx.config.limit:
                await self.out.send(reading)
        assert_type(await self.inlet.receive(), Reading)
        await self.out.send_many([Reading(sensor="s", value=1.0)])
        await self.out.send(Alert(sensor="s"))  # type: ignore[arg-type]  # not a Reading
        await self.out.send_many([Alert(sensor="s")])  # type: ignore[list-item]  # nor these


# On the class, the attributes stay declarations.
assert_type(Threshold.inlet, Inlet[Reading])
assert_type(Threshold.out, Outlet[Reading])


def instance_ports(streamlet: Threshold) -> None:
    assert_type(streamlet.inlet, InletReader[Reading])
    assert_type(streamlet.out, OutletWriter[Reading])


def context_config(ctx: Context[Settings]) -> None:
    assert_type(ctx.config, Settings)
    assert_type(ctx.config.limit, float)


# -- function streamlets: each decorator form gives a streamlet class -----------------------


@processor
def double(reading: Reading) -> Reading:
    return Reading(sensor=reading.sensor, value=reading.value * 2)


@processor(name="scaled", config=Settings)
def scale(reading: Reading, ctx: Context[Settings]) -> Reading:
    return Reading(sensor=reading.sensor, value=reading.value * ctx.config.limit)


assert_type(double, type[FunctionStreamlet])
assert_type(scale, type[FunctionStreamlet])
streamlet_classes: list[type[Streamlet]] = [double, scale, Threshold]
