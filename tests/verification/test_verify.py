"""verify(): config layering, topic shorthands, port resolution, dead letters, the report."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest
from fixtures.blueprints import codes, only, verify_text, write
from fixtures.streamlets import Settings

from sandbox import BlueprintError, DeadLetter, Diagnostic, Location, load_blueprint, verify
from sandbox.verification import PortRef

if TYPE_CHECKING:
    from pathlib import Path

CONFIGURED = """\
[streamlets]
source = { class = "fixtures.streamlets:Configured", config = { count = 1, label = "blueprint" } }
sink = "fixtures.streamlets:Sink"
[connections]
"source" = ["sink"]
"""


def _config(report: object, name: str = "source") -> object:
    application = report.application  # type: ignore[attr-defined]
    assert application is not None
    return application.instances[name].config


# --- config layering ----------------------------------------------------------------------------


def test_class_defaults_fill_what_the_blueprint_leaves_out(tmp_path: Path) -> None:
    report = verify_text(tmp_path, CONFIGURED)
    assert report.diagnostics == ()
    assert _config(report) == Settings(count=1, label="blueprint")


def test_config_files_apply_in_order_over_the_blueprint(tmp_path: Path) -> None:
    first = write(
        tmp_path, "first.toml", '[streamlets.source.config]\ncount = 2\nlabel = "first"\n'
    )
    second = write(tmp_path, "second.yaml", "streamlets:\n  source:\n    config:\n      count: 3\n")
    report = verify_text(tmp_path, CONFIGURED, config_files=[first, second])
    assert report.diagnostics == ()
    assert _config(report) == Settings(count=3, label="first")


def test_set_overrides_win_over_config_files_and_apply_in_order(tmp_path: Path) -> None:
    file = write(tmp_path, "more.toml", '[streamlets.source.config]\ncount = 2\nlabel = "file"\n')
    report = verify_text(
        tmp_path,
        CONFIGURED,
        config_files=[file],
        overrides=["source.count=5", "source.count=6", "source.mode=slow"],
    )
    assert report.diagnostics == ()
    assert _config(report) == Settings(count=6, label="file", mode="slow")


def test_config_origin_records_where_each_value_was_last_set(tmp_path: Path) -> None:
    file = write(tmp_path, "more.toml", '[streamlets.source.config]\nlabel = "file"\n')
    report = verify_text(tmp_path, CONFIGURED, config_files=[file], overrides=["source.rate=2"])
    assert report.application is not None
    origin = report.application.instances["source"].entry.config_origin
    assert origin == {
        "count": Location(
            file=str(tmp_path / "app.toml"),
            line=2,
            column=65,
            path="$.streamlets.source.config.count",
        ),
        "label": Location(
            file=str(file), line=2, column=1, path="$.streamlets.source.config.label"
        ),
        "rate": Location(file="--set source.rate=2", path=""),
    }


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        pytest.param("source.count=42", {"count": 42}, id="int"),
        pytest.param("source.rate=7.5", {"rate": 7.5}, id="float"),
        pytest.param("source.rate=3", {"rate": 3.0}, id="int-as-float"),
        pytest.param("source.verbose=true", {"verbose": True}, id="bool"),
        pytest.param("source.mode=slow", {"mode": "slow"}, id="literal"),
        pytest.param("source.label=a=b", {"label": "a=b"}, id="str-with-equals"),
        pytest.param("source.label=", {"label": ""}, id="empty-str"),
        pytest.param(
            "source.window=500ms", {"window": datetime.timedelta(milliseconds=500)}, id="ms"
        ),
        pytest.param(
            "source.window=2 minutes", {"window": datetime.timedelta(minutes=2)}, id="minutes"
        ),
        pytest.param(
            "source.window=1h30m", {"window": datetime.timedelta(minutes=90)}, id="compound"
        ),
        pytest.param("source.window=PT2S", {"window": datetime.timedelta(seconds=2)}, id="iso"),
        pytest.param("source.buffer=32M", {"buffer": 32 * 2**20}, id="size-M"),
        pytest.param("source.buffer=1.5GiB", {"buffer": 3 * 2**29}, id="size-GiB"),
        pytest.param("source.buffer=32MB", {"buffer": 32_000_000}, id="size-MB"),
        pytest.param("source.buffer=100", {"buffer": 100}, id="size-bytes"),
    ],
)
def test_set_values_are_converted_to_the_parameter_type(
    tmp_path: Path, override: str, expected: dict[str, object]
) -> None:
    report = verify_text(tmp_path, CONFIGURED, overrides=[override])
    assert report.diagnostics == ()
    defaults = {"count": 1, "label": "blueprint"}
    assert _config(report) == Settings(**{**defaults, **expected})  # type: ignore[arg-type]


def test_blueprint_durations_and_sizes_are_parsed(tmp_path: Path) -> None:
    text = CONFIGURED.replace('label = "blueprint"', 'window = "2s", buffer = "512k"')
    report = verify_text(tmp_path, text)
    assert report.diagnostics == ()
    assert _config(report) == Settings(
        count=1, window=datetime.timedelta(seconds=2), buffer=512 * 1024
    )


def test_set_can_supply_a_required_value(tmp_path: Path) -> None:
    text = CONFIGURED.replace("count = 1, ", "")
    assert codes(verify_text(tmp_path, text)) == ["missing-config-value"]
    report = verify_text(tmp_path, text, overrides=["source.count=9"])
    assert report.diagnostics == ()
    assert _config(report) == Settings(count=9, label="blueprint")


def test_set_with_an_invalid_value_is_reported_at_the_set(tmp_path: Path) -> None:
    report = verify_text(tmp_path, CONFIGURED, overrides=["source.count=many"])
    assert report.diagnostics == (
        Diagnostic(
            code="invalid-config-value",
            severity="error",
            message="config 'count' of fixtures.streamlets:Configured: 'many' is not an integer",
            hint="expected an integer",
            file="--set source.count=many",
            path="",
            streamlet="source",
        ),
    )
    assert str(report.diagnostics[0].location) == "--set source.count=many"


def test_set_for_an_unknown_streamlet_suggests_a_name(tmp_path: Path) -> None:
    report = verify_text(tmp_path, CONFIGURED, overrides=["sourc.count=3"])
    assert report.diagnostics == (
        Diagnostic(
            code="unknown-config-key",
            severity="error",
            message="config given for 'sourc', which is not a streamlet in this blueprint",
            hint="did you mean 'source'? streamlets in this blueprint: 'source' and 'sink'",
            file="--set sourc.count=3",
            path="",
            streamlet="sourc",
        ),
    )


def test_set_for_an_unknown_key_suggests_a_parameter(tmp_path: Path) -> None:
    report = verify_text(tmp_path, CONFIGURED, overrides=["source.cont=3"])
    problem = only(report, "unknown-config-key")
    assert problem.message == "fixtures.streamlets:Configured has no config parameter 'cont'"
    assert problem.hint == (
        "did you mean 'count'? its parameters are 'count', 'rate', 'window', 'buffer', 'mode', "
        "'label', and 'verbose'"
    )
    assert problem.file == "--set source.cont=3"


def test_config_file_for_an_unknown_streamlet_is_reported_at_its_line(tmp_path: Path) -> None:
    file = write(tmp_path, "more.toml", "[streamlets.sorce.config]\ncount = 2\n")
    report = verify_text(tmp_path, CONFIGURED, config_files=[file])
    assert report.diagnostics == (
        Diagnostic(
            code="unknown-config-key",
            severity="error",
            message="config given for 'sorce', which is not a streamlet in this blueprint",
            hint="did you mean 'source'? streamlets in this blueprint: 'source' and 'sink'",
            file=str(file),
            line=2,
            column=1,
            path="$.streamlets.sorce.config.count",
            streamlet="sorce",
        ),
    )


@pytest.mark.parametrize(
    ("override", "found"),
    [
        pytest.param("source.count", "'source.count'", id="no-value"),
        pytest.param("count=3", "'count=3'", id="no-streamlet"),
        pytest.param("source.=3", "'source.=3'", id="no-key"),
    ],
)
def test_set_in_another_form_is_an_invalid_setting(
    tmp_path: Path, override: str, found: str
) -> None:
    report = verify_text(tmp_path, CONFIGURED, overrides=[override])
    assert report.diagnostics == (
        Diagnostic(
            code="invalid-setting",
            severity="error",
            message=f"--set of the command line must be NAME.KEY=VALUE, found {found}",
            hint="for example --set ingress.rate=100",
            file=f"--set {override}",
            path="",
        ),
    )


def test_config_file_problems_are_reported_with_positions(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "more.toml",
        "[streamlets.source]\nreplicas = 2\n[streamlets.source.config]\ncount = 2\n[other]\n",
    )
    report = verify_text(tmp_path, CONFIGURED, config_files=[file])
    assert [(d.code, d.line, d.column, d.message, d.hint) for d in report.diagnostics] == [
        (
            "format-error",
            2,
            1,
            "unknown key 'replicas' in [streamlets.source]",
            "valid keys are 'config'",
        ),
        (
            "format-error",
            5,
            2,
            "unknown key 'other' in a config file",
            "valid keys are 'streamlets'",
        ),
    ]
    assert _config(report) == Settings(count=2, label="blueprint")


def test_unreadable_and_malformed_config_files_are_reported(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    broken = write(tmp_path, "broken.toml", "[streamlets\n")
    report = verify_text(tmp_path, CONFIGURED, config_files=[missing, broken])
    assert [(d.code, d.file, d.line, d.message) for d in report.diagnostics] == [
        (
            "syntax-error",
            str(broken),
            1,
            "the file is not valid TOML: Expected ']' at the end of a table declaration",
        ),
        ("format-error", str(missing), None, "cannot read the file: No such file or directory"),
    ]


# --- topics, shorthands and ports ------------------------------------------------------------


def test_connections_make_one_topic_per_outlet_named_after_it(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
split = "fixtures.streamlets:Split"
low = "fixtures.streamlets:Sink"
high = "fixtures.streamlets:Sink"
log = "fixtures.streamlets:AnySink"
[connections]
"source.out" = "split.in"
"split.low" = ["low.in"]
"split.high" = ["high.in", "log.in"]
"""
    report = verify_text(tmp_path, text)
    assert report.diagnostics == ()
    assert report.application is not None
    topics = {
        name: (c.producers, c.consumers) for name, c in report.application.connections.items()
    }
    assert topics == {
        "source.out": ((PortRef("source", "out"),), (PortRef("split", "in"),)),
        "split.low": ((PortRef("split", "low"),), (PortRef("low", "in"),)),
        "split.high": ((PortRef("split", "high"),), (PortRef("high", "in"), PortRef("log", "in"))),
    }


def test_a_connection_named_like_a_topic_is_an_invalid_setting(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[topics."source.out"]
producers = ["source"]
consumers = ["sink"]
[connections]
"source.out" = ["sink.in"]
"""
    problem = only(verify_text(tmp_path, text), "invalid-setting")
    assert (problem.line, problem.column, problem.message, problem.hint) == (
        8,
        1,
        "topic name of connection 'source.out' must be different from every topic in [topics], "
        "found 'source.out' again",
        "rename the topic in [topics], or drop the duplicate connection",
    )


def test_a_connection_to_something_else_than_port_paths_is_a_format_error(tmp_path: Path) -> None:
    text = '[streamlets]\nsource = "fixtures.streamlets:Source"\n[connections]\n"source" = 3\n'
    report = verify_text(tmp_path, text)
    problem = only(report, "format-error")
    assert (
        problem.message
        == "expected a list of port paths at $.connections.source, found an integer 3"
    )


def test_the_port_may_be_left_out_when_there_is_one_of_the_direction(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
double = "fixtures.streamlets:Double"
sink = "fixtures.streamlets:Sink"
[topics.readings]
producers = ["source"]
consumers = ["double"]
[topics.doubled]
producers = "double"
consumers = "sink"
"""
    report = verify_text(tmp_path, text)
    assert report.diagnostics == ()
    assert report.application is not None
    edges = [(e.topic, str(e.producer), str(e.consumer)) for e in report.application.edges]
    assert edges == [
        ("readings", "source.out", "double.in"),
        ("doubled", "double.out", "sink.in"),
    ]


def test_several_producers_merge_and_several_consumers_each_receive(tmp_path: Path) -> None:
    text = """\
[streamlets]
a = "fixtures.streamlets:Source"
b = "fixtures.streamlets:Source"
c = "fixtures.streamlets:Sink"
d = "fixtures.streamlets:AnySink"
[topics.all]
producers = ["a", "b"]
consumers = ["c", "d"]
"""
    report = verify_text(tmp_path, text)
    assert report.diagnostics == ()
    assert report.application is not None
    edges = [
        (str(e.producer), str(e.consumer), e.compatible, e.identical)
        for e in report.application.edges
    ]
    assert edges == [
        ("a.out", "c.in", True, True),
        ("a.out", "d.in", True, False),
        ("b.out", "c.in", True, True),
        ("b.out", "d.in", True, False),
    ]


def test_a_function_streamlet_has_ports_in_and_out(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
metric = "fixtures.streamlets:to_metric"
sink = "fixtures.streamlets:MetricSink"
[connections]
"source" = ["metric.in"]
"metric.out" = ["sink"]
"""
    assert verify_text(tmp_path, text).diagnostics == ()


# --- dead letters ----------------------------------------------------------------------------

DEAD_LETTERS = """\
[streamlets]
source = "fixtures.streamlets:Source"
double = {{ class = "fixtures.streamlets:Double"{on_error} }}
sink = "fixtures.streamlets:Sink"
errors = "fixtures.streamlets:{errors}"
[connections]
"source" = ["double"]
"double" = ["sink"]
[topics."{topic}"]
consumers = ["errors"]
"""


def test_dead_letters_topic_is_fed_by_the_streamlet_that_dead_letters(tmp_path: Path) -> None:
    text = DEAD_LETTERS.format(
        on_error=', on-error = "dead-letter"', errors="AnySink", topic="double.dead-letters"
    )
    report = verify_text(tmp_path, text)
    assert report.diagnostics == ()
    assert report.application is not None
    connection = report.application.connections["double.dead-letters"]
    assert connection.producers == (PortRef("double", "dead-letters"),)
    assert connection.consumers == (PortRef("errors", "in"),)
    assert connection.schema is DeadLetter


def test_dead_letters_can_be_named_as_a_producer(tmp_path: Path) -> None:
    text = """\
streamlets:
  source: fixtures.streamlets:Source
  double: {class: fixtures.streamlets:Double, on-error: dead-letter}
  sink: fixtures.streamlets:Sink
  errors: fixtures.streamlets:AnySink
topics:
  readings: {producers: [source], consumers: [double]}
  doubled: {producers: [double], consumers: [sink]}
  failures: {producers: [double.dead-letters], consumers: [errors]}
"""
    report = verify_text(tmp_path, text, ".yaml")
    assert report.diagnostics == ()
    assert report.application is not None
    assert report.application.connections["failures"].schema is DeadLetter


def test_dead_letters_need_on_error_dead_letter(tmp_path: Path) -> None:
    text = DEAD_LETTERS.format(on_error="", errors="AnySink", topic="double.dead-letters")
    report = verify_text(tmp_path, text)
    assert report.diagnostics == (
        Diagnostic(
            code="port-not-found",
            severity="error",
            message="streamlet 'double' (fixtures.streamlets:Double) has no outlet named "
            "'dead-letters'",
            hint='set on-error = "dead-letter" on the streamlet to get this outlet; '
            "its outlets are 'out'",
            file=str(tmp_path / "app.toml"),
            line=9,
            column=9,
            path="$.topics['double.dead-letters']",
            streamlet="double",
            port="dead-letters",
        ),
    )


def test_dead_letters_of_an_unknown_streamlet_suggest_a_name(tmp_path: Path) -> None:
    text = DEAD_LETTERS.format(
        on_error=', on-error = "dead-letter"', errors="AnySink", topic="doubel.dead-letters"
    )
    report = verify_text(tmp_path, text)
    problem = only(report, "port-not-found")
    assert (problem.message, problem.hint, problem.streamlet, problem.port) == (
        "no streamlet named 'doubel'",
        "did you mean 'double'? streamlets in this blueprint: 'source', 'double', 'sink', and "
        "'errors'",
        "doubel",
        "dead-letters",
    )


def test_dead_letters_must_reach_a_consumer_of_dead_letters(tmp_path: Path) -> None:
    text = DEAD_LETTERS.format(
        on_error=', on-error = "dead-letter"', errors="Sink", topic="double.dead-letters"
    )
    problem = only(verify_text(tmp_path, text), "incompatible-schema")
    assert problem.message.startswith(
        "double.dead-letters emits DeadLetter, but errors.in expects Reading: "
    )


# --- loading and the report ----------------------------------------------------------------


def test_load_blueprint_raises_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", '[streamlets]\nA = "x"\nb = { class = 1 }\n')
    with pytest.raises(BlueprintError) as raised:
        load_blueprint(path)
    assert [d.code for d in raised.value.diagnostics] == [
        "invalid-streamlet-name",
        "invalid-class-reference",
        "format-error",
    ]
    assert str(raised.value).splitlines()[0] == (
        f"{path}:2:1 [invalid-streamlet-name] A: streamlet name 'A' is not a DNS-1123 label"
    )


def test_verify_accepts_a_loaded_blueprint(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", CONFIGURED)
    report = verify(load_blueprint(path), overrides=["source.count=2"])
    assert report.ok
    assert report.file == str(path)
    assert _config(report) == Settings(count=2, label="blueprint")


def test_report_sorts_problems_by_position_and_splits_errors_and_warnings(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[topics.spare]
consumers = []
[connections]
"source" = ["snk"]
"""
    report = verify_text(tmp_path, text)
    assert [(d.line, d.code) for d in report.diagnostics] == [
        (3, "unconnected-inlet"),
        (4, "topic-without-producers"),
        (4, "topic-without-consumers"),
        (7, "port-not-found"),
    ]
    assert [d.code for d in report.errors] == ["unconnected-inlet", "port-not-found"]
    assert [d.code for d in report.warnings] == [
        "topic-without-producers",
        "topic-without-consumers",
    ]
    assert not report.ok


def test_warnings_alone_leave_the_report_ok(tmp_path: Path) -> None:
    report = verify_text(tmp_path, CONFIGURED + "[topics.spare]\nconsumers = []\n")
    assert report.ok
    assert len(report.warnings) == 2


def test_the_application_name_defaults_to_the_file_name_as_a_label(tmp_path: Path) -> None:
    path = write(tmp_path, "Sensor_Data.toml", CONFIGURED)
    report = verify(path)
    assert report.diagnostics == ()
    assert report.application is not None
    assert report.application.name == "sensor-data"


def test_verify_imports_modules_next_to_the_blueprint(tmp_path: Path) -> None:
    module = "next_to_blueprint_module"
    write(
        tmp_path,
        f"{module}.py",
        "from fixtures.streamlets import Reading\n"
        "from sandbox import egress\n\n"
        "@egress\ndef keep(r: Reading) -> None:\n    pass\n",
    )
    text = f'[streamlets]\nsource = "fixtures.streamlets:Source"\nkeep = "{module}:keep"\n'
    text += '[connections]\n"source" = ["keep"]\n'
    assert verify_text(tmp_path, text).diagnostics == ()


# --- runtime kinds --------------------------------------------------------------------------------

RUNTIME_KINDS = """\
[streamlets]
source = {{ class = "fixtures.streamlets:counter", runtime = "{ingress}" }}
double = {{ class = "fixtures.streamlets:Double", runtime = "{cls}" }}
sink = {{ class = "fixtures.streamlets:drop", runtime = "{egress}" }}
"""


def test_thread_and_process_kinds_apply_to_processor_and_egress_functions(tmp_path: Path) -> None:
    text = RUNTIME_KINDS.format(ingress="async", cls="async", egress="process")
    report = verify_text(tmp_path, text + '[connections]\n"source" = ["sink"]\n"double" = []\n')
    assert "invalid-setting" not in codes(report)


@pytest.mark.parametrize(
    ("kinds", "streamlet", "line", "what"),
    [
        ({"ingress": "thread", "cls": "async"}, "source", 2, "an ingress function"),
        ({"ingress": "async", "cls": "process"}, "double", 3, "a class streamlet"),
    ],
    ids=["ingress-function", "class-streamlet"],
)
def test_thread_or_process_kind_elsewhere_is_an_invalid_setting(
    tmp_path: Path, kinds: dict[str, str], streamlet: str, line: int, what: str
) -> None:
    text = RUNTIME_KINDS.format(egress="async", **kinds)
    report = verify_text(tmp_path, text)
    problem = only(report, "invalid-setting")
    runtime = kinds["ingress"] if streamlet == "source" else kinds["cls"]
    assert (problem.streamlet, problem.line, problem.severity) == (streamlet, line, "error")
    expected = f"runtime '{runtime}' of streamlet '{streamlet}' cannot apply to {what}"
    assert problem.message == expected
    assert problem.hint is not None
    assert problem.hint.startswith("the thread and process kinds run the function of a @processor")
