"""Streamlet and topic entries: their keys, types and allowed values."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, get_args

from sandbox.blueprint.check import TableChecker, describe_value
from sandbox.blueprint.model import (
    DEFAULT_CAPACITY,
    Backoff,
    Endpoint,
    LogLevel,
    OnError,
    Overflow,
    Restart,
    RuntimeKind,
    StreamletEntry,
    Topic,
)
from sandbox.config import parse_duration
from sandbox.errors import diagnostic, did_you_mean, quote_list

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.blueprint.sourcemap import PathKey

__all__ = ["CLASS_REFERENCE", "streamlet_settings", "topic_settings"]

CLASS_REFERENCE: Final = re.compile(
    r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$"
)
_STREAMLET_KEYS: Final = (
    "class",
    "replicas",
    "config",
    "runtime",
    "restart",
    "max-restarts",
    "backoff",
    "on-error",
    "log-level",
)
_RESERVED_TOPIC_KEYS: Final = ("partitions", "retention", "binding")
_TOPIC_KEYS: Final = (
    "producers",
    "consumers",
    "capacity",
    "overflow",
    "partitions",
    "retention",
    "binding",
)


class _Invalid(Exception):
    def __init__(self, expected: str, hint: str = "") -> None:
        self.expected = expected
        self.hint = hint


def _choice(options: tuple[str, ...]) -> Callable[[object], object]:
    def parse(value: object) -> object:
        if isinstance(value, str) and value.lower() in options:
            return value.lower()
        typed = value if isinstance(value, str) else ""
        expected = f"one of {quote_list(options)}"
        raise _Invalid(expected, did_you_mean(typed, options).strip())

    return parse


def _count(minimum: int) -> Callable[[object], object]:
    def parse(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        expected = f"an integer >= {minimum}"
        raise _Invalid(expected)

    return parse


def _backoff(value: object) -> object:
    expected = "a range of durations such as '100ms..10s'"
    if not isinstance(value, str) or value.count("..") != 1:
        raise _Invalid(expected)
    low, high = value.split("..")
    try:
        initial, maximum = parse_duration(low.strip()), parse_duration(high.strip())
    except ValueError as exc:
        raise _Invalid(expected, str(exc)) from exc
    if initial > maximum or initial.total_seconds() <= 0:
        raise _Invalid(expected, "the first duration must be positive and not above the second")
    return Backoff(initial=initial.total_seconds(), maximum=maximum.total_seconds())


_STREAMLET_PARSERS: Final[dict[str, tuple[str, Callable[[object], object]]]] = {
    "replicas": ("replicas", _count(1)),
    "runtime": ("runtime", _choice(get_args(RuntimeKind))),
    "restart": ("restart", _choice(get_args(Restart))),
    "max-restarts": ("max_restarts", _count(0)),
    "backoff": ("backoff", _backoff),
    "on-error": ("on_error", _choice(get_args(OnError))),
    "log-level": ("log_level", _choice(get_args(LogLevel))),
}
_TOPIC_PARSERS: Final[dict[str, tuple[str, Callable[[object], object]]]] = {
    "capacity": ("capacity", _count(1)),
    "overflow": ("overflow", _choice(get_args(Overflow))),
}


def _settings(
    table: dict[str, object],
    parsers: dict[str, tuple[str, Callable[[object], object]]],
    path: PathKey,
    where: str,
    checker: TableChecker,
    streamlet: str | None = None,
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, (field, parse) in parsers.items():
        if key not in table:
            continue
        try:
            values[field] = parse(table[key])
        except _Invalid as bad:
            checker.setting(
                (*path, key),
                key,
                where,
                bad.expected,
                describe_value(table[key]),
                bad.hint or f"set {key} to {bad.expected}",
                streamlet=streamlet,
            )
    return values


def streamlet_settings(
    name: str, value: object, path: PathKey, checker: TableChecker
) -> StreamletEntry | None:
    """Check one `[streamlets]` entry (a class reference or a table)."""
    table: dict[str, object] | None = {"class": value} if isinstance(value, str) else None
    class_path = path if table is not None else (*path, "class")
    if table is None:
        table = checker.table(value, path)
        if table is None:
            return None
        checker.unknown_keys(table, _STREAMLET_KEYS, path, f"streamlet '{name}'", streamlet=name)
        if "class" not in table:
            checker.add(
                diagnostic(
                    "format-error/missing-key",
                    location=checker.locate(path),
                    streamlet=name,
                    where=f"streamlet '{name}'",
                    key="class",
                )
            )
            return None
    ref = checker.string(table["class"], class_path, streamlet=name)
    if ref is None:
        return None
    if not CLASS_REFERENCE.match(ref):
        checker.add(
            diagnostic(
                "invalid-class-reference",
                location=checker.locate(class_path),
                streamlet=name,
                ref=ref,
            )
        )
    config = checker.table(table.get("config", {}), (*path, "config")) or {}
    settings = _settings(table, _STREAMLET_PARSERS, path, f"streamlet '{name}'", checker, name)
    origin = {key: checker.locate((*path, "config", key)) for key in config}
    return StreamletEntry(
        name=name,
        class_ref=ref,
        path=path,
        config=config,
        config_origin=origin,
        **settings,  # type: ignore[arg-type]  # each value parsed to its field's type
    )


def _endpoints(value: object, path: PathKey, checker: TableChecker) -> tuple[Endpoint, ...]:
    if isinstance(value, str):
        return (Endpoint(text=value, path=path),)
    if not isinstance(value, list):
        checker.type_error(path, "a list of port paths", describe_value(value))
        return ()
    result = []
    for i, item in enumerate(value):
        text = checker.string(item, (*path, i))
        if text is not None:
            result.append(Endpoint(text=text, path=(*path, i)))
    return tuple(result)


def topic_settings(name: str, value: object, path: PathKey, checker: TableChecker) -> Topic | None:
    """Check one `[topics.<name>]` table."""
    table = checker.table(value, path)
    if table is None:
        return None
    checker.unknown_keys(table, _TOPIC_KEYS, path, f"topic '{name}'")
    for key in _RESERVED_TOPIC_KEYS:
        if key in table:
            checker.add(
                diagnostic(
                    "invalid-setting/reserved",
                    location=checker.locate((*path, key)),
                    setting=key,
                    where=f"topic '{name}'",
                )
            )
    settings = _settings(table, _TOPIC_PARSERS, path, f"topic '{name}'", checker)
    return Topic(
        name=name,
        path=path,
        producers=_endpoints(table.get("producers", []), (*path, "producers"), checker),
        consumers=_endpoints(table.get("consumers", []), (*path, "consumers"), checker),
        capacity=int(settings.get("capacity", DEFAULT_CAPACITY)),  # type: ignore[call-overload]  # parsed int
        overflow=settings.get("overflow", "block"),  # type: ignore[arg-type]  # parsed choice
    )
