"""The sensor-data example: device readings turned into metrics and validated.

In the spirit of Cloudflow's sensor-data example: an ingress generates wind
turbine readings at a configurable rate, a processor turns each reading into
metrics, and a validation fans out into valid and invalid metrics.
"""

from __future__ import annotations

import random
from typing import Annotated

import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, processor


class Measurements(msgspec.Struct, frozen=True, kw_only=True):
    """What one device measured."""

    power: float
    rotor_speed: float
    wind_speed: float


class SensorData(msgspec.Struct, frozen=True, kw_only=True):
    """One reading of one device."""

    device_id: str
    timestamp: int  # milliseconds since the start of the run
    measurements: Measurements


class Metric(msgspec.Struct, frozen=True, kw_only=True):
    """One named value of one device."""

    device_id: str
    timestamp: int
    name: str
    value: float


class InvalidMetric(msgspec.Struct, frozen=True, kw_only=True):
    """A metric that failed validation, and why."""

    metric: Metric
    error: str


class SensorIngress(Streamlet):
    """Generates device readings at `rate` records per second."""

    out = Outlet(SensorData, key=lambda r: r.device_id)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the generator."""

        rate: Annotated[float, msgspec.Meta(gt=0)] = 10.0
        devices: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 5
        invalid_ratio: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.05
        limit: Annotated[int, msgspec.Meta(ge=0)] | None = None
        seed: int | None = None

    async def run(self, ctx: Context[Config]) -> None:
        """Emit readings until stopped, or until `limit` readings."""
        cfg = ctx.config
        rng = random.Random(cfg.seed)
        devices = [f"device-{i:04d}" for i in range(cfg.devices)]
        interval = 1.0 / cfg.rate
        start = next_at = ctx.clock.now()
        sent = 0
        while not ctx.stopping.is_set() and (cfg.limit is None or sent < cfg.limit):
            await self.out.send(_reading(rng, devices, cfg.invalid_ratio, ctx.clock.now() - start))
            sent += 1
            next_at += interval
            delay = next_at - ctx.clock.now()
            if delay > 0:
                await ctx.clock.sleep(delay)


def _reading(rng: random.Random, devices: list[str], invalid: float, elapsed: float) -> SensorData:
    broken = rng.random() < invalid
    return SensorData(
        device_id=rng.choice(devices),
        timestamp=int(elapsed * 1000),
        measurements=Measurements(
            power=round(rng.uniform(0.0, 2.0), 3),
            rotor_speed=round(rng.uniform(-5.0, -0.1) if broken else rng.uniform(5.0, 30.0), 3),
            wind_speed=round(rng.uniform(0.0, 25.0), 3),
        ),
    )


@processor
def to_metrics(data: SensorData) -> list[Metric]:
    """Turn one reading into one metric per measurement."""
    m = data.measurements
    return [
        Metric(device_id=data.device_id, timestamp=data.timestamp, name=name, value=value)
        for name, value in (
            ("power", m.power),
            ("rotor-speed", m.rotor_speed),
            ("wind-speed", m.wind_speed),
        )
    ]


class Validate(Streamlet):
    """Sends metrics within [min, max] to `valid`, the rest to `invalid`."""

    inlet = Inlet(Metric, name="in")
    valid = Outlet(Metric)
    invalid = Outlet(InvalidMetric)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """The accepted range of metric values."""

        min: float = 0.0
        max: float = 1000.0

    async def run(self, ctx: Context[Config]) -> None:
        """Route each metric by its value."""
        low, high = ctx.config.min, ctx.config.max
        async for metric in self.inlet:
            if low <= metric.value <= high:
                await self.valid.send(metric)
            else:
                error = f"{metric.name} = {metric.value} is outside [{low}, {high}]"
                await self.invalid.send(InvalidMetric(metric=metric, error=error))
