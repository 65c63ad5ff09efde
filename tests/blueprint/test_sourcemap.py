from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.blueprint.sourcemap import (
    DuplicateKey,
    PathKey,
    SourceMap,
    SourceSyntaxError,
    json_path,
    parse_toml,
    parse_yaml,
)
from sandbox.errors import Location, SandboxError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    Parser = Callable[[str, str | None], tuple[dict[str, object], SourceMap, list[DuplicateKey]]]

# One logical document in both formats, using every construct the map must place.
TOML_DOC = '''\
# A pipeline using every construct the source map must place.
[blueprint]
name = "sensor-data"  # application id
description = """
Reads "sensors", \\
  validates them."""
notes = \'\'\'
[not-a-table]
not-a-key = 1\'\'\'

[streamlets]
ingress = "streamlets.sensors:SensorIngress"
validation = { class = "x:Validate", replicas = 2, config = { min = 0.0 } }
"valid-log" = 'streamlets.common:Logger'
metrics.class = "x:ToMetrics"
metrics.config."scale.factor" = 1.5

[topics.readings]
producers = ["ingress.out"]
consumers = [
    "metrics.in",  # first
    "valid-log.in",  # ] , not the end
]

[connections]
"metrics.out" = ["validation.in"]
"esc\\u0061ped" = 1

[[probes]]
name = "first"

[[probes]]
name = "second"
since = 1979-05-27 07:32:00Z
'''

YAML_DOC = """\
# A pipeline using every construct the source map must place.
blueprint:
  name: sensor-data  # application id
  description: >-
    Reads "sensors",
    validates them.
  notes: "[not-a-table]\\nnot-a-key = 1"



streamlets:
  ingress: streamlets.sensors:SensorIngress
  validation: {class: "x:Validate", replicas: 2,
    config: {min: 0.0}}
  "valid-log": 'streamlets.common:Logger'
  metrics: {class: "x:ToMetrics", config: {scale.factor: 1.5}}

topics:
  readings:
    producers: [ingress.out]
    consumers:
      - metrics.in  # first
      - valid-log.in

connections:
  metrics.out: [validation.in]
  "esc\\x61ped": 1

probes:
  - name: first

  - name: second
    since: 1979-05-27 07:32:00Z
"""

# (path, position in TOML_DOC, position in YAML_DOC)
POSITIONS: list[tuple[str, PathKey, tuple[int, int], tuple[int, int]]] = [
    ("table", ("blueprint",), (2, 2), (2, 1)),
    ("key", ("blueprint", "name"), (3, 1), (3, 3)),
    ("multi-line-string", ("blueprint", "description"), (4, 1), (4, 3)),
    ("after-multi-line-string", ("blueprint", "notes"), (7, 1), (7, 3)),
    ("key-after-string-with-header", ("streamlets",), (11, 2), (11, 1)),
    ("plain-entry", ("streamlets", "ingress"), (12, 1), (12, 3)),
    ("inline-table", ("streamlets", "validation"), (13, 1), (13, 3)),
    ("inline-first-key", ("streamlets", "validation", "class"), (13, 16), (13, 16)),
    ("inline-later-key", ("streamlets", "validation", "replicas"), (13, 38), (13, 37)),
    ("inline-nested", ("streamlets", "validation", "config"), (13, 52), (14, 5)),
    ("inline-nested-key", ("streamlets", "validation", "config", "min"), (13, 63), (14, 14)),
    ("quoted-key", ("streamlets", "valid-log"), (14, 1), (15, 3)),
    ("dotted-implicit-parent", ("streamlets", "metrics"), (15, 1), (16, 3)),
    ("dotted-leaf", ("streamlets", "metrics", "class"), (15, 9), (16, 13)),
    ("dotted-middle", ("streamlets", "metrics", "config"), (16, 9), (16, 35)),
    ("quoted-dotted-leaf", ("streamlets", "metrics", "config", "scale.factor"), (16, 16), (16, 44)),
    ("header-implicit-parent", ("topics",), (18, 2), (18, 1)),
    ("header-table", ("topics", "readings"), (18, 9), (19, 3)),
    ("array", ("topics", "readings", "producers"), (19, 1), (20, 5)),
    ("array-element", ("topics", "readings", "producers", 0), (19, 14), (20, 17)),
    ("multi-line-array", ("topics", "readings", "consumers"), (20, 1), (21, 5)),
    ("multi-line-element", ("topics", "readings", "consumers", 0), (21, 5), (22, 9)),
    ("element-after-comment", ("topics", "readings", "consumers", 1), (22, 5), (23, 9)),
    ("key-with-dot", ("connections", "metrics.out"), (26, 1), (26, 3)),
    ("key-with-dot-element", ("connections", "metrics.out", 0), (26, 18), (26, 17)),
    ("escaped-key", ("connections", "escaped"), (27, 1), (27, 3)),
    ("array-of-tables", ("probes",), (29, 3), (29, 1)),
    ("first-table-in-array", ("probes", 0), (29, 3), (30, 5)),
    ("key-in-first-table", ("probes", 0, "name"), (30, 1), (30, 5)),
    ("second-table-in-array", ("probes", 1), (32, 3), (32, 5)),
    ("key-in-second-table", ("probes", 1, "name"), (33, 1), (32, 5)),
    ("date-time", ("probes", 1, "since"), (34, 1), (33, 5)),
]


def paths(value: object, prefix: PathKey = ()) -> Iterator[PathKey]:
    """Every key path in parsed data."""
    children: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        children = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, item in children:
        yield (*prefix, key)
        yield from paths(item, (*prefix, key))


def all_mapped(data: dict[str, object], source_map: SourceMap) -> bool:
    return all(source_map.position(path) is not None for path in paths(data))


@pytest.mark.parametrize(
    ("path", "toml", "yaml"), [pytest.param(*row[1:], id=row[0]) for row in POSITIONS]
)
def test_toml_and_yaml_map_each_construct_to_where_it_starts(
    path: PathKey, toml: tuple[int, int], yaml: tuple[int, int]
) -> None:
    assert parse_toml(TOML_DOC, "bp.toml")[1].position(path) == toml
    assert parse_yaml(YAML_DOC, "bp.yaml")[1].position(path) == yaml


def test_toml_and_yaml_documents_hold_the_same_data() -> None:
    toml_data, _, toml_duplicates = parse_toml(TOML_DOC, "bp.toml")
    yaml_data, _, yaml_duplicates = parse_yaml(YAML_DOC, "bp.yaml")
    assert toml_data == yaml_data
    assert toml_data["blueprint"] == {
        "name": "sensor-data",
        "description": 'Reads "sensors", validates them.',
        "notes": "[not-a-table]\nnot-a-key = 1",
    }
    assert toml_data["probes"] == [
        {"name": "first"},
        {"name": "second", "since": datetime(1979, 5, 27, 7, 32, tzinfo=UTC)},
    ]
    assert toml_duplicates == yaml_duplicates == []


@pytest.mark.parametrize("parse", [parse_toml, parse_yaml], ids=["toml", "yaml"])
def test_every_path_in_the_data_is_mapped(parse: Parser) -> None:
    data, source_map, _ = parse(TOML_DOC if parse is parse_toml else YAML_DOC, None)
    assert all_mapped(data, source_map)


TOML_CASES = [
    ("spaces-around-dots", "a . b . c = 1", ("a", "b", "c"), (1, 9)),
    ("spaces-around-dots-parent", "a . b . c = 1", ("a", "b"), (1, 5)),
    ("quoted-part-in-header", '[ site . "google.com" ]\nx = 1', ("site", "google.com"), (1, 10)),
    ("literal-quoted-key", "'a.b' = 1", ("a.b",), (1, 1)),
    ("empty-quoted-key", '"" = 1', ("",), (1, 1)),
    ("unicode-columns-count-characters", '"é" = { "ü" = 1 }', ("é", "ü"), (1, 9)),
    ("tab-is-one-column", "\ta\t=\t1", ("a",), (1, 2)),
    ("crlf-line-endings", "[t]\r\na = 1\r\nb = [\r\n  2,\r\n]\r\n", ("t", "b", 0), (4, 3)),
    ("super-table-after-sub-table", "[a.b]\nx = 1\n[a]\ny = 2", ("a",), (1, 2)),
    ("key-in-late-super-table", "[a.b]\nx = 1\n[a]\ny = 2", ("a", "y"), (4, 1)),
    ("nested-arrays", "m = [[1, 2], [3, [4]]]", ("m", 1, 1, 0), (1, 19)),
    (
        "inline-tables-over-lines",
        "p = [\n  { x = 1, y = 2 },\n  { x = 7, y = 8 },\n]",
        ("p", 1, "y"),
        (3, 12),
    ),
    (
        "inline-table-element",
        "p = [\n  { x = 1, y = 2 },\n  { x = 7, y = 8 },\n]",
        ("p", 1),
        (3, 3),
    ),
    ("date-time-with-space-in-array", "d = [1979-05-27 07:32:00, 2]", ("d", 1), (1, 27)),
    ("brackets-in-strings", 's = ["a]#", \'b,"\', """c]\n]"""]\nnext = 1', ("s", 2), (1, 20)),
    ("after-brackets-in-strings", 's = ["a]#", \'b,"\', """c]\n]"""]\nnext = 1', ("next",), (3, 1)),
    ("quotes-ending-basic-string", 'a = """x""""\nb = 1', ("b",), (2, 1)),
    ("quotes-ending-literal-string", "a = '''x''''\nb = 1", ("b",), (2, 1)),
    ("escaped-quote-and-hash", 'a = "say \\"hi\\" # no"\nb = 1', ("b",), (2, 1)),
    ("escaped-backslash-before-quote", 'a = "x\\\\"\nb = 1', ("b",), (2, 1)),
]

FRUITS = """\
[[fruits]]
name = "apple"
[fruits.physical]
color = "red"
[[fruits.varieties]]
name = "red delicious"
[[fruits.varieties]]
name = "granny smith"
[[fruits]]
name = "banana"
[[fruits.varieties]]
name = "plantain"
"""
TOML_CASES += [
    ("sub-table-of-array-element", FRUITS, ("fruits", 0, "physical"), (3, 9)),
    ("key-in-sub-table-of-element", FRUITS, ("fruits", 0, "physical", "color"), (4, 1)),
    ("nested-array-of-tables", FRUITS, ("fruits", 0, "varieties", 1), (7, 10)),
    ("key-in-nested-array-of-tables", FRUITS, ("fruits", 0, "varieties", 1, "name"), (8, 1)),
    ("second-element", FRUITS, ("fruits", 1), (9, 3)),
    ("nested-array-in-second-element", FRUITS, ("fruits", 1, "varieties", 0), (11, 10)),
]


@pytest.mark.parametrize(
    ("text", "path", "expected"), [pytest.param(*case[1:], id=case[0]) for case in TOML_CASES]
)
def test_toml_maps_key_to_where_it_starts(
    text: str, path: PathKey, expected: tuple[int, int]
) -> None:
    data, source_map, duplicates = parse_toml(text, None)
    assert source_map.position(path) == expected
    assert all_mapped(data, source_map)
    assert duplicates == []


YAML_CASES = [
    ("integer-key", "1: one\ntrue: yes\nnull: nothing\n3.5: x", ("1",), (1, 1)),
    ("boolean-key", "1: one\ntrue: yes\nnull: nothing\n3.5: x", ("true",), (2, 1)),
    ("null-key", "1: one\ntrue: yes\nnull: nothing\n3.5: x", ("null",), (3, 1)),
    ("float-key", "1: one\ntrue: yes\nnull: nothing\n3.5: x", ("3.5",), (4, 1)),
    ("explicit-document-start", "---\na: 1", ("a",), (2, 1)),
    ("after-block-scalar", "a: |\n  x\n  y\nb: 1", ("b",), (4, 1)),
    ("crlf-line-endings", "a:\r\n  b: 1\r\n", ("a", "b"), (2, 3)),
    ("nested-flow-sequences", "m: [[1, 2], [3, [4]]]", ("m", 1, 1, 0), (1, 18)),
    ("compact-nested-sequence", "m:\n- - a\n  - b", ("m", 0, 1), (3, 5)),
    ("anchored-mapping", "base: &b {x: 1}\nother: *b", ("base", "x"), (1, 11)),
    ("alias", "base: &b {x: 1}\nother: *b", ("other",), (2, 1)),
    ("alias-in-sequence", "base: &b [1]\nlist: [0, *b]", ("list", 1), (2, 11)),
    ("explicit-key", "? a\n: 1", ("a",), (1, 3)),
]


@pytest.mark.parametrize(
    ("text", "path", "expected"), [pytest.param(*case[1:], id=case[0]) for case in YAML_CASES]
)
def test_yaml_maps_key_to_where_it_starts(
    text: str, path: PathKey, expected: tuple[int, int]
) -> None:
    assert parse_yaml(text, None)[1].position(path) == expected


def test_yaml_keeps_non_string_keys_as_written() -> None:
    data, _, _ = parse_yaml("1: one\ntrue: yes\nnull: nothing\n3.5: x\n0x1F: y", None)
    assert data == {"1": "one", "true": True, "null": "nothing", "3.5": "x", "0x1F": "y"}


def test_yaml_alias_contents_fall_back_to_the_alias() -> None:
    _, source_map, _ = parse_yaml("base: &b {x: 1}\nother: *b", "bp.yaml")
    assert source_map.position(("other", "x")) is None
    assert source_map.locate(("other", "x")) == Location(
        file="bp.yaml", line=2, column=1, path="$.other.x"
    )


def test_yaml_tags_and_anchored_scalars_load_as_safe_load_would() -> None:
    data, source_map, _ = parse_yaml("a: !!set {x, y}\nb: !!str 1\nc: &one 1\nd: [*one]", None)
    assert data == {"a": {"x", "y"}, "b": "1", "c": 1, "d": [1]}
    assert source_map.position(("d", 0)) == (4, 5)


def test_yaml_merge_keys_lose_to_own_keys() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n  x: 4"
    data, source_map, duplicates = parse_yaml(text, None)
    assert data["c"] == {"x": 3, "y": 1, "z": 2}
    assert source_map.position(("c", "x")) == (5, 3)
    assert duplicates == [DuplicateKey(path=("c", "x"), line=6, column=3, first_line=5)]


def test_yaml_recursive_alias_is_mapped_once() -> None:
    data, source_map, _ = parse_yaml("a: &a [1, *a]", None)
    assert source_map.position(("a", 1)) == (1, 11)
    assert source_map.position(("a", 1, 0)) is None
    loop = data["a"]
    assert isinstance(loop, list)
    assert loop[1] is loop


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "null\n", "~"])
def test_yaml_empty_document_is_an_empty_mapping(text: str) -> None:
    data, source_map, duplicates = parse_yaml(text, None)
    assert (data, source_map.position(()), duplicates) == ({}, None, [])


def test_toml_empty_document_is_an_empty_mapping() -> None:
    assert parse_toml("# nothing\n", None)[0] == {}


TOO_DEEP = "values are nested more than 200 deep"
TOML_ERRORS = [
    ("unterminated-string", 'name = "unterminated\n', "Illegal character '\\n'", 1, 21),
    ("unclosed-array", "a = [1,\n 2\n", "Unclosed array", 3, 1),
    ("unterminated-at-end", 'a = """\nnever closed', "Unterminated string", 2, 13),
    ("invalid-value", "a = 1\nb = = 2\n", "Invalid value", 2, 5),
    (
        "junk-after-value",
        'a = "x" junk\n',
        "Expected newline or end of document after a statement",
        1,
        9,
    ),
    ("unclosed-header", "[[t]\n", "Expected ']]' at the end of an array declaration", 1, 4),
    ("broken-repeated-header", "[t]\nx = 1\n[t\n", "Cannot declare ('t',) twice", 3, 3),
    ("duplicate-in-inline-table", "t = {a = 1, a = 2}", "Duplicate inline table key 'a'", 1, 18),
    ("value-then-table", "a = 1\na.b = 2", "Cannot overwrite a value", 2, 8),
    ("control-character", "a = 1\n\x00", "Invalid statement", 2, 1),
    ("error-after-duplicate", "a = 1\na = 2\nb = ?\n", "Invalid value", 3, 5),
    (
        "huge-integer",
        "x = " + "1" * 5000,
        "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits",
        None,
        None,
    ),
    ("deep-nesting", "a = " + "[" * 5000 + "]" * 5000, TOO_DEEP, 1, 205),
    ("deep-dotted-key", "a" + ".a" * 300 + " = 1", TOO_DEEP, 1, 401),
]
YAML_ERRORS = [  # parser wording is libyaml's, which PyYAML's wheels include
    (
        "unclosed-flow-sequence",
        "a: [1,\n  b: 2\n",
        "while parsing a flow sequence started at line 1, did not find expected ',' or ']'",
        3,
        1,
    ),
    (
        "unclosed-flow-mapping",
        "a: {b: 1\n",
        "while parsing a flow mapping started at line 1, did not find expected ',' or '}'",
        2,
        1,
    ),
    (
        "tab-indent",
        "a: 1\n\tb: 2\n",
        "while scanning a plain scalar started at line 1, "
        "found a tab character that violates indentation",
        2,
        1,
    ),
    ("bad-indent", "a: 1\n b: 2\n", "mapping values are not allowed in this context", 2, 3),
    (
        "unterminated-quote",
        "key: 'open\n",
        "while scanning a quoted scalar started at line 1, found unexpected end of stream",
        2,
        1,
    ),
    ("control-character", "a: b\r\nc: \x07\n", "character #x0007 is not allowed", 2, 4),
    (
        "sequence-at-top",
        "- a\n- b\n",
        "expected a mapping at the top level, found a sequence",
        1,
        1,
    ),
    ("scalar-at-top", "just text\n", "expected a mapping at the top level, found a scalar", 1, 1),
    ("impossible-date", "a: 2001-13-01\n", "month must be in 1..12", 1, 4),
    (
        "two-documents",
        "a: 1\n---\nb: 2\n",
        "expected a single document in the stream, but found another document",
        2,
        1,
    ),
    ("sequence-as-key", "? [a, b]\n: c\n", "expected a scalar key, found a sequence", 1, 3),
    ("mapping-as-key", "{a: 1}: c\n", "expected a scalar key, found a mapping", 1, 1),
    ("undefined-alias", "a: *nope\n", "found undefined alias 'nope'", 1, 4),
    (
        "unsafe-tag",
        "a: !!python/name:os.system x\n",
        "could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'",
        1,
        4,
    ),
    ("merge-scalar", "a: {<<: 1}\n", "expected a mapping or a list of mappings to merge", 1, 9),
    (
        "recursive-merge",
        "a: &a {<<: *a}",
        "merge keys (<<) refer back to their own mapping, or nest too deeply",
        None,
        None,
    ),
    ("deep-nesting", "a: " + "[" * 5000 + "]" * 5000, TOO_DEEP, 1, 203),
]


@pytest.mark.parametrize(
    ("parse", "text", "detail", "line", "column"),
    [pytest.param(parse_toml, *case[1:], id=f"toml-{case[0]}") for case in TOML_ERRORS]
    + [pytest.param(parse_yaml, *case[1:], id=f"yaml-{case[0]}") for case in YAML_ERRORS],
)
def test_syntax_error_reports_parser_message_and_position(
    parse: Parser, text: str, detail: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        parse(text, "bp")
    assert (caught.value.detail, caught.value.line, caught.value.column) == (detail, line, column)


def test_syntax_error_message_names_format_and_position() -> None:
    with pytest.raises(
        SourceSyntaxError, match=r"^invalid TOML: Invalid value \(line 2, column 5\)$"
    ) as caught:
        parse_toml("a = 1\nb = = 2\n", None)
    assert caught.value.format == "TOML"
    assert isinstance(caught.value, SandboxError)
    assert str(SourceSyntaxError(format="YAML", detail="x")) == "invalid YAML: x"


TOML_DUPLICATES = """\
a = 1
b = [1,
  2]
[t]
x = 1
x = 2
[u]
y = 1
[t]
x = 3
z = 4
[v]
w = 1
b = [3,
  4]
"""


def test_toml_duplicates_are_reported_and_first_definition_kept() -> None:
    data, source_map, duplicates = parse_toml(TOML_DUPLICATES, None)
    assert data == {"a": 1, "b": [1, 2], "t": {"x": 1}, "u": {"y": 1}, "v": {"w": 1, "b": [3, 4]}}
    assert duplicates == [
        DuplicateKey(path=("t", "x"), line=6, column=1, first_line=5),
        DuplicateKey(path=("t",), line=9, column=2, first_line=4),
    ]
    assert source_map.position(("t", "x")) == (5, 1)
    assert source_map.position(("t", "z")) is None
    assert source_map.position(("v", "b", 1)) == (15, 3)


@pytest.mark.parametrize(
    ("text", "expected", "data"),
    [
        pytest.param(
            "b = [1,\n 2]\nb = [3,\n 4]\nc = 1",
            (("b",), 3, 1, 1),
            {"b": [1, 2], "c": 1},
            id="multi-line-value",
        ),
        pytest.param(
            "[a]\nx = 1\n[b]\n[a]", (("a",), 4, 2, 1), {"a": {"x": 1}, "b": {}}, id="table-at-end"
        ),
        pytest.param(
            "[a.b]\nx = 1\n[a]\nb = 2",
            (("a", "b"), 4, 1, 1),
            {"a": {"b": {"x": 1}}},
            id="key-over-sub-table",
        ),
        pytest.param('"k" = 1\nk = 2', (("k",), 2, 1, 1), {"k": 1}, id="quoted-and-bare-key"),
        pytest.param(
            "[[p]]\nx = 1\nx = 2",
            (("p", 0, "x"), 3, 1, 2),
            {"p": [{"x": 1}]},
            id="in-array-of-tables",
        ),
        pytest.param("a = 1\r\na = 2\r\nb = 3\r\n", (("a",), 2, 1, 1), {"a": 1, "b": 3}, id="crlf"),
        pytest.param(
            "[t]\nx = 1\n[t]\na.b = [1,\n 2]\n[u]",
            (("t",), 3, 2, 1),
            {"t": {"x": 1}, "u": {}},
            id="dotted-key-in-repeated-table",
        ),
    ],
)
def test_toml_duplicate_is_reported_once_and_ignored(
    text: str, expected: tuple[PathKey, int, int, int], data: dict[str, object]
) -> None:
    path, line, column, first_line = expected
    parsed, _, duplicates = parse_toml(text, None)
    assert parsed == data
    assert duplicates == [DuplicateKey(path=path, line=line, column=column, first_line=first_line)]


def test_yaml_duplicates_are_reported_and_first_definition_kept() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: {d: 2}\nf: {x: 1, x: 2}\na: 3\n"
    data, source_map, duplicates = parse_yaml(text, None)
    assert data == {"a": 1, "b": {"c": 1}, "f": {"x": 1}}
    assert duplicates == [
        DuplicateKey(path=("b", "c"), line=4, column=3, first_line=3),
        DuplicateKey(path=("f", "x"), line=5, column=11, first_line=5),
        DuplicateKey(path=("a",), line=6, column=1, first_line=1),
    ]
    assert source_map.position(("a",)) == (1, 1)
    assert source_map.position(("b", "c", "d")) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param((), "$", id="root"),
        pytest.param(
            ("topics", "readings", "producers", 0),
            "$.topics.readings.producers[0]",
            id="dots-and-index",
        ),
        pytest.param(
            ("streamlets", "valid-log", "max_restarts"),
            "$.streamlets.valid-log.max_restarts",
            id="dash-underscore",
        ),
        pytest.param(
            ("connections", "metrics.out"), "$.connections['metrics.out']", id="dot-in-key"
        ),
        pytest.param(("it's",), "$['it\\'s']", id="quote-escaped"),
        pytest.param(("back\\slash",), "$['back\\\\slash']", id="backslash-escaped"),
        pytest.param(("a b", 2, "c"), "$['a b'][2].c", id="space"),
        pytest.param(("",), "$['']", id="empty-key"),
        pytest.param(("é",), "$['é']", id="non-ascii"),
    ],
)
def test_json_path_quotes_keys_that_are_not_plain(path: PathKey, expected: str) -> None:
    assert json_path(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            ("t", "x"), Location(file="bp.toml", line=2, column=1, path="$.t.x"), id="exact"
        ),
        pytest.param(
            ("t", "missing"),
            Location(file="bp.toml", line=1, column=2, path="$.t.missing"),
            id="parent",
        ),
        pytest.param(
            ("t", "x", 3, "y"),
            Location(file="bp.toml", line=2, column=1, path="$.t.x[3].y"),
            id="ancestor",
        ),
        pytest.param(("nowhere", "x"), Location(file="bp.toml", path="$.nowhere.x"), id="unmapped"),
        pytest.param((), Location(file="bp.toml", path="$"), id="root"),
    ],
)
def test_locate_falls_back_to_nearest_mapped_ancestor(path: PathKey, expected: Location) -> None:
    source_map = SourceMap("bp.toml", {("t",): (1, 2), ("t", "x"): (2, 1)})
    assert source_map.locate(path) == expected
    assert source_map.file == "bp.toml"


def test_position_matches_only_the_exact_path() -> None:
    source_map = SourceMap(None, {("t",): (1, 2)})
    assert (source_map.position(("t",)), source_map.position(("t", "x"))) == ((1, 2), None)
    assert repr(source_map) == "SourceMap(None, <1 positions>)"


BIG_TOML = (
    '[blueprint]\nname = "big"\n[streamlets]',
    "s{i} = {entry}",
    """
[topics.t{i}]
producers = ["s{i}.out"]
consumers = ["s{j}.in", "s{k}.in"]
capacity = 4096  # records""",
)
BIG_YAML = (
    "blueprint:\n  name: big\nstreamlets:",
    "  s{i}: {entry}",
    """
  t{i}:
    producers: [s{i}.out]
    consumers: [s{j}.in, s{k}.in]
    capacity: 4096  # records""",
)


def big_blueprint(topics: int, fmt: str) -> str:
    """`topics` topics and as many streamlets, about six lines per topic."""
    head, streamlet, topic = BIG_TOML if fmt == "toml" else BIG_YAML
    entry = '{class = "streamlets.common:Logger", replicas = 2, config = {min = 0.0}}'
    if fmt == "yaml":
        entry = entry.replace(" =", ":")
    lines = [head, *(streamlet.format(i=i, entry=entry) for i in range(topics))]
    lines += [] if fmt == "toml" else ["topics:"]
    lines += [topic.format(i=i, j=(i + 1) % topics, k=(i + 2) % topics) for i in range(topics)]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("parse", [parse_toml, parse_yaml], ids=["toml", "yaml"])
def test_thousand_topic_blueprint_is_fully_mapped_quickly(parse: Parser) -> None:
    text = big_blueprint(1000, "toml" if parse is parse_toml else "yaml")
    assert text.count("\n") > 5000
    started = time.perf_counter()
    data, source_map, _ = parse(text, None)
    elapsed = time.perf_counter() - started
    assert source_map.position(("topics", "t999", "consumers", 1)) is not None
    assert all_mapped(data, source_map)
    assert elapsed < 2.5  # typically 0.1 s: the bound is for quadratic blow-ups, not a benchmark


SAMPLES = [TOML_DOC, YAML_DOC, TOML_DUPLICATES, FRUITS]
TOKENS = st.sampled_from([*"[]{}\"'=.,#:-&*!<>|\\\n\r\t ab1", '"""', "'''", "[[", "]]", "\\u00"])
FUZZ = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_robust(parse: Parser, text: str) -> None:
    """A result or a SourceSyntaxError, nothing else; a result maps all its paths."""
    try:
        data, source_map, _ = parse(text, "fuzz")
    except SourceSyntaxError:
        return
    assert isinstance(data, dict)
    if parse is parse_toml or not any(mark in text for mark in "&*!<"):  # no aliases, merges, tags
        assert all_mapped(data, source_map)


@pytest.mark.slow
@FUZZ
@given(text=st.text(max_size=200) | st.lists(TOKENS, max_size=60).map("".join))
@pytest.mark.parametrize("parse", [parse_toml, parse_yaml], ids=["toml", "yaml"])
def test_any_text_parses_or_raises_syntax_error(parse: Parser, text: str) -> None:
    check_robust(parse, text)


@pytest.mark.slow
@FUZZ
@given(junk=st.binary(max_size=300))
@pytest.mark.parametrize("parse", [parse_toml, parse_yaml], ids=["toml", "yaml"])
def test_binary_junk_parses_or_raises_syntax_error(parse: Parser, junk: bytes) -> None:
    check_robust(parse, junk.decode("utf-8", errors="replace"))


@pytest.mark.slow
@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("parse", [parse_toml, parse_yaml], ids=["toml", "yaml"])
def test_damaged_documents_parse_or_raise_syntax_error(parse: Parser, data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(SAMPLES))
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 8)))
        text = text[:start] + data.draw(st.lists(TOKENS, max_size=3).map("".join)) + text[end:]
    check_robust(parse, text)
