"""Every problem code verification reports: code, severity, position, subject, message, hint.

Each case is a small blueprint, in TOML and (mostly) YAML too: the same problem must come
out with the same message, path and subject in both formats, at each format's position.
The streamlet classes come from `tests/fixtures/streamlets.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from fixtures.blueprints import codes, unique_module_name, verify_text

from sandbox import Diagnostic, verify
from sandbox.errors import CODES, Severity

if TYPE_CHECKING:
    from pathlib import Path

Position = tuple[int, int] | None


@dataclass(frozen=True)
class Problem:
    """An expected diagnostic; `toml`/`yaml` give its (line, column) in each format."""

    code: str
    message: str
    hint: str | None
    path: str
    toml: Position = None
    yaml: Position = None
    streamlet: str | None = None
    port: str | None = None
    severity: Severity | None = None  # when it differs from the code's default

    def diagnostic(self, file: Path, suffix: str) -> Diagnostic:
        line, column = (self.toml if suffix == ".toml" else self.yaml) or (None, None)
        return Diagnostic(
            code=self.code,
            severity=self.severity or CODES[self.code],
            message=self.message,
            hint=self.hint,
            file=str(file),
            line=line,
            column=column,
            path=self.path,
            streamlet=self.streamlet,
            port=self.port,
        )


@dataclass(frozen=True)
class Case:
    toml: str | None
    yaml: str | None
    problems: tuple[Problem, ...]


CASES: dict[str, Case] = {}


def case(name: str, *problems: Problem, toml: str | None = None, yaml: str | None = None) -> None:
    assert name not in CASES
    CASES[name] = Case(toml=toml, yaml=yaml, problems=problems)


# Blueprints that are fine apart from the part a case fills in.
CHAIN_TOML = """\
[streamlets]
source = {source}
sink = {sink}
[connections]
"source.out" = ["sink.in"]
"""
CHAIN_YAML = """\
streamlets:
  source: {source}
  sink: {sink}
connections:
  source.out: [sink.in]
"""
SOURCE_T, SINK_T = '"fixtures.streamlets:Source"', '"fixtures.streamlets:Sink"'
SOURCE_Y, SINK_Y = "fixtures.streamlets:Source", "fixtures.streamlets:Sink"
TOPIC_TOML = """\
[streamlets]
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[topics.readings]
producers = ["source.out"]
consumers = ["sink.in"]
{extra}
"""
TOPIC_YAML = """\
streamlets:
  source: fixtures.streamlets:Source
  sink: fixtures.streamlets:Sink
topics:
  readings:
    producers: [source.out]
    consumers: [sink.in]
    {extra}
"""

# --- syntax-error ------------------------------------------------------------------------

case(
    "syntax-error-toml",
    Problem(
        "syntax-error",
        "the file is not valid TOML: Illegal character '\\n'",
        "fix the TOML syntax at this position",
        "$",
        toml=(2, 37),
    ),
    toml='[streamlets]\nsource = "fixtures.streamlets:Source\n',
)
case(
    "syntax-error-yaml",
    Problem(
        "syntax-error",
        "the file is not valid YAML: while parsing a flow sequence started at line 2, "
        "did not find expected ',' or ']'",
        "fix the YAML syntax at this position",
        "$",
        yaml=(3, 1),
    ),
    yaml="streamlets:\n  source: [fixtures.streamlets:Source\n",
)
case(
    "syntax-error-yaml-not-a-mapping",
    Problem(
        "syntax-error",
        "the file is not valid YAML: expected a mapping at the top level, found a sequence",
        "fix the YAML syntax at this position",
        "$",
        yaml=(1, 1),
    ),
    yaml="- source\n- sink\n",
)

# --- format-error ------------------------------------------------------------------------

case(
    "format-error-streamlets-not-a-table",
    Problem(
        "format-error",
        "expected a table at $.streamlets, found an integer 3",
        None,
        "$.streamlets",
        toml=(1, 1),
        yaml=(1, 1),
    ),
    toml="streamlets = 3\n",
    yaml="streamlets: 3\n",
)
case(
    "format-error-class-not-a-string",
    Problem(
        "format-error",
        "expected a string at $.streamlets.source.class, found an integer 3",
        None,
        "$.streamlets.source.class",
        toml=(2, 12),
        yaml=(2, 13),
        streamlet="source",
    ),
    toml="[streamlets]\nsource = { class = 3 }\n",
    yaml="streamlets:\n  source: { class: 3 }\n",
)
case(
    "format-error-name-not-a-string",
    Problem(
        "format-error",
        "expected a string at $.blueprint.name, found an integer 5",
        None,
        "$.blueprint.name",
        toml=(2, 1),
        yaml=(2, 3),
    ),
    toml="[blueprint]\nname = 5\n" + CHAIN_TOML.format(source=SOURCE_T, sink=SINK_T),
    yaml="blueprint:\n  name: 5\n" + CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y),
)
case(
    "format-error-producers-not-a-list",
    # The topic is kept without producers, so the two follow-on problems are real.
    Problem(
        "unconnected-outlet",
        "outlet 'source.out' (Reading) is not connected to any topic",
        "add it to the producers of a topic, such as 'readings'",
        "$.streamlets.source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="source",
        port="out",
    ),
    Problem(
        "topic-without-producers",
        "topic 'readings' has no producers, so its consumers will never receive a record",
        'add producers = ["streamlet.outlet"], or remove the topic',
        "$.topics.readings",
        toml=(4, 9),
        yaml=(5, 3),
    ),
    Problem(
        "format-error",
        "expected a list of port paths at $.topics.readings.producers, found an integer 3",
        None,
        "$.topics.readings.producers",
        toml=(5, 1),
        yaml=(6, 5),
    ),
    toml=TOPIC_TOML.replace('producers = ["source.out"]', "producers = 3").format(extra=""),
    yaml=TOPIC_YAML.replace("producers: [source.out]", "producers: 3").format(extra=""),
)
case(
    "format-error-unknown-key",
    Problem(
        "format-error",
        "unknown key 'streamlet' in the blueprint",
        "did you mean 'streamlets'? valid keys are 'blueprint', 'streamlets', 'topics', "
        "or 'connections'",
        "$.streamlet",
        toml=(3, 2),
        yaml=(3, 1),
    ),
    toml='[blueprint]\nname = "app"\n[streamlet]\nsource = "fixtures.streamlets:Source"\n',
    yaml="blueprint:\n  name: app\nstreamlet:\n  source: fixtures.streamlets:Source\n",
)
case(
    "format-error-unknown-streamlet-key",
    Problem(
        "format-error",
        "unknown key 'replica' in streamlet 'source'",
        "did you mean 'replicas'? valid keys are 'class', 'replicas', 'config', 'runtime', "
        "'restart', 'max-restarts', 'backoff', 'on-error', or 'log-level'",
        "$.streamlets.source.replica",
        toml=(2, 50),
        yaml=(2, 50),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(
        source='{ class = "fixtures.streamlets:Source", replica = 2 }', sink=SINK_T
    ),
    yaml=CHAIN_YAML.format(
        source='{ class: "fixtures.streamlets:Source", replica: 2 }', sink=SINK_Y
    ),
)
case(
    "format-error-unknown-topic-key",
    Problem(
        "format-error",
        "unknown key 'capacty' in topic 'readings'",
        "did you mean 'capacity'? valid keys are 'producers', 'consumers', 'capacity', "
        "'overflow', 'partitions', 'retention', or 'binding'",
        "$.topics.readings.capacty",
        toml=(7, 1),
        yaml=(8, 5),
    ),
    toml=TOPIC_TOML.format(extra="capacty = 10"),
    yaml=TOPIC_YAML.format(extra="capacty: 10"),
)
case(
    "format-error-missing-class",
    # and no "no streamlet named 'source'" for the connection that names it
    Problem(
        "format-error",
        "streamlet 'source' is missing the required key 'class'",
        "add class = ...",
        "$.streamlets.source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(source="{ replicas = 2 }", sink=SINK_T),
    yaml=CHAIN_YAML.format(source="{ replicas: 2 }", sink=SINK_Y),
)
case(
    "format-error-duplicate-topic",
    Problem(
        "format-error",
        "key 'readings' is defined more than once (first at line 4); the first one is used",
        "remove the duplicate, or give it another name",
        "$.topics.readings",
        toml=(7, 9),
    ),
    toml=TOPIC_TOML.format(extra='[topics.readings]\nconsumers = ["sink.in"]'),
)
case(
    "format-error-duplicate-key-yaml",
    Problem(
        "format-error",
        "key 'consumers' is defined more than once (first at line 7); the first one is used",
        "remove the duplicate, or give it another name",
        "$.topics.readings.consumers",
        yaml=(8, 5),
    ),
    yaml=TOPIC_YAML.format(extra="consumers: [sink.in]"),
)

# --- empty-blueprint ---------------------------------------------------------------------

EMPTY = (
    "empty-blueprint",
    "the blueprint defines no streamlets",
    'add a [streamlets] table, e.g. ingress = "my_module:MyIngress"',
    "$.streamlets",
)
case(
    "empty-blueprint-no-streamlets",
    Problem(*EMPTY),
    toml='[blueprint]\nname = "app"\n',
    yaml="blueprint:\n  name: app\n",
)
case(
    "empty-blueprint-empty-table",
    Problem(*EMPTY, toml=(1, 2), yaml=(1, 1)),
    toml="[streamlets]\n",
    yaml="streamlets: {}\n",
)
case("empty-blueprint-empty-file", Problem(*EMPTY), toml="", yaml="")

# --- streamlet names and classes ----------------------------------------------------------

case(
    "invalid-streamlet-name",
    Problem(
        "invalid-streamlet-name",
        "streamlet name 'My_Source' is not a DNS-1123 label",
        "use lowercase letters, digits and '-', start and end with a letter or digit, "
        "at most 63 characters: e.g. 'my-source'",
        "$.streamlets.My_Source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="My_Source",
    ),
    toml=CHAIN_TOML.format(source=SOURCE_T, sink=SINK_T).replace("source", "My_Source"),
    yaml=CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y).replace("source", "My_Source"),
)
DUPLICATE = Problem(
    "duplicate-streamlet-name",
    "streamlet 'source' is defined more than once (first at line 2)",
    "give each instance its own name",
    "$.streamlets.source",
    toml=(4, 1),
    yaml=(4, 3),
    streamlet="source",
)
case(
    "duplicate-streamlet-name",
    DUPLICATE,
    toml=CHAIN_TOML.format(
        source=SOURCE_T, sink=SINK_T + '\nsource = "fixtures.streamlets:Double"'
    ),
    yaml=CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y + "\n  source: fixtures.streamlets:Double"),
)
case(
    "duplicate-streamlet-name-tables",
    Problem(
        "duplicate-streamlet-name",
        "streamlet 'source' is defined more than once (first at line 1)",
        "give each instance its own name",
        "$.streamlets.source",
        toml=(5, 13),
        streamlet="source",
    ),
    toml="""\
[streamlets.source]
class = "fixtures.streamlets:Source"
[streamlets.sink]
class = "fixtures.streamlets:Sink"
[streamlets.source]
class = "fixtures.streamlets:Double"
[connections]
"source.out" = ["sink.in"]
""",
)
CLASS_REF_HINT = (
    "write the module path, a colon, then the class name, e.g. 'streamlets.common:Logger'"
)
case(
    "invalid-class-reference",
    # and nothing about the connection naming the streamlet
    Problem(
        "invalid-class-reference",
        "expected a class reference 'module:Class', found 'fixtures.streamlets.Source'",
        CLASS_REF_HINT,
        "$.streamlets.source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(source='"fixtures.streamlets.Source"', sink=SINK_T),
    yaml=CHAIN_YAML.format(source="fixtures.streamlets.Source", sink=SINK_Y),
)
case(
    "invalid-class-reference-in-table",
    Problem(
        "invalid-class-reference",
        "expected a class reference 'module:Class', found 'Source'",
        CLASS_REF_HINT,
        "$.streamlets.source.class",
        toml=(2, 12),
        yaml=(2, 13),
        streamlet="source",
    ),
    toml='[streamlets]\nsource = { class = "Source" }\n',
    yaml="streamlets:\n  source: { class: Source }\n",
)
IMPORT_HINT = (
    "check the module path; modules are imported with the blueprint's directory and the "
    "current directory on sys.path"
)
case(
    "streamlet-not-found-module",
    Problem(
        "streamlet-not-found",
        "cannot import module 'fixtures.nosuch' for 'fixtures.nosuch:Source': "
        "ModuleNotFoundError: No module named 'fixtures.nosuch'",
        IMPORT_HINT,
        "$.streamlets.source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(source='"fixtures.nosuch:Source"', sink=SINK_T),
    yaml=CHAIN_YAML.format(source="fixtures.nosuch:Source", sink=SINK_Y),
)
FIXTURE_STREAMLETS = (
    "'AnySink', 'BadConfig', 'BadPortName', 'BadSchema', 'ConfigWithOpaque', 'Configured', "
    "'Double', 'DuplicatePorts', 'Merge', 'MetricSink', 'NoPorts', 'NoRun', 'Relabel', 'Sink', "
    "'Source', 'Split', 'SyncRun', 'WrapSink', 'WrapSource', 'counter', 'drop', and 'to_metric'"
)
case(
    "streamlet-not-found-attribute",
    Problem(
        "streamlet-not-found",
        "module 'fixtures.streamlets' has no streamlet 'Sourse'",
        f"did you mean 'Source'? streamlets in that module: {FIXTURE_STREAMLETS}",
        "$.streamlets.source",
        toml=(2, 1),
        yaml=(2, 3),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(source='"fixtures.streamlets:Sourse"', sink=SINK_T),
    yaml=CHAIN_YAML.format(source="fixtures.streamlets:Sourse", sink=SINK_Y),
)
NOT_A_STREAMLET_HINT = (
    "derive the class from sandbox.Streamlet, or decorate a function with "
    "@sandbox.processor, @sandbox.ingress or @sandbox.egress"
)
case(
    "not-a-streamlet-class",
    Problem(
        "not-a-streamlet",
        "'fixtures.streamlets:Plain' is the class Plain, not a streamlet",
        NOT_A_STREAMLET_HINT,
        "$.streamlets.source.class",
        toml=(2, 12),
        yaml=(2, 13),
        streamlet="source",
    ),
    toml='[streamlets]\nsource = { class = "fixtures.streamlets:Plain" }\n',
    yaml='streamlets:\n  source: { class: "fixtures.streamlets:Plain" }\n',
)
case(
    "not-a-streamlet-function",
    Problem(
        "not-a-streamlet",
        "'fixtures.streamlets:plain_function' is a function, not a streamlet",
        NOT_A_STREAMLET_HINT,
        "$.streamlets.source",
        toml=(2, 1),
        streamlet="source",
    ),
    toml='[streamlets]\nsource = "fixtures.streamlets:plain_function"\n',
)
case(
    "not-a-streamlet-value",
    Problem(
        "not-a-streamlet",
        "'fixtures.streamlets:CONSTANT' is an integer 42, not a streamlet",
        NOT_A_STREAMLET_HINT,
        "$.streamlets.source",
        yaml=(2, 3),
        streamlet="source",
    ),
    yaml="streamlets:\n  source: fixtures.streamlets:CONSTANT\n",
)

# --- invalid-streamlet-definition ----------------------------------------------------------

PLAIN_CLASS = (
    "is a plain class msgspec cannot encode or decode; "
    "use a msgspec.Struct, a dataclass or a builtin type"
)
DEFINITIONS = {
    "BadPortName": ("Out", "port name 'Out' is not a lowercase identifier such as 'in' or 'valid'"),
    "DuplicatePorts": ("out", "two ports are named 'out'; port names must be unique"),
    "BadSchema": ("out", f"the schema Opaque cannot be a record type: Opaque {PLAIN_CLASS}"),
    "BadConfig": (None, "its Config must be a msgspec.Struct subclass, found <class 'dict'>"),
    "ConfigWithOpaque": (
        None,
        f"its Config cannot be validated by msgspec: Opaque at 'thing|Opaque' {PLAIN_CLASS}",
    ),
    "NoPorts": (None, "it declares no ports (Inlet or Outlet attributes)"),
    "NoRun": (None, "it does not implement 'run'"),
    "SyncRun": (None, "its run method must be 'async def'"),
}
for cls, (port, reason) in DEFINITIONS.items():
    case(
        f"invalid-streamlet-definition-{cls}",
        Problem(
            "invalid-streamlet-definition",
            f"'fixtures.streamlets:{cls}' is not a valid streamlet: {reason}",
            "fix the streamlet class",
            "$.streamlets.broken",
            toml=(2, 1),
            yaml=(2, 3),
            streamlet="broken",
            port=port,
        ),
        toml=f'[streamlets]\nbroken = "fixtures.streamlets:{cls}"\n',
        yaml=f"streamlets:\n  broken: fixtures.streamlets:{cls}\n",
    )

# --- ports and topics ------------------------------------------------------------------------

CONSUMER_1 = "$.topics.readings.consumers[1]"
case(
    "invalid-port-path",
    Problem(
        "invalid-port-path",
        "expected a port path 'streamlet.port' or 'streamlet', found 'sink.in.x'",
        "name a streamlet instance, optionally followed by '.' and a port name",
        CONSUMER_1,
        toml=(6, 25),
        yaml=(7, 26),
    ),
    toml=TOPIC_TOML.format(extra="").replace('["sink.in"]', '["sink.in", "sink.in.x"]'),
    yaml=TOPIC_YAML.format(extra="").replace("[sink.in]", "[sink.in, sink.in.x]"),
)
case(
    "port-not-found-streamlet",
    Problem(
        "port-not-found",
        "no streamlet named 'snk'",
        "did you mean 'sink'? streamlets in this blueprint: 'source' and 'sink'",
        CONSUMER_1,
        toml=(6, 25),
        yaml=(7, 26),
        streamlet="snk",
        port="in",
    ),
    toml=TOPIC_TOML.format(extra="").replace('["sink.in"]', '["sink.in", "snk.in"]'),
    yaml=TOPIC_YAML.format(extra="").replace("[sink.in]", "[sink.in, snk.in]"),
)
SPLIT_TOML = """\
[streamlets]
source = "fixtures.streamlets:Source"
split = "fixtures.streamlets:Split"
low = "fixtures.streamlets:Sink"
high = "fixtures.streamlets:Sink"
[connections]
"source.out" = ["split.in"]
"{low}" = ["low.in"]
"split.high" = ["high.in"]
"""
SPLIT_YAML = """\
streamlets:
  source: fixtures.streamlets:Source
  split: fixtures.streamlets:Split
  low: fixtures.streamlets:Sink
  high: fixtures.streamlets:Sink
connections:
  source.out: [split.in]
  {low}: [low.in]
  split.high: [high.in]
"""
case(
    "port-not-found-port",
    Problem(
        "unconnected-outlet",
        "outlet 'split.low' (Reading) is not connected to any topic",
        "add it to the producers of a topic, such as 'source.out', 'split.high', or 'split.lo'",
        "$.streamlets.split",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="split",
        port="low",
    ),
    Problem(
        "port-not-found",
        "streamlet 'split' (fixtures.streamlets:Split) has no outlet named 'lo'",
        "did you mean 'low'? its outlets are 'low' and 'high'",
        "$.connections['split.lo']",
        toml=(8, 1),
        yaml=(8, 3),
        streamlet="split",
        port="lo",
    ),
    toml=SPLIT_TOML.format(low="split.lo"),
    yaml=SPLIT_YAML.format(low="split.lo"),
)
case(
    "port-not-found-no-inlet",
    Problem(
        "port-not-found",
        "streamlet 'source' (fixtures.streamlets:Source) has no inlet",
        "an ingress has no inlets; list it among the producers",
        CONSUMER_1,
        toml=(6, 25),
        yaml=(7, 26),
        streamlet="source",
    ),
    toml=TOPIC_TOML.format(extra="").replace('["sink.in"]', '["sink.in", "source"]'),
    yaml=TOPIC_YAML.format(extra="").replace("[sink.in]", "[sink.in, source]"),
)
case(
    "port-not-found-no-outlet",
    Problem(
        "port-not-found",
        "streamlet 'sink' (fixtures.streamlets:Sink) has no outlet",
        "an egress has no outlets; list it among the consumers",
        "$.topics.readings.producers[1]",
        toml=(5, 28),
        yaml=(6, 29),
        streamlet="sink",
        port="out",
    ),
    toml=TOPIC_TOML.format(extra="").replace('["source.out"]', '["source.out", "sink.out"]'),
    yaml=TOPIC_YAML.format(extra="").replace("[source.out]", "[source.out, sink.out]"),
)
case(
    "ambiguous-port",
    Problem(
        "unconnected-outlet",
        "outlet 'split.low' (Reading) is not connected to any topic",
        "add it to the producers of a topic, such as 'source.out', 'split', or 'split.high'",
        "$.streamlets.split",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="split",
        port="low",
    ),
    Problem(
        "ambiguous-port",
        "streamlet 'split' has several outlets, so the port cannot be left out",
        "write one of 'split.low' or 'split.high'",
        "$.connections.split",
        toml=(8, 1),
        yaml=(8, 3),
        streamlet="split",
    ),
    toml=SPLIT_TOML.format(low="split"),
    yaml=SPLIT_YAML.format(low="split"),
)
PROCESSOR_TOML = """\
[streamlets]
source = "fixtures.streamlets:Source"
double = "fixtures.streamlets:Double"
sink = "fixtures.streamlets:Sink"
[topics.readings]
producers = ["source.out"]
consumers = ["{first}"]
[topics.doubled]
producers = ["{second}"]
consumers = ["sink.in"]
"""
PROCESSOR_YAML = """\
streamlets:
  source: fixtures.streamlets:Source
  double: fixtures.streamlets:Double
  sink: fixtures.streamlets:Sink
topics:
  readings:
    producers: [source.out]
    consumers: [{first}]
  doubled:
    producers: [{second}]
    consumers: [sink.in]
"""
case(
    "invalid-producer-port",
    Problem(
        "unconnected-outlet",
        "outlet 'double.out' (Reading) is not connected to any topic",
        "add it to the producers of a topic, such as 'doubled' or 'readings'",
        "$.streamlets.double",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="double",
        port="out",
    ),
    Problem(
        "invalid-producer-port",
        "'double.in' is an inlet, but producers must be outlets",
        "list it under consumers, or name one of the outlets: 'double.out'",
        "$.topics.doubled.producers[0]",
        toml=(9, 14),
        yaml=(10, 17),
        streamlet="double",
        port="in",
    ),
    toml=PROCESSOR_TOML.format(first="double.in", second="double.in"),
    yaml=PROCESSOR_YAML.format(first="double.in", second="double.in"),
)
case(
    "invalid-consumer-port",
    Problem(
        "unconnected-inlet",
        "inlet 'double.in' (Reading) is not connected to any topic",
        "add it to the consumers of a topic that carries Reading, such as 'doubled' or 'readings'",
        "$.streamlets.double",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="double",
        port="in",
    ),
    Problem(
        "invalid-consumer-port",
        "'double.out' is an outlet, but consumers must be inlets",
        "list it under producers, or name one of the inlets: 'double.in'",
        "$.topics.readings.consumers[0]",
        toml=(7, 14),
        yaml=(8, 17),
        streamlet="double",
        port="out",
    ),
    toml=PROCESSOR_TOML.format(first="double.out", second="double.out"),
    yaml=PROCESSOR_YAML.format(first="double.out", second="double.out"),
)
case(
    "port-bound-to-many-topics",
    Problem(
        "port-bound-to-many-topics",
        "port 'source.out' is bound to topic 'copies' and already to 'readings'",
        "a port belongs to one topic; to feed several consumers, list them all as consumers "
        "of 'readings'",
        "$.topics.copies.producers[0]",
        toml=(9, 14),
        yaml=(11, 17),
        streamlet="source",
        port="out",
    ),
    toml=TOPIC_TOML.replace("sink = ", 'other = "fixtures.streamlets:Sink"\nsink = ').format(
        extra='[topics.copies]\nproducers = ["source.out"]\nconsumers = ["other.in"]'
    ),
    yaml=TOPIC_YAML.replace("  sink: ", "  other: fixtures.streamlets:Sink\n  sink: ").format(
        extra="\n  copies:\n    producers: [source.out]\n    consumers: [other.in]"
    ),
)
case(
    "invalid-topic-name",
    Problem(
        "invalid-topic-name",
        "topic name 'raw readings' is not valid",
        "use letters, digits, '-', '_' and '.', starting with a letter or digit, "
        "at most 249 characters",
        "$.topics['raw readings']",
        toml=(4, 9),
        yaml=(5, 3),
    ),
    toml=TOPIC_TOML.format(extra="").replace("[topics.readings]", '[topics."raw readings"]'),
    yaml=TOPIC_YAML.format(extra="").replace("  readings:", "  raw readings:"),
)

# --- schemas ------------------------------------------------------------------------------------

SCHEMA_HINT = "make the schemas agree, or add a converter streamlet between them"
case(
    "incompatible-schema",
    Problem(
        "incompatible-schema",
        "source.out emits Reading, but sink.in expects Metric: (top level): field 'name' is "
        "required by the consumer and missing from the producer (producer Reading, consumer "
        "Metric)",
        SCHEMA_HINT,
        "$.topics.readings.consumers[0]",
        toml=(6, 14),
        yaml=(7, 17),
        streamlet="sink",
        port="in",
    ),
    toml=TOPIC_TOML.format(extra="").replace(":Sink", ":MetricSink"),
    yaml=TOPIC_YAML.format(extra="").replace(":Sink", ":MetricSink"),
)
case(
    "incompatible-schema-nested-fields",
    Problem(
        "incompatible-schema",
        "source.out emits Wrapped, but sink.in expects WrappedMetric: reading: field 'name' is "
        "required by the consumer and missing from the producer (producer Reading, consumer "
        "Metric); tags[]: incompatible types (producer str, consumer int)",
        SCHEMA_HINT,
        "$.connections['source.out'][0]",
        toml=(5, 17),
        yaml=(5, 16),
        streamlet="sink",
        port="in",
    ),
    toml=CHAIN_TOML.format(
        source='"fixtures.streamlets:WrapSource"', sink='"fixtures.streamlets:WrapSink"'
    ),
    yaml=CHAIN_YAML.format(
        source="fixtures.streamlets:WrapSource", sink="fixtures.streamlets:WrapSink"
    ),
)

# --- unconnected ports and topics -----------------------------------------------------------

case(
    "unconnected-inlet",
    Problem(
        "unconnected-inlet",
        "inlet 'merge.right' (Reading) is not connected to any topic",
        "add it to the consumers of a topic that carries Reading, such as 'merge.out' or "
        "'source.out'",
        "$.streamlets.merge",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="merge",
        port="right",
    ),
    toml="""\
[streamlets]
source = "fixtures.streamlets:Source"
merge = "fixtures.streamlets:Merge"
sink = "fixtures.streamlets:Sink"
[connections]
"source.out" = ["merge.left"]
"merge.out" = ["sink.in"]
""",
    yaml="""\
streamlets:
  source: fixtures.streamlets:Source
  merge: fixtures.streamlets:Merge
  sink: fixtures.streamlets:Sink
connections:
  source.out: [merge.left]
  merge.out: [sink.in]
""",
)
case(
    "unconnected-outlet",
    Problem(
        "unconnected-outlet",
        "outlet 'split.low' (Reading) is not connected to any topic",
        "add it to the producers of a topic, such as 'source.out' or 'split.high'",
        "$.streamlets.split",
        toml=(3, 1),
        yaml=(3, 3),
        streamlet="split",
        port="low",
    ),
    toml=SPLIT_TOML.format(low="split.high")
    .replace('"split.high" = ["high.in"]\n', "")
    .replace('"split.high" = ["low.in"]', '"split.high" = ["low.in", "high.in"]'),
    yaml=SPLIT_YAML.format(low="split.high")
    .replace("  split.high: [high.in]\n", "")
    .replace("split.high: [low.in]", "split.high: [low.in, high.in]"),
)
case(
    "topic-without-producers",
    Problem(
        "topic-without-producers",
        "topic 'spare' has no producers, so its consumers will never receive a record",
        'add producers = ["streamlet.outlet"], or remove the topic',
        "$.topics.spare",
        toml=(7, 9),
        yaml=(8, 3),
    ),
    toml=CHAIN_TOML.format(source=SOURCE_T, sink=SINK_T + '\nextra = "fixtures.streamlets:AnySink"')
    + '[topics.spare]\nconsumers = ["extra"]\n',
    yaml=CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y + "\n  extra: fixtures.streamlets:AnySink")
    + "topics:\n  spare:\n    consumers: [extra]\n",
)
case(
    "topic-without-consumers",
    Problem(
        "topic-without-consumers",
        "topic 'readings' has no consumers, so what its producers send is discarded",
        'add consumers = ["streamlet.inlet"], or remove the topic',
        "$.topics.readings",
        toml=(3, 9),
        yaml=(4, 3),
    ),
    toml='[streamlets]\nsource = "fixtures.streamlets:Source"\n'
    '[topics.readings]\nproducers = ["source.out"]\n',
    yaml="streamlets:\n  source: fixtures.streamlets:Source\n"
    "topics:\n  readings:\n    producers: [source.out]\n",
)
case(
    "topic-without-producers-or-consumers",
    Problem(
        "topic-without-producers",
        "topic 'spare' has no producers, so its consumers will never receive a record",
        'add producers = ["streamlet.outlet"], or remove the topic',
        "$.topics.spare",
        toml=(6, 9),
        yaml=(7, 3),
    ),
    Problem(
        "topic-without-consumers",
        "topic 'spare' has no consumers, so what its producers send is discarded",
        'add consumers = ["streamlet.inlet"], or remove the topic',
        "$.topics.spare",
        toml=(6, 9),
        yaml=(7, 3),
    ),
    toml=CHAIN_TOML.format(source=SOURCE_T, sink=SINK_T) + "[topics.spare]\nconsumers = []\n",
    yaml=CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y) + "topics:\n  spare:\n    consumers: []\n",
)

# --- config ---------------------------------------------------------------------------------

case(
    "unknown-config-key",
    Problem(
        "unknown-config-key",
        "fixtures.streamlets:Double has no config parameter 'facter'",
        "did you mean 'factor'? its parameters are 'factor'",
        "$.streamlets.double.config.facter",
        toml=(3, 61),
        yaml=(3, 58),
        streamlet="double",
    ),
    toml=PROCESSOR_TOML.format(first="double.in", second="double.out").replace(
        '"fixtures.streamlets:Double"',
        '{ class = "fixtures.streamlets:Double", config = { facter = 3.0 } }',
    ),
    yaml=PROCESSOR_YAML.format(first="double.in", second="double.out").replace(
        "fixtures.streamlets:Double",
        "{ class: fixtures.streamlets:Double, config: { facter: 3.0 } }",
    ),
)
case(
    "unknown-config-key-no-config",
    Problem(
        "unknown-config-key",
        "fixtures.streamlets:Source takes no config, found 'rate'",
        "remove the config entry",
        "$.streamlets.source.config.rate",
        toml=(2, 61),
        yaml=(2, 58),
        streamlet="source",
    ),
    toml=CHAIN_TOML.format(
        source='{ class = "fixtures.streamlets:Source", config = { rate = 3 } }', sink=SINK_T
    ),
    yaml=CHAIN_YAML.format(
        source="{ class: fixtures.streamlets:Source, config: { rate: 3 } }", sink=SINK_Y
    ),
)
CONFIGURED_T = '{{ class = "fixtures.streamlets:Configured", config = {{ count = 1, {kv} }} }}'
CONFIGURED_Y = "{{ class: fixtures.streamlets:Configured, config: {{ count: 1, {kv} }} }}"
CONFIG_VALUES = {
    "bound": ("rate = 0", "rate: 0", "rate", "expected `float` > 0.0", "a number > 0"),
    "type": ("label = 3", "label: 3", "label", "expected `str`, got `int`", "str"),
    "duration": (
        'window = "2 parsecs"',
        "window: 2 parsecs",
        "window",
        "'2 parsecs' is not a duration such as '2s', '500ms' or '2 minutes'",
        "a duration such as '2s' or '500ms'",
    ),
    "size": (
        'buffer = "lots"',
        "buffer: lots",
        "buffer",
        "'lots' is not a memory size such as '32M', '512k' or '1.5GiB'",
        "a memory size such as '32M'",
    ),
    "literal": (
        'mode = "medium"',
        "mode: medium",
        "mode",
        "invalid enum value 'medium'",
        "Literal['fast', 'slow']",
    ),
}
for variant, (toml_kv, yaml_kv, key, detail, expected) in CONFIG_VALUES.items():
    case(
        f"invalid-config-value-{variant}",
        Problem(
            "invalid-config-value",
            f"config '{key}' of fixtures.streamlets:Configured: {detail}",
            f"expected {expected}",
            f"$.streamlets.source.config.{key}",
            toml=(2, 76),
            yaml=(2, 72),
            streamlet="source",
        ),
        toml=CHAIN_TOML.format(source=CONFIGURED_T.format(kv=toml_kv), sink=SINK_T),
        yaml=CHAIN_YAML.format(source=CONFIGURED_Y.format(kv=yaml_kv), sink=SINK_Y),
    )
case(
    "invalid-config-value-combination",
    Problem(
        "invalid-config-value",
        "config of fixtures.streamlets:Relabel is not valid: low must not be above high",
        "check how the values of its parameters fit together",
        "$.streamlets.double.config",
        toml=(3, 51),
        yaml=(3, 49),
        streamlet="double",
    ),
    toml=PROCESSOR_TOML.format(first="double.in", second="double.out").replace(
        '"fixtures.streamlets:Double"',
        '{ class = "fixtures.streamlets:Relabel", config = { low = 5.0, high = 1.0 } }',
    ),
    yaml=PROCESSOR_YAML.format(first="double.in", second="double.out").replace(
        "fixtures.streamlets:Double",
        "{ class: fixtures.streamlets:Relabel, config: { low: 5.0, high: 1.0 } }",
    ),
)
MISSING_COUNT = (
    "missing-config-value",
    "fixtures.streamlets:Configured requires config parameter 'count' (an integer), "
    "which is not set",
    "set it in the blueprint (config = { count = ... }), a --config file, or "
    "--set source.count=VALUE",
    "$.streamlets.source.config",
)
case(
    "missing-config-value",
    Problem(*MISSING_COUNT, toml=(2, 1), yaml=(2, 3), streamlet="source"),
    toml=CHAIN_TOML.format(source='"fixtures.streamlets:Configured"', sink=SINK_T),
    yaml=CHAIN_YAML.format(source="fixtures.streamlets:Configured", sink=SINK_Y),
)
case(
    "missing-config-value-with-config-table",
    Problem(*MISSING_COUNT, toml=(2, 54), yaml=(2, 52), streamlet="source"),
    toml=CHAIN_TOML.format(
        source='{ class = "fixtures.streamlets:Configured", config = { rate = 2.0 } }',
        sink=SINK_T,
    ),
    yaml=CHAIN_YAML.format(
        source="{ class: fixtures.streamlets:Configured, config: { rate: 2.0 } }", sink=SINK_Y
    ),
)

# --- invalid-setting -------------------------------------------------------------------------

SINK_SETTING_T = '{{ class = "fixtures.streamlets:Sink", {kv} }}'
SINK_SETTING_Y = "{{ class: fixtures.streamlets:Sink, {kv} }}"
CHOICES = {
    "runtime": "one of 'async', 'thread', or 'process'",
    "restart": "one of 'never', 'on-failure', or 'always'",
    "on-error": "one of 'fail', 'skip', or 'dead-letter'",
    "log-level": "one of 'debug', 'info', 'warning', 'error', or 'critical'",
}
BACKOFF = "a range of durations such as '100ms..10s'"
STREAMLET_SETTINGS = {
    # id: (setting, toml value, yaml value, expected, found, hint)
    "replicas": ("replicas", "0", "0", "an integer >= 1", "an integer 0", None),
    "replicas-bool": ("replicas", "true", "true", "an integer >= 1", "a boolean true", None),
    "max-restarts": ("max-restarts", "-1", "-1", "an integer >= 0", "an integer -1", None),
    "runtime": (
        "runtime",
        '"threads"',
        "threads",
        CHOICES["runtime"],
        "a string 'threads'",
        "did you mean 'thread'?",
    ),
    "restart": (
        "restart",
        '"sometimes"',
        "sometimes",
        CHOICES["restart"],
        "a string 'sometimes'",
        None,
    ),
    "on-error": ("on-error", '"retry"', "retry", CHOICES["on-error"], "a string 'retry'", None),
    "log-level": (
        "log-level",
        '"verbose"',
        "verbose",
        CHOICES["log-level"],
        "a string 'verbose'",
        None,
    ),
    "log-level-type": ("log-level", "3", "3", CHOICES["log-level"], "an integer 3", None),
    "backoff": ("backoff", '"10s"', "10s", BACKOFF, "a string '10s'", None),
    "backoff-order": (
        "backoff",
        '"10s..1s"',
        "10s..1s",
        BACKOFF,
        "a string '10s..1s'",
        "the first duration must be positive and not above the second",
    ),
    "backoff-unit": (
        "backoff",
        '"1x..2s"',
        "1x..2s",
        BACKOFF,
        "a string '1x..2s'",
        "'1x' is not a duration such as '2s', '500ms' or '2 minutes'",
    ),
}
for variant, (key, toml_value, yaml_value, expected, found, hint) in STREAMLET_SETTINGS.items():
    case(
        f"invalid-setting-{variant}",
        Problem(
            "invalid-setting",
            f"{key} of streamlet 'sink' must be {expected}, found {found}",
            hint or f"set {key} to {expected}",
            f"$.streamlets.sink.{key}",
            toml=(3, 46),
            yaml=(3, 44),
            streamlet="sink",
        ),
        toml=CHAIN_TOML.format(
            source=SOURCE_T, sink=SINK_SETTING_T.format(kv=f"{key} = {toml_value}")
        ),
        yaml=CHAIN_YAML.format(
            source=SOURCE_Y, sink=SINK_SETTING_Y.format(kv=f"{key}: {yaml_value}")
        ),
    )
OVERFLOW = "one of 'block', 'drop-oldest', 'drop-newest', or 'fail'"
TOPIC_SETTINGS = {
    "capacity": ("capacity", "0", "0", "an integer >= 1", "an integer 0"),
    "capacity-type": ("capacity", '"big"', "big", "an integer >= 1", "a string 'big'"),
    "overflow": ("overflow", '"spill"', "spill", OVERFLOW, "a string 'spill'"),
}
for variant, (key, toml_value, yaml_value, expected, found) in TOPIC_SETTINGS.items():
    case(
        f"invalid-setting-{variant}",
        Problem(
            "invalid-setting",
            f"{key} of topic 'readings' must be {expected}, found {found}",
            f"set {key} to {expected}",
            f"$.topics.readings.{key}",
            toml=(7, 1),
            yaml=(8, 5),
        ),
        toml=TOPIC_TOML.format(extra=f"{key} = {toml_value}"),
        yaml=TOPIC_YAML.format(extra=f"{key}: {yaml_value}"),
    )
for key in ("partitions", "retention", "binding"):
    case(
        f"invalid-setting-reserved-{key}",
        Problem(
            "invalid-setting",
            f"{key} of topic 'readings' has no effect in the sandbox",
            "it is reserved for the broker transport; the in-memory sandbox ignores it",
            f"$.topics.readings.{key}",
            toml=(7, 1),
            yaml=(8, 5),
            severity="warning",
        ),
        toml=TOPIC_TOML.format(extra=f"{key} = 3"),
        yaml=TOPIC_YAML.format(extra=f"{key}: 3"),
    )
case(
    "invalid-setting-blueprint-name",
    Problem(
        "invalid-setting",
        "name of the blueprint must be a DNS-1123 label, found 'Sensor Data'",
        "for example 'sensor-data'",
        "$.blueprint.name",
        toml=(2, 1),
        yaml=(2, 3),
    ),
    toml='[blueprint]\nname = "Sensor Data"\n' + CHAIN_TOML.format(source=SOURCE_T, sink=SINK_T),
    yaml="blueprint:\n  name: Sensor Data\n" + CHAIN_YAML.format(source=SOURCE_Y, sink=SINK_Y),
)

# --- cycle -------------------------------------------------------------------------------------

case(
    "cycle",
    Problem(
        "cycle",
        "streamlets 'merge' and 'split' form a cycle: bounded buffers in a cycle can deadlock",
        "make sure a streamlet in the cycle never blocks on a full buffer, or break the cycle",
        "$.connections.merge",
        toml=(8, 1),
        yaml=(8, 3),
        streamlet="merge",
    ),
    toml="""\
[streamlets]
source = "fixtures.streamlets:Source"
merge = "fixtures.streamlets:Merge"
split = "fixtures.streamlets:Split"
sink = "fixtures.streamlets:Sink"
[connections]
"source" = ["merge.left"]
"merge" = ["split"]
"split.low" = ["merge.right"]
"split.high" = ["sink"]
""",
    yaml="""\
streamlets:
  source: fixtures.streamlets:Source
  merge: fixtures.streamlets:Merge
  split: fixtures.streamlets:Split
  sink: fixtures.streamlets:Sink
connections:
  source: [merge.left]
  merge: [split]
  split.low: [merge.right]
  split.high: [sink]
""",
)


def _params() -> list[object]:
    params: list[object] = []
    for name, c in CASES.items():
        for suffix, text in ((".toml", c.toml), (".yaml", c.yaml)):
            if text is not None:
                params.append(pytest.param(text, suffix, c.problems, id=f"{name}{suffix}"))
    return params


@pytest.mark.parametrize(("text", "suffix", "problems"), _params())
def test_verify_reports_exactly_the_expected_problems(
    tmp_path: Path, text: str, suffix: str, problems: tuple[Problem, ...]
) -> None:
    report = verify_text(tmp_path, text, suffix)
    file = tmp_path / f"app{suffix}"
    assert list(report.diagnostics) == [p.diagnostic(file, suffix) for p in problems]


def test_a_good_share_of_cases_run_in_both_formats() -> None:
    both = [name for name, c in CASES.items() if c.toml is not None and c.yaml is not None]
    assert len(both) >= 0.8 * len(CASES)


# --- problems that need a file or a module of their own ---------------------------------------


def _dir(tmp_path: Path) -> Path:
    (tmp_path / "app.toml").mkdir()
    return tmp_path / "app.toml"


def _extension(tmp_path: Path) -> Path:
    (tmp_path / "app.json").write_text("{}")
    return tmp_path / "app.json"


def _no_extension(tmp_path: Path) -> Path:
    (tmp_path / "Blueprint").write_text("")
    return tmp_path / "Blueprint"


def _nul(tmp_path: Path) -> Path:
    (tmp_path / "app.toml").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00")
    return tmp_path / "app.toml"


def _latin1(tmp_path: Path) -> Path:
    (tmp_path / "app.yaml").write_bytes(b"blueprint:\n  name: caf\xe9\n")
    return tmp_path / "app.yaml"


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "nosuch.toml"


def _huge(tmp_path: Path) -> Path:
    path = tmp_path / "app.toml"
    with path.open("wb") as f:
        f.truncate(8 * 1024 * 1024 + 1)  # sparse: costs no time or disk
    return path


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _dir,
            "expected a blueprint file, found a directory",
            "pass the path of a .toml, .yaml or .yml file",
            id="directory",
        ),
        pytest.param(
            _extension,
            "expected a file ending in .toml, .yaml or .yml, found '.json'",
            "rename the file, or convert it to TOML or YAML",
            id="wrong-extension",
        ),
        pytest.param(
            _no_extension,
            "expected a file ending in .toml, .yaml or .yml, found '(none)'",
            "rename the file, or convert it to TOML or YAML",
            id="no-extension",
        ),
        pytest.param(
            _nul,
            "expected a text file, found binary data (it contains NUL bytes)",
            "pass the blueprint file, not a compiled or binary file",
            id="binary",
        ),
        pytest.param(
            _latin1,
            "expected a text file, found binary data (not UTF-8 at byte 22)",
            "pass the blueprint file, not a compiled or binary file",
            id="not-utf-8",
        ),
        pytest.param(
            _missing,
            "cannot read the file: No such file or directory",
            "check that the file exists and is readable",
            id="missing",
        ),
        pytest.param(
            _huge,
            "the file is 8388609 bytes; blueprints are limited to 8388608 bytes",
            "a blueprint names streamlets and topics; move data out of it",
            id="too-large",
        ),
    ],
)
def test_verify_reports_unusable_files_as_format_errors(
    tmp_path: Path, make: object, message: str, hint: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    report = verify(path)
    assert report.application is None
    assert report.diagnostics == (
        Diagnostic(
            code="format-error", severity="error", message=message, hint=hint, file=str(path)
        ),
    )


def _module_case(tmp_path: Path, source: str, ref: str) -> tuple[Diagnostic, str]:
    """Write `source` as a fresh module, verify a blueprint using `<module>:<ref>`."""
    module = unique_module_name()
    (tmp_path / f"{module}.py").write_text(source)
    text = f'[streamlets]\nbroken = "{module}:{ref}"\n'
    report = verify_text(tmp_path, text)
    assert len(report.diagnostics) == 1, report.diagnostics
    return report.diagnostics[0], module


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        pytest.param(
            "import os\n\nraise RuntimeError('no database')\n",
            "RuntimeError: no database ({file}, line 3)",
            id="exception",
        ),
        pytest.param("import sys\nsys.exit(3)\n", "SystemExit: 3 ({file}, line 2)", id="sys-exit"),
        pytest.param("def f(:\n", "SyntaxError: invalid syntax ({file}, line 1)", id="syntax"),
        pytest.param(
            "import fixtures.nosuch\n",
            "ModuleNotFoundError: No module named 'fixtures.nosuch' ({file}, line 1)",
            id="missing-import",
        ),
        pytest.param(
            "from sandbox import processor\n\n@processor\ndef other(x):\n    return x\n",
            "StreamletDefinitionError: other.in: annotate the record parameter 'x' with its "
            "schema ({file}, line 3)",
            id="another-streamlet-is-invalid",
        ),
    ],
)
def test_verify_reports_a_module_failing_at_import_with_its_cause(
    tmp_path: Path, source: str, cause: str
) -> None:
    problem, module = _module_case(tmp_path, source, "Thing")
    file = tmp_path / f"{module}.py"
    assert problem == Diagnostic(
        code="streamlet-not-found",
        severity="error",
        message=f"cannot import module '{module}' for '{module}:Thing': " + cause.format(file=file),
        hint=IMPORT_HINT,
        file=str(tmp_path / "app.toml"),
        line=2,
        column=1,
        path="$.streamlets.broken",
        streamlet="broken",
    )


@pytest.mark.parametrize(
    ("source", "port", "reason"),
    [
        pytest.param(
            "from sandbox import processor\n\n@processor\ndef broken(x):\n    return x\n",
            "in",
            "annotate the record parameter 'x' with its schema",
            id="no-parameter-annotation",
        ),
        pytest.param(
            "from sandbox import processor\n\n@processor\ndef broken(x: int):\n    return x\n",
            "out",
            "annotate its return type with the record schema it emits",
            id="no-return-annotation",
        ),
        pytest.param(
            "from sandbox import processor\n\n@processor\ndef broken(x: int, y: int) -> int:\n"
            "    return x\n",
            None,
            "it must take exactly one record parameter (and optionally 'ctx')",
            id="two-parameters",
        ),
        pytest.param(
            "from sandbox import processor\n\n@processor\ndef broken(x: 'Nope') -> int:\n"
            "    return 1\n",
            None,
            "its annotations cannot be resolved: name 'Nope' is not defined",
            id="unresolvable-annotation",
        ),
        pytest.param(
            "from collections.abc import Iterator\nfrom sandbox import ingress\n\n"
            "@ingress\ndef broken() -> int:\n    return 1\n",
            "out",
            "it must be annotated as a generator of records, found <class 'int'>",
            id="ingress-not-a-generator",
        ),
    ],
)
def test_verify_reports_an_invalid_function_streamlet(
    tmp_path: Path, source: str, port: str | None, reason: str
) -> None:
    problem, module = _module_case(tmp_path, source, "broken")
    assert problem == Diagnostic(
        code="invalid-streamlet-definition",
        severity="error",
        message=f"'{module}:broken' is not a valid streamlet: {reason}",
        hint="fix the streamlet class",
        file=str(tmp_path / "app.toml"),
        line=2,
        column=1,
        path="$.streamlets.broken",
        streamlet="broken",
        port=port,
    )


def test_a_failing_import_raises_nothing_and_other_streamlets_still_verify(
    tmp_path: Path,
) -> None:
    module = unique_module_name()
    (tmp_path / f"{module}.py").write_text("raise KeyError('boom')\n")
    text = f"""\
[streamlets]
broken = "{module}:Thing"
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[connections]
"source" = ["sink"]
"broken.out" = ["sink"]
"""
    report = verify_text(tmp_path, text)
    assert codes(report) == ["streamlet-not-found", "port-bound-to-many-topics"]
    assert report.application is not None
    assert set(report.application.instances) == {"source", "sink"}


def test_every_problem_code_is_covered() -> None:
    covered = {p.code for c in CASES.values() for p in c.problems}
    assert covered == set(CODES)
