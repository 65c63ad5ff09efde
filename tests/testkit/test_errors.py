"""The testkit's record checks and the wording of its errors."""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, Literal

import msgspec
import pytest

from sandbox.testkit import RecordTypeError, UnknownNameError
from sandbox.testkit.errors import check_record, check_records, describe_record, unknown_name

WHERE = "inlet 'in' of 'upper'"


@pytest.mark.parametrize(
    ("schema", "record"),
    [
        (int, 3),
        (float, 3),  # msgspec decodes an int as a float too
        (Annotated[int, msgspec.Meta(ge=0)], 3),
        (int | None, None),
        (typing.Optional[str], "a"),  # noqa: UP045  # the typing spelling is a Union too
        (typing.Union[int, str], "a"),  # noqa: UP007
        (Any, object()),
        (object, 1),
        (list[int], "not checked"),
        (Literal["a"], "not checked"),
        (int | list[int], "not checked"),
    ],
    ids=[
        "class",
        "int-for-float",
        "annotated",
        "none-of-optional",
        "typing-optional",
        "typing-union",
        "any",
        "object",
        "generic",
        "literal",
        "union-with-a-generic",
    ],
)
def test_check_record_accepts_instances_and_leaves_the_rest_to_the_streamlet(
    schema: object, record: object
) -> None:
    check_record(record, schema, WHERE)


@pytest.mark.parametrize(
    ("schema", "record", "message"),
    [
        (float, "1", "inlet 'in' of 'upper' expects float, got str '1'"),
        (
            Annotated[int, msgspec.Meta(ge=0)],
            "x",
            "inlet 'in' of 'upper' expects int(ge=0), got str 'x'",
        ),
        (int | None, "x", "inlet 'in' of 'upper' expects int | None, got str 'x'"),
        (typing.Optional[str], 1, "inlet 'in' of 'upper' expects str | None, got int 1"),  # noqa: UP045
    ],
    ids=["class", "annotated", "union", "typing-optional"],
)
def test_check_record_names_the_expected_type_and_the_record(
    schema: object, record: object, message: str
) -> None:
    with pytest.raises(RecordTypeError, match=f"^{re.escape(message)}$"):
        check_record(record, schema, WHERE)


def test_long_records_are_described_by_type_and_a_cut_repr() -> None:
    described = describe_record("x" * 100)

    assert described == "str '" + "x" * 76 + "..."
    assert describe_record(1.5) == "float 1.5"


@pytest.mark.parametrize(
    ("records", "kind"),
    [("abc", "str"), (b"abc", "bytes"), ({"a": 1}, "dict"), (5, "int")],
    ids=["str", "bytes", "mapping", "not-iterable"],
)
def test_inputs_must_be_a_list_or_an_iterable_of_records(records: object, kind: str) -> None:
    with pytest.raises(
        RecordTypeError,
        match=(
            r"^the input of inlet 'in' of 'upper' must be a list, an iterable or an async"
            rf" iterable of records, got {kind}$"
        ),
    ):
        check_records(records, int, WHERE)


def test_list_inputs_are_checked_record_by_record_and_iterables_are_passed_on() -> None:
    generator = (n for n in ["not", "checked"])

    assert check_records([1, 2], int, WHERE) == [1, 2]
    assert check_records(generator, int, WHERE) is generator
    with pytest.raises(
        RecordTypeError, match=r"^record 1 for inlet 'in' of 'upper' expects int, got str '2'$"
    ):
        check_records([1, "2"], int, WHERE)


def test_unknown_names_suggest_a_close_one_and_list_the_choices() -> None:
    without_hint = unknown_name("valdi", ["valid", "invalid"], kind="topic")
    with_hint = unknown_name("x", ["b", "a"], kind="streamlet", hint="in replace=")

    assert isinstance(without_hint, UnknownNameError)
    assert str(without_hint) == (
        "the blueprint has no topic 'valdi'; did you mean 'valid'? choose from 'invalid' or 'valid'"
    )
    assert str(with_hint) == (
        "the blueprint has no streamlet 'x'; choose from 'a' or 'b' (in replace=)"
    )
