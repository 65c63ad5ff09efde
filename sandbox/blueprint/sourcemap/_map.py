"""The source map, and the key paths, duplicates and syntax errors both parsers report."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, final

import msgspec

from sandbox.errors import Location, SandboxError

if TYPE_CHECKING:
    from collections.abc import Mapping


PathKey = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_DEPTH = 200  # far beyond any blueprint; keeps key paths cheap to build and recursion bounded
_TOO_DEEP = f"values are nested more than {_MAX_DEPTH} deep"


def json_path(path: PathKey) -> str:
    """Spell a key path as a JSONPath, e.g. `$.topics.readings.producers[0]`.

    Args:
        path: Keys and array indices from the document root.

    Returns:
        Dot notation for keys made of letters, digits, `_` and `-`; `['...']`
        with `\\` and `'` escaped for any other key; `[i]` for indices.
    """
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _PLAIN_KEY.fullmatch(key):
            parts.append(f".{key}")
        else:
            escaped = key.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{escaped}']")
    return "".join(parts)


@final
class SourceMap:
    """Where each key path of a parsed document is in its file.

    Attributes:
        file: The file name shown in locations, or None for unnamed text.
    """

    __slots__ = ("_positions", "file")

    def __init__(self, file: str | None, positions: Mapping[PathKey, tuple[int, int]]) -> None:
        """Create a map from key paths to 1-based `(line, column)` positions.

        Args:
            file: The file name shown in locations.
            positions: The position of every mapped key path.
        """
        self.file = file
        self._positions = dict(positions)

    def __repr__(self) -> str:
        return f"SourceMap({self.file!r}, <{len(self._positions)} positions>)"

    def position(self, path: PathKey) -> tuple[int, int] | None:
        """Return the `(line, column)` of exactly `path`, or None if it is not mapped."""
        return self._positions.get(path)

    def locate(self, path: PathKey) -> Location:
        """Return the location of `path`, falling back to its nearest mapped ancestor.

        A key that is missing from the document is thus reported at the table
        that should hold it. With no mapped ancestor, `line` is None.
        """
        for end in range(len(path), 0, -1):
            found = self._positions.get(path[:end])
            if found is not None:
                return Location(
                    file=self.file, line=found[0], column=found[1], path=json_path(path)
                )
        return Location(file=self.file, path=json_path(path))


@final
class SourceSyntaxError(SandboxError):
    """The text is not valid TOML or YAML, or has no mapping at the top level.

    Attributes:
        format: `"TOML"` or `"YAML"`.
        detail: The parser's message, without the position.
        line: 1-based line of the problem, None when unknown.
        column: 1-based column of the problem, None when unknown.
    """

    def __init__(
        self,
        format: Literal["TOML", "YAML"],
        detail: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        """Create the error; the message reads `invalid TOML: <detail> (line L, column C)`."""
        where = "" if line is None else f" (line {line}, column {column})"
        super().__init__(f"invalid {format}: {detail}{where}")
        self.format: Literal["TOML", "YAML"] = format
        self.detail = detail
        self.line = line
        self.column = column


@final
class DuplicateKey(msgspec.Struct, frozen=True, kw_only=True):
    """A key defined twice; the first definition is the one kept.

    Attributes:
        path: The duplicated key's full path.
        line: 1-based line of the later (ignored) definition.
        column: 1-based column of the later definition.
        first_line: 1-based line of the first (kept) definition.
    """

    path: PathKey
    line: int
    column: int
    first_line: int
