"""The five tests the README's testing chapter shows (test_docs keeps them in sync)."""

from __future__ import annotations

from pathlib import Path

from sandbox.testkit import FakeClock, fail_at, open_streamlet, run_blueprint, run_streamlet
from streamlets.calls import Aggregate, CallRecord, CallStats
from streamlets.sensors import InvalidMetric, Measurements, Metric, SensorData, Validate

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"


def metric(value: float, timestamp: int = 0) -> Metric:
    return Metric(device_id="d1", timestamp=timestamp, name="power", value=value)


def call(duration: int) -> CallRecord:
    return CallRecord(
        user="alice", other="bob", direction="outgoing", duration=duration, timestamp=0
    )


def stats(window_end: float, calls: int, total: int) -> CallStats:
    average = total / calls
    return CallStats(
        user="alice",
        window_end=window_end,
        calls=calls,
        total_duration=total,
        average_duration=average,
    )


async def test_validate_routes_each_metric_by_its_value() -> None:
    ok, bad = metric(1.0), metric(-1.0)
    result = await run_streamlet(Validate, config={"min": 0.0}, inputs={"in": [ok, bad]})
    assert result["valid"] == [ok]
    assert [i.metric for i in result.records("invalid", InvalidMetric)] == [bad]


async def test_validate_blocks_while_nobody_reads_valid() -> None:
    metrics = [metric(1.0, t) for t in range(5)]
    async with open_streamlet(Validate, demand={"valid": 2}) as probe:
        await probe.send_many("in", metrics)
        await probe.wait_blocked("valid")  # 2 taken, 1 buffered, the 4th send waits
        assert probe.received("valid") == metrics[:2]
        probe.demand("valid", None)
        await probe.expect("valid", *metrics)


async def test_validate_gets_the_record_it_failed_on_again_after_a_restart() -> None:
    metrics = [metric(1.0, t) for t in range(3)]
    result = await run_streamlet(fail_at(Validate, 2), restart="on-failure", inputs={"in": metrics})
    assert result["valid"] == metrics  # nothing lost, nothing twice
    assert result.statistics.restarts == 1


async def test_sensor_data_turns_readings_into_valid_and_invalid_metrics() -> None:
    m = Measurements(power=1.2, rotor_speed=-3.0, wind_speed=9.5)
    readings = [SensorData(device_id="d1", timestamp=0, measurements=m)]
    app = BLUEPRINTS / "sensor-data.toml"
    result = await run_blueprint(app, replace={"ingress": readings}, collect=["valid", "invalid"])
    assert [m.name for m in result.records("valid", Metric)] == ["power", "wind-speed"]
    assert [i.metric.name for i in result.records("invalid", InvalidMetric)] == ["rotor-speed"]


async def test_aggregate_sums_the_calls_of_each_window(fake_clock: FakeClock) -> None:
    async with open_streamlet(Aggregate, config={"window": "5s"}, clock=fake_clock) as probe:
        await probe.send_many("in", [call(10), call(20)])
        await fake_clock.advance(5)
        await probe.send("in", call(30))  # the first record of the next window
        await probe.expect("out", stats(window_end=5.0, calls=2, total=30))
        probe.close("in")
        await probe.expect("out", stats(window_end=10.0, calls=1, total=30))
