"""run_blueprint: whole applications with replaced ingresses, fed and collected topics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sandbox import BlueprintError, DeadLetter
from sandbox.testkit import (
    Drop,
    RecordTypeError,
    StreamletFailedError,
    TestkitError,
    TestkitTimeoutError,
    UnknownNameError,
    fail_at,
    run_blueprint,
)
from streamlets.calls import CallStats
from streamlets.sensors import InvalidMetric, Measurements, Metric, SensorData, Validate

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
SENSORS = BLUEPRINTS / "sensor-data.toml"
CALLS = BLUEPRINTS / "call-records.yaml"
REF = "testkit.streamlets"


def reading(device: str = "d", rotor_speed: float = 10.0) -> SensorData:
    m = Measurements(power=1.0, rotor_speed=rotor_speed, wind_speed=3.0)
    return SensorData(device_id=device, timestamp=0, measurements=m)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.toml"
    path.write_text(textwrap.dedent(text).replace("REF", REF), encoding="utf-8")
    return path


async def test_replaced_ingress_and_collected_topics() -> None:
    result = await run_blueprint(
        SENSORS,
        replace={"ingress": [reading(), reading(rotor_speed=-1)]},
        collect=["valid", "invalid"],
    )
    assert len(result["valid"]) == 5
    assert [i.metric.name for i in result.records("invalid", InvalidMetric)] == ["rotor-speed"]
    assert result.state == "completed"
    assert result.statistics.streamlets["validation"].replicas == 2
    assert result.statistics.streamlets["ingress"].records_out == {"out": 2}


async def test_collect_a_port_path() -> None:
    result = await run_blueprint(
        SENSORS, replace={"ingress": [reading()]}, collect=["validation.valid", "valid-log.in"]
    )
    assert result["validation.valid"] == result["valid-log.in"]
    assert len(result["validation.valid"]) == 3


async def test_a_real_ingress_runs_with_its_config_overridden() -> None:
    result = await run_blueprint(
        SENSORS, config={"ingress": {"limit": 40, "seed": 1}}, collect=["readings"]
    )
    assert len(result["readings"]) == 40
    assert result.state == "completed"


async def test_a_fed_topic_stops_the_remaining_ingresses_when_done() -> None:
    metric = Metric(device_id="x", timestamp=0, name="power", value=5.0)
    result = await run_blueprint(SENSORS, inputs={"metrics": [metric]}, collect=["valid"])
    assert metric in result["valid"]
    assert result.state == "stopped"


async def test_until_complete_waits_for_ingresses_to_end_by_themselves() -> None:
    metric = Metric(device_id="x", timestamp=0, name="power", value=5.0)
    result = await run_blueprint(
        SENSORS, inputs={"metrics": [metric]}, collect=["valid"], config={"ingress": {"limit": 10}},
        until="complete",
    )  # fmt: skip
    assert result.state == "completed"
    assert result.statistics.streamlets["ingress"].records_out == {"out": 10}


async def test_keyed_replicas_aggregate_every_call() -> None:
    result = await run_blueprint(
        CALLS, config={"calls": {"limit": 200, "seed": 7}}, collect=["aggregate.out"]
    )
    stats = result.records("aggregate.out", CallStats)
    assert sum(s.calls for s in stats) == 200
    assert result.clock.now() > 0  # the rate limit slept on the (jumping) fake clock


async def test_settings_and_classes_replace_the_blueprints() -> None:
    result = await run_blueprint(
        SENSORS, replace={"ingress": [reading()]}, collect=["valid"],
        classes={"validation": fail_at(Validate, 2)},
        settings={"validation": {"restart": "on-failure", "replicas": 1}},
    )  # fmt: skip
    assert len(result["valid"]) == 3
    assert result.statistics.streamlets["validation"].restarts == 1


async def test_a_failure_names_the_streamlet() -> None:
    with pytest.raises(
        StreamletFailedError, match=r"^streamlet 'validation' \(replica 0\) failed: InjectedFailure"
    ):
        await run_blueprint(
            SENSORS, replace={"ingress": [reading()]}, classes={"validation": fail_at(Validate, 1)}
        )


async def test_faults_on_a_topic() -> None:
    result = await run_blueprint(
        SENSORS,
        replace={"ingress": [reading()]},
        collect=["metrics"],
        faults={"metrics": Drop(every=3)},
    )
    assert [m.name for m in result.records("metrics", Metric)] == ["power", "rotor-speed"]


async def test_tap_collects_one_producer_of_a_merged_topic(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "merge"
        [streamlets]
        a = "REF:numbers"
        b = "REF:numbers"
        sink = "REF:Collect"
        [topics.all]
        producers = ["a.out", "b"]
        consumers = ["sink.in"]
    """,
    )
    result = await run_blueprint(app, collect=["b.out", "all"])
    assert result["b.out"] == [1, 2, 3]
    assert sorted(result["all"]) == [1, 1, 2, 2, 3, 3]  # type: ignore[type-var]


async def test_dead_letters_are_collected_by_topic_or_else_gathered(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "parse"
        [streamlets]
        parse = { class = "REF:Parse", on-error = "dead-letter" }
        sink = "REF:Collect"
        [connections]
        "parse.out" = ["sink.in"]
    """,
    )
    gathered = await run_blueprint(app, inputs={"parse.in": ["1", "x"]})
    collected = await run_blueprint(app, inputs={"parse.in": ["y"]}, collect=["parse.dead-letters"])
    assert [d.message for d in gathered.dead_letters] == [
        "invalid literal for int() with base 10: 'x'"
    ]
    assert isinstance(collected["parse.dead-letters"][0], DeadLetter)
    assert collected.dead_letters == []


async def test_replace_an_ingress_per_outlet(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "pair"
        [streamlets]
        split = "REF:Split"
        merge = "REF:Merge"
        [connections]
        "split.even" = ["merge.left"]
        "split.odd" = ["merge.right"]
    """,
    )
    result = await run_blueprint(app, inputs={"split.in": [1, 2, 3, 4]}, collect=["merge.out"])
    assert result["merge.out"] == [2, 4, -1, -3]


async def test_unknown_names_suggest_close_ones() -> None:
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^the blueprint has no streamlet 'ingres'; did you mean 'ingress'\? choose"
            r" from 'bad-log', 'ingress', 'metrics', 'valid-log', or 'validation' \(in"
            r" replace=\)$"
        ),
    ):
        await run_blueprint(SENSORS, replace={"ingres": []})
    with pytest.raises(
        UnknownNameError,
        match=(
            r"^the blueprint has no topic or inlet 'metric'; did you mean 'metrics'\?"
            r" choose from 'bad-log.in', 'invalid', 'metrics', "
        ),
    ):
        await run_blueprint(SENSORS, inputs={"metric": []})
    with pytest.raises(
        UnknownNameError,
        match=r"has no topic or port 'validation.vaild'; did you mean 'validation.valid'\?",
    ):
        await run_blueprint(SENSORS, collect=["validation.vaild"])
    with pytest.raises(UnknownNameError, match=r"in config=, settings= or classes="):
        await run_blueprint(SENSORS, config={"nope": {}})


async def test_only_ingresses_can_be_replaced() -> None:
    with pytest.raises(
        TestkitError,
        match=r"^replace= takes ingresses, but 'validation' has inlets \('in'\); feed the topic",
    ):
        await run_blueprint(SENSORS, replace={"validation": []})


async def test_wrong_records_for_a_topic() -> None:
    with pytest.raises(
        RecordTypeError,
        match=(
            r"^record 0 for inputs\['metrics'\] \(topic 'metrics'\) expects Metric, got"
            r" SensorData"
        ),
    ):
        await run_blueprint(SENSORS, inputs={"metrics": [reading()]})


async def test_unknown_settings_are_named() -> None:
    with pytest.raises(TestkitError, match=r"unknown setting 'replica'; settable: 'replicas', "):
        await run_blueprint(SENSORS, settings={"validation": {"replica": 2}})
    with pytest.raises(
        TestkitError,
        match=(
            r"^settings of 'validation': restart must be one of 'never', 'on-failure"
            r"', or 'always', got 'sometimes'$"
        ),
    ):
        await run_blueprint(SENSORS, settings={"validation": {"restart": "sometimes"}})


async def test_config_errors_are_blueprint_errors() -> None:
    with pytest.raises(
        BlueprintError, match=r"\[unknown-config-key\] ingress: .* has no config parameter 'limt'"
    ):
        await run_blueprint(SENSORS, config={"ingress": {"limt": 1}})


async def test_an_endless_ingress_times_out_naming_it(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        """
        [blueprint]
        name = "endless"
        [streamlets]
        source = "REF:forever"
        stuck = "REF:Stuck"
        [connections]
        "source.out" = ["stuck.in"]
    """,
    )
    with pytest.raises(
        TestkitTimeoutError,
        match=(
            r"still waiting:\n  - streamlet 'source' \(replica 0\) is running: blocked"
            r" sending on outlet 'out'"
        ),
    ):
        await run_blueprint(app, settings={"stuck": {}}, timeout=0.05, collect=["stuck.out"])
