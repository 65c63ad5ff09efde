"""The `sandbox` command, driven through typer's CliRunner."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fixtures.blueprints import unique_module_name, write
from typer.testing import CliRunner

from sandbox import verify
from sandbox.cli import app

if TYPE_CHECKING:
    from typer.testing import Result

ROOT = Path(__file__).resolve().parents[1]
BROKEN = sorted(p.relative_to(ROOT) for p in (ROOT / "tests" / "broken").iterdir())


def invoke(*args: str) -> Result:
    # Wide and colourless, whatever terminal the tests run in.
    runner = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


CLEAN = """\
[streamlets]
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[connections]
"source" = ["sink"]
"""
WARNING = CLEAN + "[topics.spare]\nproducers = []\nconsumers = []\n"
ERROR = CLEAN.replace('"source" = ["sink"]', '"source" = ["sink", "snk"]')


# --- verify: exit codes ----------------------------------------------------------------------


def test_verify_clean_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", CLEAN)
    result = invoke("verify", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok, no problems\n"


def test_verify_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", WARNING)
    assert invoke("verify", str(path)).exit_code == 0
    strict = invoke("verify", "--strict", str(path))
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1] == f"{path}: failed, 0 errors, 2 warnings"
    assert invoke("verify", "--strict", "--format", "json", str(path)).exit_code == 1


def test_verify_errors_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", ERROR)
    result = invoke("verify", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:5:21: error [port-not-found] snk: no streamlet named 'snk'",
        "  hint: did you mean 'sink'? streamlets in this blueprint: 'source' and 'sink'",
        f"{path}: failed, 1 error, 0 warnings",
    ]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["verify", "--format", "xml", "x.toml"], id="bad-format"),
        pytest.param(["verify"], id="no-blueprint"),
        pytest.param(["verify", "--nosuch", "x.toml"], id="unknown-option"),
        pytest.param(["graph", "--format", "png", "x.toml"], id="graph-bad-format"),
        pytest.param(
            ["describe", "--format", "xml", "streamlets.common:Logger"], id="describe-bad-format"
        ),
        pytest.param(["describe", "nosuch"], id="describe-not-a-target"),
        pytest.param(["new", "streamlet", "x", "--shape", "blob"], id="new-bad-shape"),
        pytest.param(["nosuch"], id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_describe_explains_a_target_that_is_neither_file_nor_class() -> None:
    result = invoke("describe", "nosuch")
    assert result.stderr == "error: expected a blueprint file or 'module:Class', found 'nosuch'\n"


# --- verify: output formats --------------------------------------------------------------------


def _problem(file: Path, **fields: object) -> dict[str, object]:
    keys = ("code", "severity", "file", "line", "column", "path", "streamlet", "port", "message")
    return {**dict.fromkeys((*keys, "hint")), "file": str(file), **fields}


def test_verify_json_is_one_object_for_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", WARNING.replace('"source" = ["sink"]\n', ""))
    result = invoke("verify", "--format", "json", str(path))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == {
        "blueprint": str(path),
        "ok": False,
        "problems": [
            _problem(
                path,
                code="unconnected-outlet",
                severity="error",
                line=2,
                column=1,
                path="$.streamlets.source",
                streamlet="source",
                port="out",
                message="outlet 'source.out' (Reading) is not connected to any topic",
                hint="add it to the producers of a topic",
            ),
            _problem(
                path,
                code="unconnected-inlet",
                severity="error",
                line=3,
                column=1,
                path="$.streamlets.sink",
                streamlet="sink",
                port="in",
                message="inlet 'sink.in' (Reading) is not connected to any topic",
                hint="add it to the consumers of a topic that carries Reading",
            ),
            _problem(
                path,
                code="topic-without-producers",
                severity="warning",
                line=5,
                column=9,
                path="$.topics.spare",
                message="topic 'spare' has no producers, so its consumers will never receive "
                "a record",
                hint='add producers = ["streamlet.outlet"], or remove the topic',
            ),
            _problem(
                path,
                code="topic-without-consumers",
                severity="warning",
                line=5,
                column=9,
                path="$.topics.spare",
                message="topic 'spare' has no consumers, so what its producers send is discarded",
                hint='add consumers = ["streamlet.inlet"], or remove the topic',
            ),
        ],
    }
    assert list(data["problems"][0]) == [
        "code",
        "severity",
        "file",
        "line",
        "column",
        "path",
        "streamlet",
        "port",
        "message",
        "hint",
    ]


def test_verify_json_is_a_list_for_several_files(tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.toml", CLEAN)
    missing = tmp_path / "missing.yaml"
    result = invoke("verify", "-f", "json", str(clean), str(missing))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"blueprint": str(clean), "ok": True, "problems": []},
        {
            "blueprint": str(missing),
            "ok": False,
            "problems": [
                _problem(
                    missing,
                    code="format-error",
                    severity="error",
                    path="$",
                    message="cannot read the file: No such file or directory",
                    hint="check that the file exists and is readable",
                )
            ],
        },
    ]


def test_verify_github_writes_escaped_workflow_annotations(tmp_path: Path) -> None:
    directory = tmp_path / "a,b:c"
    directory.mkdir()
    module = unique_module_name()
    write(directory, f"{module}.py", "raise RuntimeError('100% broken')\n")
    path = write(directory, "app.toml", f'[streamlets]\nx = "{module}:X"\n' + WARNING[13:])
    result = invoke("verify", "--format", "github", str(path))
    assert result.exit_code == 1
    file = str(path).replace(",", "%2C").replace(":", "%3A")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"::error file={file},line=2,col=1,title=streamlet-not-found::x: cannot import module "
        f"'{module}' for '{module}:X': RuntimeError: 100%25 broken ({directory}/{module}.py, "
        "line 1)%0Ahint: check the module path; modules are imported with the blueprint's "
        "directory and the current directory on sys.path"
    )
    assert lines[1:] == [
        f"::warning file={file},line=7,col=9,title=topic-without-producers::topic 'spare' has no "
        "producers, so its consumers will never receive a record%0Ahint: add producers = "
        '["streamlet.outlet"], or remove the topic',
        f"::warning file={file},line=7,col=9,title=topic-without-consumers::topic 'spare' has no "
        "consumers, so what its producers send is discarded%0Ahint: add consumers = "
        '["streamlet.inlet"], or remove the topic',
    ]


def test_verify_github_prints_nothing_when_clean(tmp_path: Path) -> None:
    result = invoke("verify", "--format", "github", str(write(tmp_path, "app.toml", CLEAN)))
    assert (result.exit_code, result.stdout) == (0, "")


def test_verify_text_of_the_broken_examples(in_root: None) -> None:
    result = invoke("verify", *map(str, BROKEN))
    assert result.exit_code == 1
    reports = [verify(path) for path in BROKEN]
    line = re.compile(r"^(\S+):(\d+):(\d+): (error|warning) \[([a-z-]+)\]")
    found = [m.groups() for m in map(line.match, result.stdout.splitlines()) if m]
    assert found == [
        (str(d.file), str(d.line), str(d.column), d.severity, d.code)
        for report in reports
        for d in report.diagnostics
    ]
    assert {file for file, *_ in found} == {str(p) for p in BROKEN}
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    assert result.stdout.splitlines()[-1] == (
        f"{len(BROKEN)} blueprints: {errors} errors, {warnings} warnings"
    )


def test_verify_applies_config_files_and_set(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", CLEAN.replace(":Source", ":Configured"))
    config = write(tmp_path, "more.toml", "[streamlets.source.config]\ncount = 1\n")
    assert invoke("verify", str(path)).exit_code == 1
    assert invoke("verify", str(path), "--config", str(config)).exit_code == 0
    assert invoke("verify", str(path), "--set", "source.count=2").exit_code == 0
    result = invoke("verify", str(path), "--set", "source.count=x", "-f", "json")
    assert [p["file"] for p in json.loads(result.stdout)["problems"]] == ["--set source.count=x"]


# --- graph -------------------------------------------------------------------------------------


def test_graph_text(in_root: None) -> None:
    result = invoke("graph", "blueprints/sensor-data.toml")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["sensor-data: 5 streamlets, 4 topics", ""]
    drawing = "\n".join(lines[2:13])  # boxes and labelled edges, as the live view draws them
    assert "│ ingress       ├────── SensorData ─────▶│ processor     ├" in drawing
    assert "┌ validation×2 ─┐         valid          │ Logger        │" in drawing
    assert "└── InvalidMetric ────▶│ egress        │" in drawing
    assert lines[13:] == [
        "",
        "  ingress.out ─▶ [readings · SensorData] ─▶ metrics.in",
        "  metrics.out ─▶ [metrics · Metric] ─▶ validation.in ×2",
        "  validation.valid ×2 ─▶ [valid · Metric] ─▶ valid-log.in",
        "  validation.invalid ×2 ─▶ [invalid · InvalidMetric] ─▶ bad-log.in",
    ]


def test_graph_marks_incompatible_edges_in_every_format(in_root: None) -> None:
    path = "tests/broken/schemas.toml"
    text = invoke("graph", path)
    assert text.exit_code == 1
    assert "├────── SensorData ─────✗│" in text.stdout  # the drawn edge ends in ✗
    assert text.stdout.splitlines()[-2:] == [
        "  ingress.out ─▶ [readings · SensorData] ─▶ validation.in ✗ incompatible",
        "  ✗ ingress.out (SensorData) cannot feed validation.in (Metric)",
    ]
    assert "error [incompatible-schema]" in text.stderr
    mermaid = invoke("graph", path, "--format", "mermaid").stdout.splitlines()
    assert mermaid == [
        "flowchart LR",
        '  s0["ingress<br/><small>SensorIngress</small>"]',
        '  s1["validation<br/><small>Validate</small>"]',
        '  s2["log<br/><small>Logger</small>"]',
        '  s0 -. "readings: SensorData ✗ Metric" .-> s1',
        "  linkStyle 0 stroke:#d00,stroke-width:2px",
    ]
    dot = invoke("graph", path, "--format", "dot").stdout
    assert (
        '"ingress" -> "validation" [label="readings\\nSensorData", color=red, style=dashed, '
        'xlabel="✗ Metric"];'
    ) in dot
    assert dot.startswith('digraph "broken-schemas" {\n  rankdir=LR;')
    data = json.loads(invoke("graph", path, "--format", "json").stdout)
    assert data["edges"] == [
        {
            "topic": "readings",
            "from": "ingress.out",
            "to": "validation.in",
            "producer_schema": "SensorData",
            "consumer_schema": "Metric",
            "compatible": False,
        }
    ]


def test_graph_mermaid_and_dot_of_a_clean_blueprint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "app.toml",
        CLEAN.replace(
            '"fixtures.streamlets:Sink"', '{ class = "fixtures.streamlets:Sink", replicas = 3 }'
        ),
    )
    mermaid = invoke("graph", str(path), "-f", "mermaid")
    assert mermaid.exit_code == 0
    assert mermaid.stdout == (
        "flowchart LR\n"
        '  s0["source<br/><small>Source</small>"]\n'
        '  s1["sink ×3<br/><small>Sink</small>"]\n'
        '  s0 -- "source: Reading" --> s1\n'
    )
    dot = invoke("graph", str(path), "-f", "dot").stdout
    assert dot.splitlines()[4:] == [
        '  "source" [label="source\\nSource"];',
        '  "sink" [label="sink ×3\\nSink"];',
        '  "source" -> "sink" [label="source\\nReading"];',
        "}",
    ]


def test_graph_json(tmp_path: Path) -> None:
    path = write(tmp_path, "app.toml", CLEAN)
    data = json.loads(invoke("graph", str(path), "--format", "json").stdout)
    assert data == {
        "name": "app",
        "streamlets": [
            {
                "name": "source",
                "class": "fixtures.streamlets:Source",
                "shape": "ingress",
                "replicas": 1,
                "inlets": [],
                "outlets": [{"name": "out", "schema": "Reading"}],
            },
            {
                "name": "sink",
                "class": "fixtures.streamlets:Sink",
                "shape": "egress",
                "replicas": 1,
                "inlets": [{"name": "in", "schema": "Reading"}],
                "outlets": [],
            },
        ],
        "topics": [
            {
                "name": "source",
                "schema": "Reading",
                "capacity": 1024,
                "overflow": "block",
                "producers": ["source.out"],
                "consumers": ["sink.in"],
            }
        ],
        "edges": [
            {
                "topic": "source",
                "from": "source.out",
                "to": "sink.in",
                "producer_schema": "Reading",
                "consumer_schema": "Reading",
                "compatible": True,
            }
        ],
    }


# --- describe ------------------------------------------------------------------------------------


def test_describe_a_class_as_text() -> None:
    result = invoke("describe", "fixtures.streamlets:Double")
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[:2] == [
        "fixtures.streamlets:Double  (processor)",
        "Doubles each reading (a processor).",
    ]
    assert re.fullmatch(r"port\s+direction\s+schema\s+fingerprint", lines[2])
    assert re.fullmatch(r"in\s+inlet\s+Reading\s+[0-9a-f]{16}", lines[3])
    assert re.fullmatch(r"out\s+outlet\s+Reading\s+[0-9a-f]{16}", lines[4])
    assert [line.split() for line in lines[5:]] == [
        ["parameter", "type", "default"],
        ["factor", "a", "number", "2.0"],
    ]


def test_describe_a_class_as_json() -> None:
    result = invoke("describe", "fixtures.streamlets:Configured", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["name"], data["shape"]) == ("fixtures.streamlets:Configured", "ingress")
    assert [p["name"] for p in data["ports"]] == ["out"]
    assert data["config"][0] == {
        "name": "count",
        "type": "an integer",
        "required": True,
        "default": None,
        "doc": None,
    }


def test_describe_a_blueprint_as_text(tmp_path: Path) -> None:
    text = """\
[streamlets]
source = "fixtures.streamlets:Source"
[streamlets.double]
class = "fixtures.streamlets:Double"
replicas = 2
config = { factor = 3.0 }
[connections]
"source" = ["double"]
"""
    result = invoke("describe", str(write(tmp_path, "app.toml", text)))
    assert result.exit_code == 1  # double.out is not connected
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "app  2 streamlets, 1 topic"
    assert "source = fixtures.streamlets:Source  (ingress)" in lines
    assert "double = fixtures.streamlets:Double  (processor)" in lines
    assert "  replicas 2, runtime async, restart never, on-error fail" in lines
    assert "  in ← source" in lines
    assert "  out → (not connected)" in lines
    assert "  config: factor = 3.0" in lines
    assert "error [unconnected-outlet] double.out" in result.stderr


def test_describe_a_blueprint_as_json(in_root: None) -> None:
    result = invoke("describe", "blueprints/call-records.yaml", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["name"], data["file"]) == ("call-records", "blueprints/call-records.yaml")
    aggregate = data["streamlets"]["aggregate"]
    assert {k: v for k, v in aggregate.items() if k != "descriptor"} == {
        "class": "streamlets.calls:Aggregate",
        "replicas": 2,
        "runtime": "async",
        "restart": "never",
        "on_error": "fail",
        "config": {"window": "PT2S"},
    }
    assert aggregate["descriptor"]["shape"] == "processor"


def test_describe_a_blueprint_with_errors_exits_1_after_what_it_could_describe(
    in_root: None,
) -> None:
    result = invoke("describe", "tests/broken/config.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "Broken_Config  7 streamlets, 1 topic"
    assert "error [streamlet-not-found] missing-module" in result.stderr
    assert (
        result.stderr.splitlines()[-1] == "tests/broken/config.yaml: failed, 21 errors, 0 warnings"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(
            "nosuchmodule:X",
            "error: cannot import module 'nosuchmodule': ModuleNotFoundError: No module named "
            "'nosuchmodule'",
            id="module",
        ),
        pytest.param(
            "fixtures.streamlets:Nope",
            "error: 'fixtures.streamlets:Nope' is not a streamlet class",
            id="attribute",
        ),
        pytest.param(
            "fixtures.streamlets:Plain",
            "error: 'fixtures.streamlets:Plain' is not a streamlet class",
            id="not-a-streamlet",
        ),
        pytest.param(
            "fixtures.streamlets:BadSchema",
            "error: BadSchema.out: the schema Opaque cannot be a record type: Opaque is a plain "
            "class msgspec cannot encode or decode; use a msgspec.Struct, a dataclass or a builtin "
            "type",
            id="invalid-definition",
        ),
    ],
)
def test_describe_a_class_that_cannot_be_described_exits_1(target: str, message: str) -> None:
    result = invoke("describe", target)
    assert result.exit_code == 1
    assert result.stderr == message + "\n"


def test_describe_a_module_that_exits_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    module = unique_module_name()
    write(tmp_path, f"{module}.py", "import sys\nsys.exit(4)\n")
    result = invoke("describe", f"{module}:X")
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot import module '{module}': SystemExit: 4\n"


def test_error_messages_keep_square_brackets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    module = unique_module_name()
    write(tmp_path, f"{module}.py", "raise ValueError('expected list[int], found [x]')\n")
    result = invoke("describe", f"{module}:X")
    assert result.stderr == (
        f"error: cannot import module '{module}': ValueError: expected list[int], found [x]\n"
    )


# --- unusable files: one paragraph, exit 1, no traceback ---------------------------------------


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "app.toml").mkdir()
    return tmp_path / "app.toml"


def _binary(tmp_path: Path) -> Path:
    (tmp_path / "app.toml").write_bytes(b"\x00\x01\x02\x03")
    return tmp_path / "app.toml"


@pytest.mark.parametrize("command", ["verify", "graph", "describe"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda p: p / "missing.toml",
            "cannot read the file: No such file or directory",
            id="missing",
        ),
        pytest.param(_directory, "expected a blueprint file, found a directory", id="directory"),
        pytest.param(
            _binary, "expected a text file, found binary data (it contains NUL bytes)", id="binary"
        ),
    ],
)
def test_unusable_files_give_one_clear_problem(
    tmp_path: Path, command: str, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = invoke(command, str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{path}: error [format-error]: {message}"
    assert result.output.splitlines()[-1] == f"{path}: failed, 1 error, 0 warnings"


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "example"),
    [
        (["verify"], "sandbox verify blueprints/*.toml --format github"),
        (["graph"], "sandbox graph blueprints/sensor-data.toml --format mermaid"),
        (["describe"], "sandbox describe streamlets.sensors:Validate --format json"),
        (["run"], "sandbox run blueprints/sensor-data.toml --duration 30s"),
        (["new", "streamlet"], "sandbox new streamlet enrich-orders --shape processor"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_help_of_each_command_shows_an_example(command: list[str], example: str) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert f"Example: {example}" in " ".join(result.stdout.split())


def test_help_shows_config_tables_literally() -> None:
    result = invoke("verify", "--help")
    assert "[streamlets.<name>.config]" in result.stdout


# --- new streamlet -----------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_streamlet_writes_a_module_and_its_test(project: Path) -> None:
    result = invoke("new", "streamlet", "enrich-orders")
    assert result.exit_code == 0
    assert result.stdout == (
        "created streamlets/__init__.py\n"
        "created streamlets/enrich_orders.py\n"
        "created tests/test_enrich_orders.py\n"
        "\n"
        "Add it to a blueprint:\n"
        "\n"
        "[streamlets]\n"
        'enrich-orders = "streamlets.enrich_orders:EnrichOrders"\n'
    )
    assert (project / "streamlets" / "enrich_orders.py").is_file()
    assert (project / "tests" / "test_enrich_orders.py").is_file()


def test_new_streamlet_refuses_to_overwrite_without_force(project: Path) -> None:
    assert invoke("new", "streamlet", "enrich").exit_code == 0
    source = project / "streamlets" / "enrich.py"
    source.write_text("# mine\n")
    refused = invoke("new", "streamlet", "enrich")
    assert refused.exit_code == 1
    assert refused.stderr == "error: streamlets/enrich.py exists; pass --force to overwrite it\n"
    assert source.read_text() == "# mine\n"
    forced = invoke("new", "streamlet", "enrich", "--force")
    assert forced.exit_code == 0
    assert "class Enrich(Streamlet):" in source.read_text()
    assert "created streamlets/__init__.py" not in forced.stdout


def test_new_streamlet_rejects_a_name_that_is_not_a_label(project: Path) -> None:
    result = invoke("new", "streamlet", "Enrich_Orders")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: streamlet name 'Enrich_Orders' must be a DNS-1123 label such as 'enrich-orders'\n"
    )
    assert list(project.iterdir()) == []


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_new_streamlets_pass_their_generated_tests_and_verify(project: Path) -> None:
    for name, shape in [("enrich", "processor"), ("feed", "ingress"), ("store", "egress")]:
        assert invoke("new", "streamlet", name, "--shape", shape).exit_code == 0
    write(
        project,
        "app.toml",
        "[streamlets]\n"
        'feed = "streamlets.feed:Feed"\n'
        'enrich = "streamlets.enrich:Enrich"\n'
        'store = "streamlets.store:Store"\n'
        '[connections]\n"feed" = ["enrich"]\n"enrich" = ["store"]\n',
    )
    verified = subprocess.run(
        [sys.executable, "-m", "sandbox", "verify", "app.toml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (verified.returncode, verified.stdout) == (0, "app.toml: ok, no problems\n"), (
        verified.stderr
    )
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout


def test_broken_examples_document_codes_that_exist() -> None:
    # The expect headers name real codes (tests/test_blueprints.py checks the counts).
    from sandbox.errors import CODES

    for path in BROKEN:
        header = (ROOT / path).read_text().splitlines()[1]
        assert header.startswith("# expect: ")
        names = Counter(item.split("*")[0] for item in header[10:].split(", "))
        assert set(names) <= set(CODES)
