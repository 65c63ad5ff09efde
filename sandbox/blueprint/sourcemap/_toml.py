"""TOML: the data from `tomllib`, the positions from a lenient scanner."""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from typing import NoReturn

from sandbox.blueprint.sourcemap._map import (
    _MAX_DEPTH,
    _TOO_DEEP,
    DuplicateKey,
    PathKey,
    SourceMap,
    SourceSyntaxError,
)

_NEXT = re.compile(r"(?:[ \t\r\n,]|#[^\n]*)*+(?=(.))", re.DOTALL)  # skip to the next token
_KEY = re.compile(r"""[ \t]*([A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?)[ \t]*(\.?)""")
_EQUALS = re.compile(r"[ \t]*=[ \t]*")
_ATOM = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|""?(?!"))*(?:"{3,5})?'  # up to two quotes may end the content
    r"|'''[\s\S]*?(?:'{3,5}|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'[^'\n]*'?"
    r"|[^\s,\]}#]+(?: (?=\d\d:)[^\s,\]}#]+)?"  # a number, boolean or date: `1979-05-27 07:32:00`
)
_TOML_WHERE = re.compile(r"^(.*) \(at (?:line (\d+), column (\d+)|end of document)\)$", re.DOTALL)

_Keys = list[tuple[str, int]]  # the parts of a dotted key, each with its offset


def _toml_key(raw: str) -> str:
    quote = raw[0]
    if quote not in "\"'":
        return raw
    if quote == '"' and "\\" in raw:
        try:  # let tomllib decode the escapes, so the key is exactly the one in the data
            return str(tomllib.loads(f"k = {raw}")["k"])
        except ValueError:
            pass  # an invalid escape or no closing quote: tomllib reports it
    return raw[1:-1] if len(raw) > 1 and raw.endswith(quote) else raw[1:]


class _TomlScan:
    """One lenient pass over TOML text: key offsets and duplicate definitions.

    It trusts the text to be TOML and never validates; on anything else it skips
    ahead and always makes progress, leaving the errors to `tomllib`.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.offsets: dict[PathKey, int] = {}
        self.tables: dict[PathKey, int] = {}  # tables declared by a `[header]`
        self.arrays: dict[PathKey, int] = {}  # `[[header]]` arrays and their lengths
        self.table: PathKey = ()
        self.duplicates: list[tuple[PathKey, int, int]] = []  # path, offset, first offset
        self.blank: list[tuple[int, int]] = []  # first and last line of each ignored definition
        self.skipping_from: int | None = None  # line of a repeated `[header]` being ignored
        pos = 0
        while (token := _NEXT.match(text, pos)) is not None:
            pos = token.end()
            pos = self._header(pos) if token[1] == "[" else self._keyval(pos)
            end_of_line = text.find("\n", pos)  # one expression per line: skip what is left
            pos = len(text) if end_of_line < 0 else end_of_line + 1
        self._end_skipping(self.line(len(text)))

    def line(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _end_skipping(self, last_line: int) -> None:
        if self.skipping_from is not None:
            self.blank.append((self.skipping_from, last_line))
            self.skipping_from = None

    def _key(self, pos: int) -> tuple[_Keys, int]:
        keys: _Keys = []
        while (match := _KEY.match(self.text, pos)) is not None:
            if len(keys) == _MAX_DEPTH:
                self._too_deep(match.start(1))
            keys.append((_toml_key(match[1]), match.start(1)))
            pos = match.end()
            if not match[2]:
                break
        return keys, pos

    def _too_deep(self, offset: int) -> NoReturn:
        line, column = self.position(offset)
        raise SourceSyntaxError(format="TOML", detail=_TOO_DEEP, line=line, column=column)

    def _header(self, start: int) -> int:
        array = self.text.startswith("[[", start)
        keys, pos = self._key(start + 1 + array)
        if not keys or not self.text.startswith("]]" if array else "]", pos):
            return pos  # not a header: tomllib will say why
        self._end_skipping(self.line(start) - 1)
        path: PathKey = ()
        for key, offset in keys:
            if path in self.arrays:  # `[a.b]` after `[[a]]` extends the last `a`
                path = (*path, self.arrays[path] - 1)
            path = (*path, key)
            self.offsets.setdefault(path, offset)
        if array:
            self.arrays[path] = self.arrays.get(path, 0) + 1
            path = (*path, self.arrays[path] - 1)
            self.offsets.setdefault(path, keys[-1][1])
        elif path in self.tables:
            self.duplicates.append((path, keys[-1][1], self.tables[path]))
            self.skipping_from = self.line(start)
        else:
            self.tables[path] = keys[-1][1]
        self.table = path
        return pos

    def _assign(self, table: PathKey, keys: _Keys, record: bool) -> tuple[PathKey, bool]:
        """Record the offsets of a dotted key; return its path and whether it is new."""
        path = table
        for key, offset in keys[:-1]:
            path = (*path, key)
            if record:
                self.offsets.setdefault(path, offset)
        path = (*path, keys[-1][0])
        new = path not in self.offsets
        if record and new:
            self.offsets[path] = keys[-1][1]
        return path, new

    def _keyval(self, start: int) -> int:
        keys, pos = self._key(start)
        equals = _EQUALS.match(self.text, pos)
        if not keys or equals is None:
            return pos
        record = self.skipping_from is None
        path, new = self._assign(self.table, keys, record)
        end = self._value(equals.end(), path, record and new)
        if record and not new:
            self.duplicates.append((path, keys[-1][1], self.offsets[path]))
            self.blank.append((self.line(start), self.line(max(start, end - 1))))
        return end

    def _value(self, pos: int, path: PathKey, record: bool) -> int:
        if len(path) > _MAX_DEPTH:
            self._too_deep(pos)
        char = self.text[pos : pos + 1]
        if char == "[" or char == "{":
            return self._collection(pos + 1, path, record, char == "[")
        match = _ATOM.match(self.text, pos)
        return pos if match is None else match.end()

    def _collection(self, pos: int, path: PathKey, record: bool, array: bool) -> int:
        """Scan an array or inline table; commas, newlines and comments are just gaps."""
        index, close = 0, "]" if array else "}"
        while (token := _NEXT.match(self.text, pos)) is not None:
            pos = token.end()
            if token[1] == close:
                return pos + 1
            if array:
                if record:
                    self.offsets.setdefault((*path, index), pos)
                pos = max(pos + 1, self._value(pos, (*path, index), record))
                index += 1
                continue
            keys, pos = self._key(pos)
            equals = _EQUALS.match(self.text, pos)
            if keys and equals is not None:
                child, _ = self._assign(path, keys, record)
                pos = self._value(equals.end(), child, record)
            elif not keys:  # not a key: skip the character, tomllib will complain
                pos += 1
        return len(self.text)

    def without_duplicates(self) -> str:
        """The text with every ignored definition's lines blanked, line numbers kept."""
        lines = self.text.split("\n")
        for first, last in self.blank:
            lines[first - 1 : last] = [""] * (last - first + 1)
        return "\n".join(lines)


def _toml_error(exc: ValueError, text: str) -> SourceSyntaxError:
    match = _TOML_WHERE.match(str(exc))
    if match is None:  # e.g. an integer beyond int_max_str_digits, raised by int() itself
        return SourceSyntaxError(format="TOML", detail=str(exc).split(";")[0])
    if match.group(2) is None:
        last_line = text.rsplit("\n", 1)[-1]
        line, column = text.count("\n") + 1, len(last_line) + 1
    else:
        line, column = int(match[2]), int(match[3])
    return SourceSyntaxError(format="TOML", detail=match[1], line=line, column=column)


def _load_toml(text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or int() refusing a huge literal
        raise _toml_error(exc, text) from exc


def parse_toml(
    text: str, file: str | None
) -> tuple[dict[str, object], SourceMap, list[DuplicateKey]]:
    """Parse TOML text and map where each key is.

    Args:
        text: The document.
        file: The file name used in the source map's locations.

    Returns:
        The data, its source map and the duplicate keys that were ignored.

    Raises:
        SourceSyntaxError: The text is not valid TOML, even with duplicates ignored.
    """
    try:
        scan = _TomlScan(text)
        try:
            return tomllib.loads(text), _toml_map(scan, file), []
        except ValueError as exc:  # with duplicates, try again without them
            if not scan.duplicates:
                raise _toml_error(exc, text) from exc
        duplicates = [_duplicate(scan, *found) for found in scan.duplicates]
        text = scan.without_duplicates()
        data = _load_toml(text)
        return data, _toml_map(_TomlScan(text), file), duplicates
    except RecursionError as exc:  # pragma: no cover - the scan stops deep nesting first
        raise SourceSyntaxError(format="TOML", detail=_TOO_DEEP) from exc


def _toml_map(scan: _TomlScan, file: str | None) -> SourceMap:
    return SourceMap(file, {path: scan.position(at) for path, at in scan.offsets.items()})


def _duplicate(scan: _TomlScan, path: PathKey, offset: int, first: int) -> DuplicateKey:
    line, column = scan.position(offset)
    return DuplicateKey(path=path, line=line, column=column, first_line=scan.line(first))
