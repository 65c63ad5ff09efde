"""YAML: PyYAML's safe loader over a node tree composed in a loop, positions from its marks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

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

from sandbox.blueprint.sourcemap._map import (
    _MAX_DEPTH,
    _TOO_DEEP,
    DuplicateKey,
    PathKey,
    SourceMap,
    SourceSyntaxError,
)

if TYPE_CHECKING:
    from collections.abc import Hashable


try:  # libyaml is several times faster; a 6000-line blueprint must map in well under 100 ms
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]  # same interface


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
