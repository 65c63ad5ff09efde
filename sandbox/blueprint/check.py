"""Collecting structural problems of a blueprint document, with positions."""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from sandbox.errors import Diagnostic, Location, article, diagnostic, did_you_mean, quote_list

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sandbox.blueprint.sourcemap import PathKey, SourceMap

__all__ = ["TableChecker", "describe_value"]


def describe_value(value: object) -> str:
    """A value as a message shows what was found: "a string 'x'", "a table"."""
    if isinstance(value, bool):
        return f"a boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"an integer {value}"
    if isinstance(value, float):
        return f"a float {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string {shown!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    return article(type(value).__name__)


@final
class TableChecker:
    """Checks values of a parsed document, collecting every problem found."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []

    def locate(self, path: PathKey) -> Location:
        """The position of a key path (or its nearest ancestor)."""
        return self.source.locate(path)

    def add(self, problem: Diagnostic) -> None:
        """Record a problem."""
        self.problems.append(problem)

    def type_error(
        self,
        path: PathKey,
        expected: str,
        found: str,
        *,
        hint: str = "",
        streamlet: str | None = None,
    ) -> None:
        """Record a format-error for a value of the wrong type."""
        location = self.locate(path)
        self.add(
            diagnostic(
                "format-error/type",
                location=location,
                streamlet=streamlet,
                expected=expected,
                path=location.path,
                found=found,
                hint=hint,
            )
        )

    def table(self, value: object, path: PathKey) -> dict[str, object] | None:
        """`value` if it is a table, else None after recording the problem."""
        if isinstance(value, dict):
            return value
        self.type_error(path, "a table", describe_value(value))
        return None

    def string(self, value: object, path: PathKey, *, streamlet: str | None = None) -> str | None:
        """`value` if it is a string, else None after recording the problem."""
        if isinstance(value, str):
            return value
        self.type_error(path, "a string", describe_value(value), streamlet=streamlet)
        return None

    def unknown_keys(
        self,
        table: dict[str, object],
        allowed: Iterable[str],
        path: PathKey,
        where: str,
        *,
        streamlet: str | None = None,
    ) -> None:
        """Record a format-error for each key of `table` not in `allowed`."""
        choices = list(allowed)
        for key in table:
            if key not in choices:
                self.add(
                    diagnostic(
                        "format-error/unknown-key",
                        location=self.locate((*path, key)),
                        streamlet=streamlet,
                        key=key,
                        where=where,
                        suggestion=did_you_mean(key, choices),
                        choices=quote_list(choices),
                    )
                )

    def setting(
        self,
        path: PathKey,
        setting: str,
        where: str,
        expected: str,
        found: str,
        hint: str,
        *,
        streamlet: str | None = None,
    ) -> None:
        """Record an invalid-setting problem."""
        self.add(
            diagnostic(
                "invalid-setting",
                location=self.locate(path),
                streamlet=streamlet,
                setting=setting,
                where=where,
                expected=expected,
                found=found,
                hint=hint,
            )
        )
