"""Tests for sandbox.schema: names, validity, fingerprints and wire compatibility."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import enum
import functools
import itertools
import json
import re
import subprocess
import sys
import textwrap
import uuid
from typing import Annotated, Any, Generic, Literal, NamedTuple, Optional, TypedDict, TypeVar, Union

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from msgspec import inspect as mi

from sandbox.schema import (
    Mismatch,
    check_compatible,
    check_type,
    fingerprint,
    json_schema,
    type_name,
)

# -- sample schemas -------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Hue(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Perm(enum.IntFlag):
    R = 4
    W = 2


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: float
    unit: str = "C"


class IntReading(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: int


class StrReading(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: str


class UnitReading(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: float
    unit: str


class StrictReading(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    sensor: str
    value: float


class Measurement(msgspec.Struct, frozen=True, kw_only=True):
    reading: Reading
    tags: list[str] = []


class IntMeasurement(msgspec.Struct, frozen=True, kw_only=True):
    reading: IntReading
    tags: list[str] = []


class StrMeasurement(msgspec.Struct, frozen=True, kw_only=True):
    reading: StrReading
    tags: list[int] = []


class Camel(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    field_one: int


class ExplicitCamel(msgspec.Struct, frozen=True, kw_only=True):
    fieldOne: int  # spelled as it travels


class Snake(msgspec.Struct, frozen=True, kw_only=True):
    field_one: int


class Pair(msgspec.Struct, frozen=True, array_like=True):
    x: int
    y: int = 0


class Single(msgspec.Struct, frozen=True, array_like=True):
    x: int


class StrictSingle(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    x: int


class Point(msgspec.Struct, frozen=True, kw_only=True):
    x: int
    y: int = 0


class Cat(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    name: str


class Dog(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    name: str
    good: bool = True


class Fox(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    name: str


class NumberDog(msgspec.Struct, frozen=True, kw_only=True, tag="Dog"):
    name: int


class KindCat(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="Cat"):
    name: str


class Untagged(msgspec.Struct, frozen=True, kw_only=True):
    name: str


class Pet(msgspec.Struct, frozen=True, kw_only=True):
    pet: Cat | Dog


class Node(msgspec.Struct, frozen=True, kw_only=True):
    value: int
    children: list[Node] = []


class FloatNode(msgspec.Struct, frozen=True, kw_only=True):
    value: float
    children: list[FloatNode] = []


class StrNode(msgspec.Struct, frozen=True, kw_only=True):
    value: str
    children: list[StrNode] = []


class Sparse(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    x: int = 0


class Dense(msgspec.Struct, frozen=True, kw_only=True):
    x: int


class Unset(msgspec.Struct, frozen=True, kw_only=True):
    title: str | msgspec.UnsetType = msgspec.UNSET
    x: int | msgspec.UnsetType = msgspec.UNSET


class PartialMovie(TypedDict, total=False):
    title: str
    year: int


@dataclasses.dataclass(frozen=True)
class Sized:
    sensor: str
    value: Annotated[int, msgspec.Meta(multiple_of=4)]


class AllDefaults(msgspec.Struct, frozen=True, kw_only=True):
    a: int = 0
    b: float = 0.0


class StrictDefaults(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    a: int = 0


class Coord(NamedTuple):
    x: int
    y: int = 0


class Movie(TypedDict):
    title: str
    year: int


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    items: list[T]


class Plain:
    pass


class HasPlain(msgspec.Struct, frozen=True, kw_only=True):
    ok: int
    bad: list[Plain]


class Broken(msgspec.Struct, frozen=True, kw_only=True):
    x: Missing  # type: ignore[name-defined]  # noqa: F821  # deliberately unresolvable


NonNeg = Annotated[int, msgspec.Meta(ge=0)]
Positive = Annotated[int, msgspec.Meta(gt=0)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]
Short = Annotated[str, msgspec.Meta(max_length=2)]
Naive = Annotated[dt.datetime, msgspec.Meta(tz=False)]


# -- type_name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tp", "name"),
    [
        pytest.param(int, "int", id="int"),
        pytest.param(type(None), "None", id="none"),
        pytest.param(Any, "Any", id="any"),
        pytest.param(list[int], "list[int]", id="list"),
        pytest.param(set[str], "set[str]", id="set"),
        pytest.param(frozenset[bytes], "frozenset[bytes]", id="frozenset"),
        pytest.param(dict[str, list[int]], "dict[str, list[int]]", id="dict"),
        pytest.param(tuple[int, ...], "tuple[int, ...]", id="vartuple"),
        pytest.param(tuple[int, str], "tuple[int, str]", id="tuple"),
        pytest.param(tuple[()], "tuple[()]", id="empty-tuple"),
        pytest.param(int | None, "int | None", id="optional"),
        pytest.param(Reading | None, "Reading | None", id="optional-struct"),
        pytest.param(Literal["a", "b"], "Literal['a', 'b']", id="literal"),
        pytest.param(Color, "Color", id="enum"),
        pytest.param(Reading, "Reading", id="struct"),
        pytest.param(Coord, "Coord", id="namedtuple"),
        pytest.param(Movie, "Movie", id="typeddict"),
        pytest.param(Page[int], "Page[int]", id="generic-struct"),
        pytest.param(NonNeg, "int(ge=0)", id="constraint"),
        pytest.param(Percent, "float(ge=0, le=100)", id="constraints"),
        pytest.param(list[Short], "list[str(max_length=2)]", id="nested-constraint"),
        pytest.param(Naive, "datetime(tz=False)", id="tz"),
        pytest.param(
            Annotated[list[int], msgspec.Meta(min_length=1)], "list[int](min_length=1)", id="len"
        ),
        pytest.param(Annotated[int, msgspec.Meta(title="x")], "int", id="metadata-only"),
        pytest.param(dt.datetime, "datetime", id="datetime"),
        pytest.param(uuid.UUID, "UUID", id="uuid"),
        pytest.param(decimal.Decimal, "Decimal", id="decimal"),
        pytest.param(Plain, "Plain", id="plain-class"),
        pytest.param(list[int, str], "list[int, str]", id="unsupported"),  # type: ignore[misc]  # deliberately invalid
    ],
)
def test_type_name_reads_like_python(tp: object, name: str) -> None:
    assert type_name(tp) == name


# -- check_type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tp",
    [Reading, Measurement, int, list[Reading], Cat | Dog, Node, Coord, Movie, Page[int], NonNeg],
    ids=type_name,
)
def test_check_type_accepts_msgspec_types(tp: object) -> None:
    assert check_type(tp) is None


@pytest.mark.parametrize(
    ("tp", "pattern"),
    [
        pytest.param(Plain, r"^Plain is a plain class msgspec cannot", id="plain-class"),
        pytest.param(HasPlain, r"^Plain at 'bad\[\]' is a plain class", id="nested-plain-class"),
        pytest.param(msgspec.msgpack.Ext, r"^Ext has no JSON Schema: ", id="ext"),
        pytest.param(Broken, r"^Broken is not a type msgspec supports: .*Missing", id="bad-ref"),
        pytest.param(
            Reading | Untagged, r"^Reading \| Untagged is not a type msgspec supports", id="union"
        ),
    ],
)
def test_check_type_explains_what_msgspec_cannot_handle(tp: object, pattern: str) -> None:
    reason = check_type(tp)
    assert reason is not None
    assert re.match(pattern, reason), reason


# -- check_compatible: compatible pairs -----------------------------------------------------


class Bag(msgspec.Struct, frozen=True, kw_only=True):
    x: int
    y: str


@pytest.mark.parametrize(
    ("producer", "consumer"),
    [
        pytest.param(Reading, Reading, id="same-struct"),
        pytest.param(int, int, id="same-scalar"),
        pytest.param(int, float, id="int-widens-to-float"),
        pytest.param(int, decimal.Decimal, id="int-to-decimal"),
        pytest.param(float, decimal.Decimal, id="float-to-decimal"),
        pytest.param(bytes, bytearray, id="bytes-to-bytearray"),
        pytest.param(dt.date, str, id="date-as-str"),
        pytest.param(uuid.UUID, str, id="uuid-as-str"),
        pytest.param(Naive, str, id="naive-datetime-as-str"),
        pytest.param(Reading, Any, id="any-accepts-all"),
        pytest.param(Reading, msgspec.Raw, id="raw-accepts-all"),
        pytest.param(int, int | None, id="into-optional"),
        pytest.param(int | None, float | None, id="optional-widens"),
        pytest.param(None, int | None, id="none-into-optional"),
        pytest.param(Literal["a"], str, id="literal-into-str"),
        pytest.param(Color, str, id="str-enum-into-str"),
        pytest.param(Level, int, id="int-enum-into-int"),
        pytest.param(Level, float, id="int-enum-into-float"),
        pytest.param(Color, Hue, id="enum-into-superset-enum"),
        pytest.param(Literal["red"], Color, id="literal-into-enum"),
        pytest.param(Color, Literal["red", "green", "blue"], id="enum-into-literal"),
        pytest.param(bool, Literal[True, False], id="bool-into-both-literals"),
        pytest.param(Perm, Perm, id="same-flag"),
        pytest.param(Literal[5], NonNeg, id="literal-meets-constraint"),
        pytest.param(Literal["ab"], Short, id="literal-meets-length"),
        pytest.param(Positive, NonNeg, id="stricter-constraint"),
        pytest.param(Annotated[float, msgspec.Meta(gt=0, lt=50)], Percent, id="float-bounds"),
        pytest.param(list[int], list[float], id="list-elementwise"),
        pytest.param(list[int], tuple[int, ...], id="list-into-vartuple"),
        pytest.param(tuple[int, ...], list[int], id="vartuple-into-list"),
        pytest.param(set[int], list[int], id="set-into-list"),
        pytest.param(list[int], frozenset[int], id="list-into-frozenset"),
        pytest.param(tuple[int, str], tuple[float, str], id="tuple-by-position"),
        pytest.param(tuple[int, int], list[float], id="tuple-into-list"),
        pytest.param(dict[str, int], dict[str, float], id="dict-values"),
        pytest.param(Reading, UnitReading, id="consumer-field-from-producer"),
        pytest.param(IntReading, Reading, id="consumer-default-fills-gap"),
        pytest.param(IntReading, Reading | None, id="into-optional-struct"),
        pytest.param(StrictReading, Reading, id="extra-consumer-default"),
        pytest.param(IntMeasurement, Measurement, id="nested-struct-widens"),
        pytest.param(Camel, ExplicitCamel, id="rename-matches-encoded-names"),
        pytest.param(Cat, Cat | Dog, id="tagged-into-tagged-union"),
        pytest.param(Cat | Dog, Fox | Dog | Cat, id="tagged-union-into-wider"),
        pytest.param(Untagged, Cat, id="untagged-into-single-tagged"),
        pytest.param(Cat, Untagged, id="tag-is-an-unknown-field"),
        pytest.param(Cat, KindCat, id="other-tag-field-is-ignored"),
        pytest.param(Pair, Single, id="array-like-extra-trailing"),
        pytest.param(Single, Pair, id="array-like-default-trailing"),
        pytest.param(tuple[int, int], Pair, id="tuple-into-array-like"),
        pytest.param(Pair, list[int], id="array-like-into-list"),
        pytest.param(Coord, tuple[int, int], id="namedtuple-into-tuple"),
        pytest.param(Node, FloatNode, id="recursive"),
        pytest.param(Bag, dict[str, int | str], id="struct-into-dict"),
        pytest.param(dict[str, int], AllDefaults, id="dict-into-all-defaults-struct"),
        pytest.param(Movie, dict[str, int | str], id="typeddict-into-dict"),
        pytest.param(Movie, Movie, id="same-typeddict"),
        pytest.param(Sparse, AllDefaults, id="omitted-field-has-default"),
        pytest.param(Sized, Reading, id="dataclass-into-struct"),
        pytest.param(
            Annotated[dt.datetime, msgspec.Meta(tz=True)], msgspec.msgpack.Ext, id="aware-as-ext"
        ),
        pytest.param(int, float | decimal.Decimal, id="int-dispatch-to-float"),
        pytest.param(float, int | decimal.Decimal, id="float-dispatch-to-decimal"),
        pytest.param(Literal["b"], Literal["a"] | str, id="literal-merged-with-str"),
        pytest.param(bool, Literal[1] | bool, id="bool-not-int-like"),
    ],
)
def test_check_compatible_accepts(producer: object, consumer: object) -> None:
    assert check_compatible(producer, consumer) == []


# -- check_compatible: incompatible pairs ---------------------------------------------------


class TwoBad(msgspec.Struct, frozen=True, kw_only=True):
    sensor: int
    value: str
    unit: str


class OptionalValue(msgspec.Struct, frozen=True, kw_only=True):
    sensor: str
    value: float | None


class DogPet(msgspec.Struct, frozen=True, kw_only=True):
    pet: NumberDog


Triple = tuple[str, str, str]


@pytest.mark.parametrize(
    ("producer", "consumer", "expected"),
    [
        pytest.param(float, int, [("", "float", "int")], id="float-not-int"),
        pytest.param(str, bytes, [("", "str", "bytes")], id="str-not-bytes"),
        pytest.param(bytes, str, [("", "bytes", "str")], id="bytes-not-str"),
        pytest.param(bool, int, [("", "bool", "int")], id="bool-not-int"),
        pytest.param(dt.datetime, str, [("", "datetime", "str")], id="aware-datetime-not-str"),
        pytest.param(str, dt.datetime, [("", "str", "datetime")], id="str-not-datetime"),
        pytest.param(str, Literal["a"], [("", "str", "Literal['a']")], id="str-not-literal"),
        pytest.param(str, Color, [("", "str", "Color")], id="str-not-enum"),
        pytest.param(int, Level, [("", "int", "Level")], id="int-not-int-enum"),
        pytest.param(Hue, Color, [("", "Hue", "Color")], id="enum-wider-than-enum"),
        pytest.param(
            Literal["a", "b"],
            Literal["a"],
            [("", "Literal['a', 'b']", "Literal['a']")],
            id="literal-wider",
        ),
        pytest.param(Level, Literal[1], [("", "Level", "Literal[1]")], id="int-enum-wider"),
        pytest.param(Perm, Literal[2, 4], [("", "Perm", "Literal[2, 4]")], id="flag-combinations"),
        pytest.param(int, NonNeg, [("", "int", "int(ge=0)")], id="unguaranteed-constraint"),
        pytest.param(NonNeg, Positive, [("", "int(ge=0)", "int(gt=0)")], id="looser-constraint"),
        pytest.param(
            Literal[-1, 3],
            NonNeg,
            [("", "Literal[-1, 3]", "int(ge=0)")],
            id="literal-breaks-constraint",
        ),
        pytest.param(str, Short, [("", "str", "str(max_length=2)")], id="unguaranteed-length"),
        pytest.param(int | None, int, [("|None", "None", "int")], id="optional-into-required"),
        pytest.param(int | str, float, [("|str", "str", "float")], id="union-member-by-member"),
        pytest.param(list[str], list[int], [("[]", "str", "int")], id="list-items"),
        pytest.param(dict[str, int], dict[str, str], [("{}", "int", "str")], id="dict-values"),
        pytest.param(dict[int, str], dict[str, str], [("{key}", "int", "str")], id="dict-keys"),
        pytest.param(
            tuple[int, str], tuple[int, int], [("[1]", "str", "int")], id="tuple-position"
        ),
        pytest.param(
            Triple,
            tuple[str, str],
            [("", "tuple[str, str, str]", "tuple[str, str]")],
            id="tuple-length",
        ),
        pytest.param(
            list[int], tuple[int, int], [("", "list[int]", "tuple[int, int]")], id="list-into-tuple"
        ),
        pytest.param(
            Reading, Bag, [("", "Reading", "Bag"), ("", "Reading", "Bag")], id="fields-missing"
        ),
        pytest.param(
            IntReading, UnitReading, [("", "IntReading", "UnitReading")], id="field-missing"
        ),
        pytest.param(StrReading, Reading, [("value", "str", "float")], id="field-type"),
        pytest.param(
            Reading,
            TwoBad,
            [("sensor", "str", "int"), ("value", "float", "str")],
            id="all-fields-reported",
        ),
        pytest.param(
            Reading, StrictReading, [("", "Reading", "StrictReading")], id="forbid-unknown-fields"
        ),
        pytest.param(
            StrMeasurement,
            Measurement,
            [("reading.value", "str", "float"), ("tags[]", "int", "str")],
            id="nested-path",
        ),
        pytest.param(
            OptionalValue, Reading, [("value|None", "None", "float")], id="optional-field"
        ),
        pytest.param(Snake, Camel, [("", "Snake", "Camel")], id="rename-mismatch"),
        pytest.param(Pair, Point, [("", "Pair", "Point")], id="array-like-into-object"),
        pytest.param(
            Pair, StrictSingle, [("", "Pair", "StrictSingle")], id="array-like-forbid-extra"
        ),
        pytest.param(list[int], Pair, [("", "list[int]", "Pair")], id="list-into-array-like"),
        pytest.param(Cat, Dog, [("type", "Literal['Cat']", "Literal['Dog']")], id="wrong-tag"),
        pytest.param(
            Untagged, Cat | Dog, [("", "Untagged", "Cat | Dog")], id="untagged-into-tagged-union"
        ),
        pytest.param(Fox, Cat | Dog, [("", "Fox", "Cat | Dog")], id="unknown-tag"),
        pytest.param(DogPet, Pet, [("pet.name", "int", "str")], id="tagged-member-field"),
        pytest.param(StrNode, Node, [("value", "str", "int")], id="recursive"),
        pytest.param(Bag, dict[str, int], [("y", "str", "int")], id="struct-into-dict"),
        pytest.param(
            dict[str, int],
            Bag,
            [("y", "int", "str"), ("", "dict[str, int]", "Bag")],
            id="dict-into-struct",
        ),
        pytest.param(
            dict[str, int],
            StrictDefaults,
            [("", "dict[str, int]", "StrictDefaults")],
            id="dict-into-strict",
        ),
        pytest.param(Sparse, Dense, [("", "Sparse", "Dense")], id="omit-defaults"),
        pytest.param(Movie, Unset, [], id="typeddict-into-unset"),
        pytest.param(Unset, Dense, [("", "Unset", "Dense")], id="unset-field"),
        pytest.param(
            PartialMovie,
            Movie,
            [("", "PartialMovie", "Movie"), ("", "PartialMovie", "Movie")],
            id="not-required-keys",
        ),
        pytest.param(Reading, Sized, [("value", "float", "int(multiple_of=4)")], id="dataclass"),
        pytest.param(int, str | None, [("", "int", "str | None")], id="no-union-member"),
        pytest.param(
            Annotated[int, msgspec.Meta(ge=-5)],
            NonNeg | None,
            [("", "int(ge=-5)", "int(ge=0)")],
            id="union-member-detail",
        ),
        pytest.param(Reading, Reading | int, [], id="struct-into-union"),
        pytest.param(Plain, int, [("", "Plain", "int")], id="plain-class"),
        pytest.param(msgspec.Raw, str, [("", "Raw", "str")], id="raw-producer"),
        pytest.param(Any, Reading, [("", "Any", "Reading")], id="any-producer"),
        pytest.param(
            Level,
            Literal[1] | float,
            [("", "Level", "Literal[1] | float")],
            id="int-goes-to-int-like-member",
        ),
        pytest.param(int, Level | float, [("", "int", "Level")], id="int-dispatch-not-float"),
        pytest.param(
            dt.datetime, Naive, [("", "datetime", "datetime(tz=False)")], id="tz-constraint"
        ),
    ],
)
def test_check_compatible_reports(
    producer: object, consumer: object, expected: list[tuple[str, str, str]]
) -> None:
    found = [(m.path, m.producer, m.consumer) for m in check_compatible(producer, consumer)]
    assert found == expected


MESSAGES = [
    (
        IntReading,
        UnitReading,
        "(top level): field 'unit' is required by the consumer and missing "
        "from the producer (producer IntReading, consumer UnitReading)",
    ),
    (StrReading, Reading, "value: incompatible types (producer str, consumer float)"),
    (
        Hue,
        Color,
        "(top level): value 'blue' is not accepted by the consumer (producer Hue, consumer Color)",
    ),
    (
        Level,
        Literal[1] | float,
        "(top level): value 2 is not accepted by the consumer "
        "(producer Level, consumer Literal[1] | float)",
    ),
    (
        int,
        NonNeg,
        "(top level): the consumer requires ge=0, which the producer does not guarantee "
        "(producer int, consumer int(ge=0))",
    ),
    (
        str,
        Color,
        "(top level): not every value the producer sends fits the consumer "
        "(producer str, consumer Color)",
    ),
    (
        Reading,
        StrictReading,
        "(top level): field 'unit' is sent by the producer and unknown to the "
        "consumer, which forbids that (producer Reading, consumer StrictReading)",
    ),
    (
        Snake,
        Camel,
        "(top level): field 'field_one' is sent as 'field_one'; the consumer reads "
        "'fieldOne' (producer Snake, consumer Camel)",
    ),
    (
        ExplicitCamel,
        Snake,
        "(top level): field 'field_one' is required by the consumer and "
        "missing from the producer (producer ExplicitCamel, consumer Snake)",
    ),
    (
        ExplicitCamel,
        Point | None,
        "(top level): field 'x' is required by the consumer and missing "
        "from the producer (producer ExplicitCamel, consumer Point)",
    ),
    (
        Untagged,
        Cat | Dog,
        "(top level): the consumer tells union members apart by tag field "
        "'type'; the producer has none (producer Untagged, consumer Cat | Dog)",
    ),
    (
        Fox,
        Cat | Dog,
        "(top level): tag 'Fox' is none of the consumer's tags 'Cat', 'Dog' "
        "(producer Fox, consumer Cat | Dog)",
    ),
    (
        Cat,
        Dog,
        "type: value 'Cat' is not accepted by the consumer (producer Literal['Cat'], "
        "consumer Literal['Dog'])",
    ),
    (
        Triple,
        tuple[str, str],
        "(top level): the producer sends exactly 3 items and the consumer "
        "accepts exactly 2 items (producer tuple[str, str, str], consumer tuple[str, str])",
    ),
    (
        list[int],
        Pair,
        "(top level): the producer sends any number of items and the consumer "
        "accepts at least 1 item (producer list[int], consumer Pair)",
    ),
    (
        Pair,
        Point,
        "(top level): the producer sends an array and the consumer expects an object "
        "(producer Pair, consumer Point)",
    ),
    (
        int,
        str | None,
        "(top level): fits no member of the consumer's union (producer int, consumer str | None)",
    ),
    (
        Sparse,
        Dense,
        "(top level): field 'x' may be omitted by the producer and is required by the "
        "consumer (producer Sparse, consumer Dense)",
    ),
    (
        dict[str, int],
        StrictDefaults,
        "(top level): the consumer forbids unknown fields, and a dict "
        "may hold any key (producer dict[str, int], consumer StrictDefaults)",
    ),
    (
        int | None,
        int,
        "|None: value None is not accepted by the consumer (producer None, consumer int)",
    ),
    (
        OptionalValue,
        Reading,
        "value|None: value None is not accepted by the consumer (producer None, consumer float)",
    ),
]


@pytest.mark.parametrize(
    ("producer", "consumer", "line"),
    MESSAGES,
    ids=[f"{type_name(p)}->{type_name(c)}" for p, c, _ in MESSAGES],
)
def test_mismatch_reads_as_one_line(producer: object, consumer: object, line: str) -> None:
    assert [str(m) for m in check_compatible(producer, consumer)] == [line]


def test_mismatch_lines_report_every_nested_field() -> None:
    assert [str(m) for m in check_compatible(StrMeasurement, Measurement)] == [
        "reading.value: incompatible types (producer str, consumer float)",
        "tags[]: incompatible types (producer int, consumer str)",
    ]


def test_mismatch_lines_for_a_dict_into_a_struct() -> None:
    assert [str(m) for m in check_compatible(dict[str, int], Bag)] == [
        "y: incompatible types (producer int, consumer str)",
        "(top level): the consumer requires 'x', 'y', which a dict may lack "
        "(producer dict[str, int], consumer Bag)",
    ]


def test_mismatch_str_names_the_top_level() -> None:
    mismatch = Mismatch(path="", producer="int", consumer="str", reason="incompatible types")
    assert str(mismatch) == "(top level): incompatible types (producer int, consumer str)"


def test_check_compatible_rejects_unsupported_types() -> None:
    with pytest.raises(TypeError):
        check_compatible(Reading | Untagged, Reading)


# -- fingerprint and json_schema ------------------------------------------------------------


def _define(annotation: str, doc: str = "", name: str = "Sample") -> type[msgspec.Struct]:
    namespace: dict[str, object] = {
        "__doc__": doc,
        "__annotations__": {"a": annotation, "b": "str"},
    }
    return type(name, (msgspec.Struct,), namespace, kw_only=True)


def test_fingerprint_is_sixteen_hex_digits() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint(Reading))


def test_fingerprint_equal_for_identical_structs_defined_twice() -> None:
    assert fingerprint(_define("int")) == fingerprint(_define("int"))


def test_fingerprint_ignores_names_and_docs() -> None:
    plain = fingerprint(_define("int"))
    assert fingerprint(_define("int", doc="Documented.", name="Renamed")) == plain


def test_fingerprint_changes_with_a_field_type() -> None:
    assert fingerprint(_define("int")) != fingerprint(_define("float"))


def test_fingerprint_changes_with_a_tag() -> None:
    assert fingerprint(Cat) != fingerprint(Fox)


def test_fingerprint_independent_of_field_order() -> None:
    first = msgspec.defstruct("S", [("a", Reading), ("b", Cat)], kw_only=True)
    second = msgspec.defstruct("S", [("b", Cat), ("a", Reading)], kw_only=True)
    assert fingerprint(first) == fingerprint(second)


def test_fingerprint_counts_array_like_field_order() -> None:
    first = msgspec.defstruct("S", [("a", int), ("b", str)], array_like=True)
    second = msgspec.defstruct("S", [("b", str), ("a", int)], array_like=True)
    assert fingerprint(first) != fingerprint(second)


@pytest.mark.slow
def test_fingerprint_stable_across_processes() -> None:
    code = textwrap.dedent("""
        import msgspec
        from sandbox.schema import fingerprint
        class Reading(msgspec.Struct, frozen=True, kw_only=True):
            sensor: str
            value: float
            unit: str = "C"
        print(fingerprint(Reading))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=4
    )
    assert out.stdout.strip() == fingerprint(Reading)


@pytest.mark.parametrize(
    "tp", [Reading, Measurement, Cat | Dog, Node, Pair, list[Percent]], ids=type_name
)
def test_json_schema_round_trips_through_json(tp: object) -> None:
    schema = json_schema(tp)
    assert schema == msgspec.json.schema(tp)
    assert json.loads(json.dumps(schema)) == schema


# -- property: the verdict matches what msgspec does ---------------------------------------

FIELD_NAMES = ("a", "b", "c")
_counter = itertools.count()
SCALARS: list[object] = [int, float, str, bool, None, bytes]
FINITE: list[object] = [Literal["x"], Literal["x", "y"], Literal[1, 2], Color, Level]
# A union may hold one member of each group (msgspec's rule), plus int and float together.
GROUPS: list[list[object]] = [
    [None],
    [bool],
    [int, Literal[1, 2], Level],
    [float],
    [str, bytes, Literal["x"], Literal["x", "y"], Color],
]


@st.composite
def schema_types(draw: st.DrawFn, depth: int = 2) -> object:
    leaves = st.sampled_from(SCALARS + FINITE)
    if depth == 0:
        return draw(leaves)
    inner = schema_types(depth - 1)
    kind = draw(st.sampled_from(["leaf", "union", "list", "dict", "tuple", "vartuple", "struct"]))
    if kind == "leaf":
        return draw(leaves)
    if kind == "union":
        groups = draw(st.lists(st.sampled_from(GROUPS), min_size=2, max_size=3, unique_by=id))
        members = [draw(st.sampled_from(g)) for g in groups]
        return Union[tuple(members)]  # noqa: UP007  # a runtime-built union
    if kind == "list":
        return list[draw(inner)]  # type: ignore[misc]
    if kind == "dict":
        return dict[draw(st.sampled_from([str, int])), draw(inner)]  # type: ignore[misc]
    if kind == "tuple":
        return tuple[tuple(draw(st.lists(inner, min_size=1, max_size=2)))]  # type: ignore[misc]
    if kind == "vartuple":
        return tuple[draw(inner), ...]  # type: ignore[misc]
    fields = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=3, unique=True))
    return draw(structs({name: draw(inner) for name in fields}))


@st.composite
def structs(draw: st.DrawFn, field_types: dict[str, object]) -> object:
    fields: list[tuple[str, object] | tuple[str, object, object]] = []
    for name, tp in field_types.items():
        if draw(st.booleans()):
            default = draw(values(mi.type_info(tp), witness=False))
            factory = functools.partial(copy.deepcopy, default)
            fields.append((name, tp, msgspec.field(default_factory=factory)))
        else:
            fields.append((name, tp))
    forbid = draw(st.booleans())
    name = f"S{next(_counter)}"
    return msgspec.defstruct(name, fields, kw_only=True, forbid_unknown_fields=forbid)


@st.composite
def related(draw: st.DrawFn, tp: object, depth: int = 2) -> object:
    """A consumer type for `tp`: itself, a variation of it, or something unrelated."""
    how = draw(st.sampled_from(["same", "other", "optional", "vary"]))
    if how == "same":
        return tp
    if how == "other" or depth == 0:
        return draw(schema_types(depth))
    if how == "optional":
        return Optional[tp]  # noqa: UP045  # tp may be None itself
    if tp is int:
        return float
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        info = mi.type_info(tp)
        assert isinstance(info, mi.StructType)
        kept = draw(st.lists(st.sampled_from(info.fields), unique_by=lambda f: f.name))
        varied = {f.name: draw(related(tp.__annotations__[f.name], depth - 1)) for f in kept}
        return draw(structs(varied))
    origin = getattr(tp, "__origin__", None)
    args = getattr(tp, "__args__", ())
    if origin in (list, dict) and args:
        return origin[(*args[:-1], draw(related(args[-1], depth - 1)))]
    return draw(schema_types(depth))


def values(t: mi.Type, *, witness: bool) -> st.SearchStrategy[object]:
    """Values of a type; `witness` favours values likely to break a decoder."""
    least = int(witness)  # a witness needs items to carry a bad value
    if isinstance(t, mi.UnionType):
        return st.one_of([values(m, witness=witness) for m in t.types])
    if isinstance(t, (mi.ListType, mi.VarTupleType)):
        seq = st.lists(values(t.item_type, witness=witness), min_size=least, max_size=2)
        return seq.map(tuple) if isinstance(t, mi.VarTupleType) else seq
    if isinstance(t, mi.TupleType):
        return st.tuples(*(values(i, witness=witness) for i in t.item_types))
    if isinstance(t, mi.DictType):
        keys, items = values(t.key_type, witness=witness), values(t.value_type, witness=witness)
        return st.dictionaries(keys, items, min_size=least, max_size=2)
    if isinstance(t, mi.StructType):
        required = {f.name: values(f.type, witness=witness) for f in t.fields if f.required}
        optional = {f.name: values(f.type, witness=witness) for f in t.fields if not f.required}
        kwargs = st.fixed_dictionaries(required, optional=optional)
        return kwargs.map(lambda kw: t.cls(**kw))
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.EnumType):
        return st.sampled_from(list(t.cls))
    if isinstance(t, mi.StrType):
        text = st.text(max_size=3)
        return st.sampled_from(FIELD_NAMES) | text if witness else text  # names hit struct keys
    scalars: dict[type[mi.Type], st.SearchStrategy[object]] = {
        mi.NoneType: st.none(),
        mi.BoolType: st.booleans(),
        mi.IntType: st.integers(-(2**63), 2**64 - 1),
        mi.FloatType: st.floats(allow_nan=False, allow_infinity=False),  # JSON has no NaN
        mi.BytesType: st.binary(max_size=3),
    }
    return scalars[type(t)]


def _decodes(value: object, tp: object) -> bool:
    try:
        msgspec.msgpack.decode(msgspec.msgpack.encode(value), type=tp)
    except msgspec.ValidationError:
        return False
    return True


@st.composite
def type_pairs(draw: st.DrawFn) -> tuple[object, object]:
    producer = draw(schema_types())
    assume(check_type(producer) is None)
    consumer = draw(related(producer))
    assume(check_type(consumer) is None)
    return producer, consumer


@pytest.mark.slow
@pytest.mark.timeout(30)
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(pair=type_pairs(), data=st.data())
def test_check_compatible_agrees_with_msgspec(
    pair: tuple[object, object], data: st.DataObject
) -> None:
    producer, consumer = pair
    mismatches = check_compatible(producer, consumer)
    info = mi.type_info(producer)
    if not mismatches:
        for _ in range(5):
            value = data.draw(values(info, witness=False))
            assert _decodes(value, consumer), (value, consumer)
            msgspec.json.decode(msgspec.json.encode(value), type=consumer)  # JSON agrees
        return
    for _ in range(40):
        value = data.draw(values(info, witness=True))
        if not _decodes(value, consumer):
            return
    pytest.fail(f"no record of {producer} fails as {consumer}, yet: {mismatches}")
