"""What the testkit raises, and the text of its messages.

Every message names the streamlet and the port and says what was expected;
like `sandbox.errors`, the wording lives here rather than at the raise sites.
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Final

from sandbox.errors import SandboxError, did_you_mean, quote_list
from sandbox.schema import type_name

if typing.TYPE_CHECKING:
    from sandbox.runtime.failures import Failure

__all__ = [
    "PortClosedError",
    "RecordTypeError",
    "StreamEndedError",
    "StreamletFailedError",
    "TestkitError",
    "TestkitTimeoutError",
    "UnknownNameError",
    "UnknownPortError",
    "check_record",
    "check_records",
    "describe_record",
    "unknown_name",
    "unknown_port",
]


class TestkitError(SandboxError):
    """Base class of the errors the testkit raises."""

    __test__ = False  # not a test class, whatever pytest thinks of the name


class UnknownPortError(TestkitError, KeyError):
    """A port name the streamlet does not have (or not in that direction)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class UnknownNameError(TestkitError, KeyError):
    """A streamlet, topic or port path the blueprint does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


class RecordTypeError(TestkitError, TypeError):
    """A record of the wrong type was given to an inlet or topic."""


class PortClosedError(TestkitError):
    """A record was sent to an inlet the test had already closed."""


class StreamEndedError(TestkitError):
    """A record was awaited on an outlet that has ended."""


class TestkitTimeoutError(TestkitError, TimeoutError):
    """A testkit call did not finish in time; the message says what was still waiting."""


class StreamletFailedError(TestkitError):
    """The streamlet under test (or one of the application) failed.

    The exception raised by user code is the `__cause__`; `failure` holds the
    streamlet, replica, error and the traceback of user code.
    """

    def __init__(self, failure: Failure) -> None:
        self.failure = failure
        super().__init__(str(failure))


_MAX_REPR: Final = 80


def describe_record(record: object) -> str:
    """A short description of a record for messages: its type and repr."""
    text = repr(record)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return f"{type(record).__name__} {text}"


def unknown_port(
    streamlet: str, name: str, direction: str, same: Iterable[str], other: Iterable[str]
) -> UnknownPortError:
    """The error for a port name that is not an inlet (or outlet) of `streamlet`.

    Args:
        streamlet: the streamlet instance under test.
        name: the name given.
        direction: "inlet" or "outlet", the direction that was needed.
        same: the ports of that direction.
        other: the ports of the other direction.
    """
    same, other = list(same), list(other)
    if name in other:
        where = "an outlet" if direction == "inlet" else "an inlet"
        message = (
            f"'{name}' is {where} of '{streamlet}', not {_article(direction)}; "
            f"its {direction}s are {quote_list(same, conjunction='and')}"
        )
        return UnknownPortError(message)
    suggestion = did_you_mean(name, same)
    message = (
        f"'{streamlet}' has no {direction} '{name}'; {suggestion}"
        f"its {direction}s are {quote_list(same, conjunction='and')}"
    )
    return UnknownPortError(message)


def unknown_name(
    name: str, choices: Iterable[str], *, kind: str, hint: str = ""
) -> UnknownNameError:
    """The error for a streamlet, topic or port path a blueprint does not have."""
    names = sorted(choices)
    message = f"the blueprint has no {kind} '{name}'; {did_you_mean(name, names)}"
    message += f"choose from {quote_list(names)}"
    if hint:
        message += f" ({hint})"
    return UnknownNameError(message)


def _article(direction: str) -> str:
    return "an inlet" if direction == "inlet" else "an outlet"


def _classes(schema: object) -> tuple[type, ...] | None:
    """The classes `isinstance` can check a record of `schema` against, if any."""
    if schema is float:
        return (float, int)  # msgspec decodes ints as floats
    if schema is typing.Any:  # a class on Python 3.11+, but not one isinstance accepts
        return None
    if isinstance(schema, type):
        return None if schema is object else (schema,)
    origin = typing.get_origin(schema)
    if origin is typing.Annotated:
        return _classes(typing.get_args(schema)[0])
    if origin is typing.Union or type(schema).__name__ == "UnionType":
        members: list[type] = []
        for arg in typing.get_args(schema):
            found = _classes(type(None) if arg is None else arg)
            if found is None:
                return None
            members.extend(found)
        return tuple(members)
    return None  # Any, generics, literals: leave them to the streamlet


def check_record(record: object, schema: object, where: str) -> None:
    """Raise `RecordTypeError` unless `record` is an instance of `schema`.

    Only schemas `isinstance` understands are checked (classes and unions of
    classes); `Any`, `list[int]` or `Literal[...]` are accepted as they are.

    Args:
        record: the record given.
        schema: the schema of the port or topic.
        where: what receives it, e.g. "inlet 'in' of 'upper'".
    """
    classes = _classes(schema)
    if classes is None or isinstance(record, classes):
        return
    message = f"{where} expects {type_name(schema)}, got {describe_record(record)}"
    raise RecordTypeError(message)


def check_records(
    records: object, schema: object, where: str
) -> Iterable[object] | AsyncIterable[object]:
    """Check that `records` is a list or (async) iterable, and a list's records' types.

    Raises:
        RecordTypeError: a string, a mapping or a non-iterable; or a record of
            the wrong type (its index is named).
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(
        records, Iterable | AsyncIterable
    ):
        message = (
            f"the input of {where} must be a list, an iterable or an async iterable of "
            f"records, got {type(records).__name__}"
        )
        raise RecordTypeError(message)
    if isinstance(records, list):
        for index, record in enumerate(records):
            check_record(record, schema, f"record {index} for {where}")
    return records
