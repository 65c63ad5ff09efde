"""diff_records: one readable line per difference; the pytest hook built on it."""

from __future__ import annotations

import msgspec
import pytest

from sandbox.testkit import diff_records
from sandbox.testkit.plugin import pytest_assertrepr_compare


class Point(msgspec.Struct, frozen=True):
    x: int
    tags: list[str] = []
    extra: dict[str, int] = {}


class Reading(msgspec.Struct, frozen=True):
    point: Point
    value: float


class Other(msgspec.Struct, frozen=True):
    x: int


@pytest.mark.parametrize(
    ("expected", "actual", "lines"),
    [
        (Point(1), Point(1), []),
        (1, 1.0, []),  # equal values of two number types are no difference
        (Point(1), Point(2), ["Point.x: expected 1, got 2"]),
        (
            Reading(Point(1, ["a", "b"], {"k": 1}), 2.0),
            Reading(Point(2, ["a"], {"j": 2}), 3.0),
            [
                "Reading.point.x: expected 1, got 2",
                "Reading.point.tags: expected 2 items, got 1",
                "Reading.point.tags[1]: missing 'b'",
                "Reading.point.extra['k']: missing 1",
                "Reading.point.extra['j']: unexpected 2",
                "Reading.value: expected 2.0, got 3.0",
            ],
        ),
        (
            [1, 2],
            [1, 2, 3, 4],
            [
                "record: expected 2 items, got 4",
                "record[2]: unexpected 3",
                "record[3]: unexpected 4",
            ],
        ),
        ({"a": 1}, {"a": 2}, ["record['a']: expected 1, got 2"]),
        (1, "1", ["record: expected int 1, got str '1'"]),
        ((1,), [1], ["record: expected tuple (1,), got list [1]"]),
        (
            Point(1),
            Other(1),
            ["Point: expected Point Point(x=1, tags=[], extra={}), got Other Other(x=1)"],
        ),
    ],
    ids=[
        "equal",
        "int-and-float",
        "field",
        "nested",
        "longer-list",
        "dict-value",
        "type",
        "tuple-and-list",
        "struct-types",
    ],
)
def test_diff_records_lists_each_difference(
    expected: object, actual: object, lines: list[str]
) -> None:
    assert diff_records(expected, actual) == lines


def test_other_labels_name_the_sides_of_items_present_on_one_side() -> None:
    assert diff_records([1, 2], [1], labels=("left", "right")) == [
        "record: left 2 items, right 1",
        "record[1]: only left 2",
    ]
    assert diff_records({}, {"k": 0}, labels=("left", "right")) == ["record['k']: only right 0"]


def test_more_than_twenty_differences_are_cut_with_a_count() -> None:
    lines = diff_records(list(range(30)), list(range(1, 31)))

    assert len(lines) == 21
    assert lines[0] == "record[0]: expected 0, got 1"
    assert lines[19] == "record[19]: expected 19, got 20"
    assert lines[20] == "... and 10 more differences"


def test_assert_on_two_structs_of_one_type_explains_the_differing_fields(
    pytestconfig: pytest.Config,
) -> None:
    explained = pytest_assertrepr_compare(pytestconfig, "==", Point(1, ["a"]), Point(1, ["b"]))

    assert explained == [
        "Point(...) == Point(...)",
        "Differing fields:",
        "Point.tags[0]: left 'a', right 'b'",
    ]


@pytest.mark.parametrize(
    ("op", "left", "right"),
    [
        ("!=", Point(1), Point(1)),
        ("==", 1, 2),
        ("==", Point(1), Other(1)),
        ("==", Point(1), Point(1)),
    ],
    ids=["other-operator", "not-structs", "two-types", "no-difference"],
)
def test_other_comparisons_keep_pytests_explanation(
    pytestconfig: pytest.Config, op: str, left: object, right: object
) -> None:
    assert pytest_assertrepr_compare(pytestconfig, op, left, right) is None
