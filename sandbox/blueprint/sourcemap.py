"""Parse TOML and YAML blueprints into plain data plus a map of where each key is.

Neither `tomllib` nor msgspec reports positions, so this module keeps a
`SourceMap`: for every key path of the parsed document, the 1-based line and
column where the key (or array element) starts. Data always comes from the real
parser (`tomllib`, PyYAML); for TOML the positions come from a small lenient
scanner that never validates, so any input gives data or `SourceSyntaxError`.

Duplicate keys are reported, not fatal: the first definition wins, so the rest
of the document still loads and every problem can be shown at once.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from typing import TYPE_CHECKING, Any, Literal, NoReturn, final

import msgspec
import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.error import Mark, MarkedYAMLError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sandbox.errors import Location, SandboxError

if TYPE_CHECKING:
    from collections.abc import Hashable, Mapping

try:  # libyaml is several times faster; a 6000-line blueprint must map in well under 100 ms
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]  # same interface

__all__ = [
    "DuplicateKey",
    "PathKey",
    "SourceMap",
    "SourceSyntaxError",
    "json_path",
    "parse_toml",
    "parse_yaml",
]

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


# --- TOML --------------------------------------------------------------------------------------

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


# --- YAML --------------------------------------------------------------------------------------

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
_Aliases = dict[tuple[int, int], Mark]  # (id of a sequence node, index) -> where the alias is
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _yaml_key(node: Node) -> str:
    """Keys are kept as written, so `1:` and `true:` become "1" and "true"."""
    if isinstance(node, ScalarNode):
        return str(node.value)
    kind = "a mapping" if isinstance(node, MappingNode) else "a sequence"
    raise ConstructorError(None, None, f"expected a scalar key, found {kind}", node.start_mark)


class _YamlLoader(_BaseLoader):
    """PyYAML's safe loader, keeping the first of duplicate keys and with string keys."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except ValueError as exc:  # e.g. the resolver takes `2001-13-01` for a date; date() doesn't
            raise ConstructorError(None, None, str(exc), node.start_mark) from exc

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping: dict[Hashable, Any] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(
                    value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                )
                continue
            key = _yaml_key(key_node)
            if key not in mapping:
                mapping[key] = self.construct_object(value_node, deep=deep)
        for source in merged:  # `<<: [*a, *b]`: own keys win, then a's, then b's
            if not isinstance(source, MappingNode):
                problem = "expected a mapping or a list of mappings to merge"
                raise ConstructorError(None, None, problem, source.start_mark)
            for merged_key, value in self.construct_mapping(source, deep=deep).items():
                mapping.setdefault(merged_key, value)
        return mapping


def _mark(mark: Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _collection_node(loader: _YamlLoader, event: Any, anchors: dict[str, Node]) -> Node:
    kind = SequenceNode if type(event) is SequenceStartEvent else MappingNode
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)  # type: ignore[no-untyped-call]  # stub
    node = kind(tag, [], event.start_mark, event.end_mark)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


def _compose_yaml(loader: _YamlLoader, aliases: _Aliases) -> Node | None:
    """Build the node tree of the one document in the stream, or None if there is none."""
    loader.get_event()  # the stream start
    if loader.check_event(StreamEndEvent):
        return None
    loader.get_event()  # the document start
    root = _compose_document(loader, aliases)
    if not loader.check_event(StreamEndEvent):
        context, problem = "expected a single document in the stream", "but found another document"
        raise ComposerError(
            context, None, problem, getattr(loader.peek_event(), "start_mark", None)
        )
    return root


def _compose_document(loader: _YamlLoader, aliases: _Aliases) -> Node | None:
    """Build the node tree from parser events, in a loop.

    libyaml's own composer recurses in C, so deep nesting (`[[[[...`) would
    overflow the stack and crash the interpreter; here it is a syntax error.
    An alias is the very node it names, so `aliases` keeps where each alias in
    a sequence was written.
    """
    anchors: dict[str, Node] = {}
    open_nodes: list[Node] = []
    keys: list[Node | None] = []  # for each open mapping, a key still waiting for its value
    root: Node | None = None
    get_event, resolve = loader.get_event, loader.resolve  # the hot loop: scalars are most events
    while True:
        event: Any = get_event()  # loosely typed: the stubs tell C marks from Python ones
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            node: Node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(open_nodes) == _MAX_DEPTH:
                raise ComposerError(None, None, _TOO_DEEP, event.start_mark)
            open_nodes.append(_collection_node(loader, event, anchors))
            keys.append(None)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            node = open_nodes.pop()
            keys.pop()
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                problem = f"found undefined alias {event.anchor!r}"
                raise ComposerError(None, None, problem, event.start_mark)
            node = anchors[event.anchor]
            if open_nodes and isinstance(open_nodes[-1], SequenceNode):
                aliases[id(open_nodes[-1]), len(open_nodes[-1].value)] = event.start_mark
        else:  # the document end
            return root
        if not open_nodes:
            root = node
        elif isinstance(open_nodes[-1], SequenceNode):
            open_nodes[-1].value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            open_nodes[-1].value.append((keys[-1], node))
            keys[-1] = None


def _walk_yaml(
    root: MappingNode, aliases: _Aliases
) -> tuple[dict[PathKey, tuple[int, int]], list[DuplicateKey]]:
    """Map every key and element; a node reached again through an alias is not entered again."""
    positions: dict[PathKey, tuple[int, int]] = {}
    duplicates: list[DuplicateKey] = []
    entered: set[int] = set()
    stack: list[tuple[PathKey, Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if id(node) in entered:
            continue
        entered.add(id(node))
        if isinstance(node, MappingNode):
            children = _walk_mapping(path, node, positions, duplicates)
        else:
            children = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                positions[child] = _mark(aliases.get((id(node), index), item.start_mark))
                children.append((child, item))
        # in document order, so that an anchor is entered before its aliases
        stack.extend(entry for entry in reversed(children) if not isinstance(entry[1], ScalarNode))
    duplicates.sort(key=lambda duplicate: (duplicate.line, duplicate.column))
    return positions, duplicates


def _walk_mapping(
    path: PathKey,
    node: MappingNode,
    positions: dict[PathKey, tuple[int, int]],
    duplicates: list[DuplicateKey],
) -> list[tuple[PathKey, Node]]:
    entries: list[tuple[PathKey, Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        child = (*path, _yaml_key(key_node))
        line, column = _mark(key_node.start_mark)
        if child in positions:
            first_line = positions[child][0]
            duplicates.append(
                DuplicateKey(path=child, line=line, column=column, first_line=first_line)
            )
        else:
            positions[child] = line, column
            entries.append((child, value_node))
    return entries


def _yaml_error(exc: yaml.YAMLError) -> SourceSyntaxError:
    if not isinstance(exc, MarkedYAMLError):  # pragma: no cover - reader errors are caught earlier
        return SourceSyntaxError(format="YAML", detail=str(exc))
    detail = exc.problem or exc.context or "invalid document"
    if exc.problem and exc.context:  # "while parsing a flow sequence started at line 1, did not..."
        where = ""
        if exc.context.startswith("while") and exc.context_mark is not None:
            where = f" started at line {exc.context_mark.line + 1}"
        detail = f"{exc.context}{where}, {exc.problem}"
    mark = exc.problem_mark or exc.context_mark
    line, column = _mark(mark) if mark else (None, None)
    return SourceSyntaxError(format="YAML", detail=detail, line=line, column=column)


def parse_yaml(
    text: str, file: str | None
) -> tuple[dict[str, object], SourceMap, list[DuplicateKey]]:
    """Parse YAML text and map where each key is.

    An empty document (or a lone `null`) gives empty data. Keys that are not
    strings (`1:`, `true:`) are kept as written, as strings.

    Args:
        text: The document.
        file: The file name used in the source map's locations.

    Returns:
        The data, its source map and the duplicate keys that were ignored.

    Raises:
        SourceSyntaxError: The text is not valid YAML, or its top level is not a mapping.
    """
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:  # checked here so that both PyYAML readers report it alike, by character
        lines = _YAML_BREAK.split(text[: bad.start()])
        detail = f"character #x{ord(bad[0]):04X} is not allowed"
        raise SourceSyntaxError(
            format="YAML", detail=detail, line=len(lines), column=len(lines[-1]) + 1
        )
    loader = _YamlLoader(text)
    try:
        aliases: _Aliases = {}
        root = _compose_yaml(loader, aliases)
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL_TAG):
            return {}, SourceMap(file, {}), []
        if not isinstance(root, MappingNode):
            kind = "a sequence" if isinstance(root, SequenceNode) else "a scalar"
            detail = f"expected a mapping at the top level, found {kind}"
            line, column = _mark(root.start_mark)
            raise SourceSyntaxError(format="YAML", detail=detail, line=line, column=column)
        positions, duplicates = _walk_yaml(root, aliases)
        data: dict[str, object] = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc) from exc
    except RecursionError as exc:
        detail = "merge keys (<<) refer back to their own mapping, or nest too deeply"
        raise SourceSyntaxError(format="YAML", detail=detail) from exc
    finally:
        loader.dispose()
    return data, SourceMap(file, positions), duplicates
