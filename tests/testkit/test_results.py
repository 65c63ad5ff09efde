"""What run_streamlet and run_blueprint return: records by name, typed access, reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.testkit import (
    BlueprintResult,
    RecordTypeError,
    StreamletResult,
    UnknownNameError,
    run_blueprint,
    run_streamlet,
)
from streamlets.sensors import Measurements, SensorData

from .streamlets import Upper, Word

SENSORS = Path(__file__).resolve().parents[2] / "blueprints" / "sensor-data.toml"


@pytest.fixture
async def upper() -> StreamletResult:
    return await run_streamlet(Upper, inputs={"in": [Word(text="a"), Word(text="b")]})


@pytest.fixture
async def sensors() -> BlueprintResult:
    reading = SensorData(
        device_id="d",
        timestamp=0,
        measurements=Measurements(power=1.0, rotor_speed=-1.0, wind_speed=3.0),
    )
    return await run_blueprint(SENSORS, replace={"ingress": [reading]}, collect=["valid"])


def test_a_streamlet_result_shows_its_name_state_and_counts(upper: StreamletResult) -> None:
    assert repr(upper) == "StreamletResult('upper', completed, {out: 2})"
    assert "out" in upper
    assert "in" not in upper


def test_records_are_typed_after_a_check_of_each_one(upper: StreamletResult) -> None:
    assert upper.records("out", Word) == [Word(text="A"), Word(text="B")]
    with pytest.raises(
        RecordTypeError,
        match=r"^record 0 of 'out' is Word Word\(text='A', source='test'\), not str$",
    ):
        upper.records("out", str)


def test_an_outlet_nothing_was_collected_under_is_named_with_the_choices(
    upper: StreamletResult,
) -> None:
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^no records were collected under the outlet 'ot'; did you mean 'out'\?"
            r" collected: 'out'$"
        ),
    ):
        upper["ot"]


def test_a_blueprint_result_shows_the_application_and_its_collections(
    sensors: BlueprintResult,
) -> None:
    assert repr(sensors) == "BlueprintResult('sensor-data', completed, {valid: 2})"
    assert sensors.statistics is sensors.application
    assert sensors.undelivered == 0
    assert sensors.ok


def test_a_topic_that_was_not_collected_is_named_with_the_choices(
    sensors: BlueprintResult,
) -> None:
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^no records were collected under the topic or port 'metrics'; collected: 'valid'$"
        ),
    ):
        sensors["metrics"]
