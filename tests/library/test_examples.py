"""The example streamlets of streamlets/, tested with sandbox.testkit."""

from __future__ import annotations

import datetime

from sandbox.testkit import FakeClock, run_streamlet
from streamlets.calls import Aggregate, CallRecord, CallRecordIngress, CallStats
from streamlets.common import Logger
from streamlets.sensors import Measurements, Metric, SensorData, SensorIngress, to_metrics


def reading(device: str = "d1", power: float = 1.0) -> SensorData:
    return SensorData(
        device_id=device,
        timestamp=40,
        measurements=Measurements(power=power, rotor_speed=10.0, wind_speed=5.5),
    )


def call(user: str, duration: int, timestamp: float = 0.0) -> CallRecord:
    return CallRecord(
        user=user, other="x", direction="incoming", duration=duration, timestamp=timestamp
    )


async def test_to_metrics_emits_one_metric_per_measurement() -> None:
    result = await run_streamlet(to_metrics, inputs={"in": [reading()]})
    assert result["out"] == [
        Metric(device_id="d1", timestamp=40, name="power", value=1.0),
        Metric(device_id="d1", timestamp=40, name="rotor-speed", value=10.0),
        Metric(device_id="d1", timestamp=40, name="wind-speed", value=5.5),
    ]


async def test_sensor_ingress_paces_readings_by_its_rate_on_the_clock() -> None:
    clock = FakeClock(autojump=True)
    config = {"rate": 4.0, "limit": 5, "seed": 7, "devices": 2}
    result = await run_streamlet(SensorIngress, config=config, clock=clock)
    readings = result.records("out", SensorData)
    assert [r.timestamp for r in readings] == [0, 250, 500, 750, 1000]
    assert {r.device_id for r in readings} <= {"device-0000", "device-0001"}
    assert clock.now() == 1.25  # five intervals of 1/4 s, instantly


async def test_sensor_ingress_is_deterministic_for_a_seed() -> None:
    config = {"limit": 20, "seed": 3}
    first = await run_streamlet(SensorIngress, config=config)
    second = await run_streamlet(SensorIngress, config=config)
    assert first["out"] == second["out"]


async def test_call_ingress_sends_limit_records_between_distinct_users() -> None:
    result = await run_streamlet(CallRecordIngress, config={"limit": 30, "users": 4, "seed": 1})
    records = result.records("out", CallRecord)
    assert len(records) == 30
    assert all(r.user != r.other for r in records)


async def test_aggregate_sums_calls_per_user_in_tumbling_windows() -> None:
    clock = FakeClock()
    records = [call("alice", 10), call("bob", 5), call("alice", 20)]
    config = {"window": datetime.timedelta(seconds=5)}
    result = await run_streamlet(Aggregate, config=config, clock=clock, inputs={"in": records})
    assert result["out"] == [
        CallStats(user="alice", window_end=5.0, calls=2, total_duration=30, average_duration=15.0),
        CallStats(user="bob", window_end=5.0, calls=1, total_duration=5, average_duration=5.0),
    ]


async def test_logger_logs_every_nth_record_and_the_total() -> None:
    result = await run_streamlet(
        Logger, config={"every": 2, "prefix": "got "}, inputs={"in": [1, 2, 3, 4, 5]}
    )
    assert result.messages == ["got 2", "got 4", "5 records received"]
