"""JSON Schemas of record types, and fingerprints of their wire structure."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable


def json_schema(tp: object) -> dict[str, object]:
    """Return the JSON Schema of a type, as `msgspec.json.schema` generates it.

    Args:
        tp: A msgspec-supported type.

    Raises:
        TypeError: If msgspec cannot describe the type (see `check_type`).
    """
    return msgspec.json.schema(tp)


def fingerprint(tp: object) -> str:
    """Return 16 hex digits identifying the wire structure of a type.

    The hash covers a canonical JSON Schema: keys and `required` sorted, documentation
    (`title`, `description`, `examples`) dropped and `$defs` renumbered in the order they are
    reached. Class names and docstrings do not count; field names, types, defaults,
    constraints, tags and the order of union members do. Stable across processes for a given
    msgspec version.

    Args:
        tp: A msgspec-supported type.

    Raises:
        TypeError: If msgspec cannot describe the type (see `check_type`).
    """
    schema = json_schema(tp)
    defs: Any = schema.get("$defs", {})
    names: dict[str, str] = {}

    def ref(target: str) -> str:
        return "#/$defs/" + names.setdefault(target.rpartition("/")[2], str(len(names)))

    canon = {"": _canonical(schema, ref)}
    while len(canon) <= len(names):  # each definition may reach further ones
        old = list(names)[len(canon) - 1]
        canon[names[old]] = _canonical(defs[old], ref)
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _canonical(node: object, ref: Callable[[str], str]) -> object:
    if isinstance(node, list):
        return [_canonical(item, ref) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key in sorted(node):  # sorted, so `$defs` are numbered independently of dict order
        value = node[key]
        if key == "$ref":
            out[key] = ref(value)
        elif key in ("properties", "mapping"):  # name -> schema; a discriminator's tag -> $ref
            items = sorted(value.items())
            out[key] = {k: ref(v) if key == "mapping" else _canonical(v, ref) for k, v in items}
        elif key in ("required", "default", "const", "enum"):  # values, not schemas
            out[key] = sorted(value) if key == "required" else value
        elif key not in ("title", "description", "examples", "$comment", "$defs"):
            out[key] = _canonical(value, ref)
    return out
