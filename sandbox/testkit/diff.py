"""Readable differences between an expected and an actual record.

Structs are compared field by field (nested Structs, lists and dicts are
followed), so a mismatch reads `Metric.value: expected 2.0, got 3.0` rather
than two long reprs side by side.
"""

from __future__ import annotations

from typing import Final

import msgspec

__all__ = ["diff_records"]

_MAX_LINES: Final = 20


def diff_records(
    expected: object, actual: object, labels: tuple[str, str] = ("expected", "got")
) -> list[str]:
    """One line per difference between `expected` and `actual` (empty when equal).

    Args:
        expected: the record a test expects.
        actual: the record it got.
        labels: the words before each side's value.
    """
    lines: list[str] = []
    _diff(expected, actual, _root(expected), lines, labels)
    if len(lines) > _MAX_LINES:
        more = len(lines) - _MAX_LINES
        lines = [*lines[:_MAX_LINES], f"... and {more} more differences"]
    return lines


def _root(value: object) -> str:
    return type(value).__name__ if isinstance(value, msgspec.Struct) else "record"


def _diff(
    expected: object, actual: object, path: str, lines: list[str], labels: tuple[str, str]
) -> None:
    want, got = labels
    if expected == actual and type(expected) is type(actual):
        return
    if isinstance(expected, msgspec.Struct) and type(expected) is type(actual):
        for field in expected.__struct_fields__:
            _diff(
                getattr(expected, field), getattr(actual, field), f"{path}.{field}", lines, labels
            )
        return
    if isinstance(expected, list | tuple) and type(expected) is type(actual):
        _diff_sequences(expected, actual, path, lines, labels)
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        _diff_dicts(expected, actual, path, lines, labels)
        return
    if type(expected) is not type(actual) and expected != actual:
        lines.append(
            f"{path}: {want} {type(expected).__name__} {expected!r}, "
            f"{got} {type(actual).__name__} {actual!r}"
        )
        return
    if expected != actual:
        lines.append(f"{path}: {want} {expected!r}, {got} {actual!r}")


def _diff_sequences(
    expected: list[object] | tuple[object, ...],
    actual: list[object] | tuple[object, ...],
    path: str,
    lines: list[str],
    labels: tuple[str, str],
) -> None:
    for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
        _diff(e, a, f"{path}[{index}]", lines, labels)
    if len(expected) != len(actual):
        want, got = labels
        lines.append(f"{path}: {want} {len(expected)} items, {got} {len(actual)}")
        missing, extra = _only(labels)
        longer, word = (expected, missing) if len(expected) > len(actual) else (actual, extra)
        for index in range(min(len(expected), len(actual)), len(longer)):
            lines.append(f"{path}[{index}]: {word} {longer[index]!r}")


def _diff_dicts(
    expected: dict[object, object],
    actual: dict[object, object],
    path: str,
    lines: list[str],
    labels: tuple[str, str],
) -> None:
    missing, extra = _only(labels)
    for key in expected:
        if key not in actual:
            lines.append(f"{path}[{key!r}]: {missing} {expected[key]!r}")
        else:
            _diff(expected[key], actual[key], f"{path}[{key!r}]", lines, labels)
    for key in actual:
        if key not in expected:
            lines.append(f"{path}[{key!r}]: {extra} {actual[key]!r}")


def _only(labels: tuple[str, str]) -> tuple[str, str]:
    """How an item present on one side only is introduced."""
    if labels == ("expected", "got"):
        return "missing", "unexpected"
    return f"only {labels[0]}", f"only {labels[1]}"
